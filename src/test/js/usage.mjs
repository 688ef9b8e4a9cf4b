// Streams one answer through the gateway with the two JavaScript clients a user would pick, and
// prints the usage each ends with: LangChain's ChatAnthropic (usage_metadata, which takes input
// tokens only from message_start) and the official SDK's MessageStream (finalMessage().usage).
// Run by JsClientsUsageTest: node usage.mjs <base URL>
import { ChatAnthropic } from "@langchain/anthropic";
import Anthropic from "@anthropic-ai/sdk";

const baseURL = process.argv[2];
const prompt = "Weather in Paris?";

const llm = new ChatAnthropic({ model: "claude-sonnet-4-5", anthropicApiUrl: baseURL, apiKey: "sk-test",
  maxTokens: 1024, maxRetries: 0 });
let merged;
for await (const chunk of await llm.stream(prompt)) {
  merged = merged === undefined ? chunk : merged.concat(chunk);
}

const sdk = new Anthropic({ baseURL, apiKey: "sk-test", maxRetries: 0 });
const message = await sdk.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 1024,
  messages: [{ role: "user", content: prompt }] }).finalMessage();

console.log(JSON.stringify({ langchain: merged.usage_metadata, sdk: message.usage }));
