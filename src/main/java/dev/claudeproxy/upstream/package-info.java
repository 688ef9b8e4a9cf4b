/**
 * The upstream HTTP leg: Apache HttpClient 5's classic client over HTTP/1.1 (chosen by measurement,
 * docs/performance.md), one pool built at start and closed on shutdown, with a resolver that checks
 * every address of every connection; each call's answer is read on a thread of its own and handed
 * to the exchange.
 */
package dev.claudeproxy.upstream;
