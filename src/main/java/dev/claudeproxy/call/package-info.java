/** How one request reaches an upstream: routes and fallbacks, retries, deadlines, cancellation, failure mapping. */
package dev.claudeproxy.call;
