# shellcheck shell=bash
# The static answers of the benchmarks' nginx fake upstreams, sourced by bench/load.sh and
# bench/clients.sh: a 50-chunk Chat Completions stream and one JSON completion.
sse_body() {
  local i
  printf 'data: {"id":"c","object":"chat.completion.chunk","model":"fake","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
  for i in $(seq 1 48); do
    printf 'data: {"id":"c","object":"chat.completion.chunk","model":"fake","choices":[{"index":0,"delta":{"content":"word%s "}}]}\n\n' "$i"
  done
  printf 'data: {"id":"c","object":"chat.completion.chunk","model":"fake","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":48}}\n\n'
  printf 'data: [DONE]\n\n'
}
# shellcheck disable=SC2034 # used by the scripts that source this file
JSON_BODY='{"id":"c","object":"chat.completion","model":"fake","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello from the fake upstream."}}],"usage":{"prompt_tokens":12,"completion_tokens":7}}'
