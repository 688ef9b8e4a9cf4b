/** Server-sent events: a WHATWG reader over bytes and a flushing writer; no HTTP here. */
package dev.claudeproxy.sse;
