/** The servlet layer: the async servlet, the per-request exchange and the error responder. */
package dev.claudeproxy.servlet;
