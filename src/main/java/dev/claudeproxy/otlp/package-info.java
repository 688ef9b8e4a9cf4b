/** Claude Code's own OpenTelemetry, attributed to the signed-in user and forwarded to the company's collector. */
package dev.claudeproxy.otlp;
