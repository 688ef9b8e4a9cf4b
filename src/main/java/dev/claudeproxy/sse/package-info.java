/**
 * Server-sent events: a WHATWG reader over bytes, and a writer that buffers events until its caller
 * flushes; no HTTP here.
 */
package dev.claudeproxy.sse;
