/** Who a request is from: the company's identity provider's signed tokens, checked against its published keys. */
package dev.claudeproxy.identity;
