/**
 * OpenAI Chat Completions protocol types, in that spec's names, and the reader of its answers and
 * stream chunks ({@link dev.claudeproxy.openai.ChatCompletionReader}, a JSON-P streaming parser).
 */
package dev.claudeproxy.openai;
