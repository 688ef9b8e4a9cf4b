/** Typed gateway failures: HTTP status plus Anthropic error type, and the upstream-error table. */
package dev.claudeproxy.error;
