/** The upstream HTTP leg: one JDK HTTP client (pooled, HTTP/2 where offered), built once, closed on shutdown. */
package dev.claudeproxy.upstream;
