/** OpenAI Chat Completions protocol types, in that spec's names; no logic. */
package dev.claudeproxy.openai;
