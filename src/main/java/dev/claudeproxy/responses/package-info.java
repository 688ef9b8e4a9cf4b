/** OpenAI Responses API protocol types, in that spec's names, inert. */
package dev.claudeproxy.responses;
