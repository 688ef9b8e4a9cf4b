/** The gateway's JSON-B configuration. */
package dev.claudeproxy.json;
