/** The upstream HTTP leg: one Jersey client, built once, closed on shutdown. */
package dev.claudeproxy.upstream;
