/** Anthropic Messages API protocol types, in that spec's names; no logic beyond parsing. */
package dev.claudeproxy.anthropic;
