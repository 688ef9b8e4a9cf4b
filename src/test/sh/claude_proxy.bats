#!/usr/bin/env bats
# Tests of claude_proxy.sh, run by ClaudeProxyScriptTest (./mvnw verify), which starts a real
# gateway and a stand-in upstream and sets:
#   SCRIPT       the script under test
#   GATEWAY      the running gateway's base URL
#   UPSTREAM     an upstream base URL that answers 200
#   BAD_UPSTREAM an upstream base URL that refuses every key with 401
# The gateway takes the upstream's host for DeepSeek's API, and knows the windows of big-local
# (400k), small-fast (200k), mid-local (65536) and small-local (32768) there; test-model's it does not know.
# Each test has a throwaway HOME and a PATH holding only the tools the script may use, plus stubs.

setup() {
  export HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME"
  tools="$BATS_TEST_TMPDIR/tools"
  stubs="$BATS_TEST_TMPDIR/stubs"
  mkdir -p "$tools" "$stubs"
  for tool in bash sh env cat mkdir chmod mv cp rm mktemp date dirname tr head tail sort jq python3 node; do
    if command -v "$tool" >/dev/null 2>&1; then ln -sf "$(command -v "$tool")" "$tools/$tool"; fi
  done
  # A version manager's python3 is a shim that needs the manager on the PATH: link the interpreter itself.
  if command -v python3 >/dev/null 2>&1; then
    ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$tools/python3"
  fi
  # curl records its arguments (to prove the key is not among them), then runs the real curl.
  real_curl=$(command -v curl)
  printf '#!/bin/sh\nprintf "%%s\\n" "$@" >> "%s/curl-args"\nexec "%s" "$@"\n' "$BATS_TEST_TMPDIR" "$real_curl" >"$stubs/curl"
  chmod +x "$stubs/curl"
  # The tests' own tools, by absolute path: the PATH below is the script's.
  stat=$(command -v stat) cmp=$(command -v cmp) timeout=$(command -v timeout)
  ls=$(command -v ls) grep=$(command -v grep) expect=$(command -v expect) sleep=$(command -v sleep)
  export PATH="$stubs:$tools"
  export SECRET_KEY="sk-test-0123456789abcdef"
  settings="$HOME/.claude/settings.json"
}

# A stand-in server a test started: stopped whatever the test's outcome, or bats would wait for it.
teardown() {
  if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi
}

# A `claude` already installed.
with_claude() {
  printf '#!/bin/sh\necho claude stub\n' >"$stubs/claude"
  chmod +x "$stubs/claude"
}

# An npm whose global install of Claude Code puts a `claude` stub on the PATH.
with_npm() {
  cat >"$stubs/npm" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >> "$BATS_TEST_TMPDIR/npm-calls"
printf '#!/bin/sh\necho claude stub\n' > "$stubs/claude"
chmod +x "$stubs/claude"
EOF
  chmod +x "$stubs/npm"
}

configure() {
  bash "$SCRIPT" --gateway "$GATEWAY" --upstream "$UPSTREAM" --model test-model --key-env SECRET_KEY --yes "$@" </dev/null
}

mode_of() {
  "$stat" -c %a "$1"
}

@test "a fresh machine: installs Claude Code with npm, writes the settings, and the test request succeeds" {
  with_npm
  run configure --haiku-model fast-model
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cat "$BATS_TEST_TMPDIR/npm-calls")" = "install -g @anthropic-ai/claude-code" ]
  [[ "$output" == *"OK: the gateway answered through the upstream: ok"* ]]
  [ "$(mode_of "$settings")" = 600 ]
  [ "$(mode_of "$HOME/.claude")" = 700 ]
  route="${UPSTREAM#http://}"
  [ "$(jq -r .env.ANTHROPIC_BASE_URL "$settings")" = "$GATEWAY/http/$route/test-model" ]
  [ "$(jq -r .env.ANTHROPIC_AUTH_TOKEN "$settings")" = "$SECRET_KEY" ]
  [ "$(jq -r .env.ANTHROPIC_DEFAULT_HAIKU_MODEL "$settings")" = fast-model ]
  [ "$(jq -r .env.ANTHROPIC_SMALL_FAST_MODEL "$settings")" = fast-model ]
  [ "$(jq -r .env.API_TIMEOUT_MS "$settings")" = 600000 ]
  [ "$(jq -r .env.CLAUDE_CODE_ATTRIBUTION_HEADER "$settings")" = 0 ]
  [ "$(jq -r .env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC "$settings")" = 1 ]
  # Issue 23: auto mode checks actions on the client, with the fast model; /model lists the gateway's
  # models; the session starts on the gateway's model.
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_MODE_SERVER "$settings")" = 0 ]
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_MODE_MODEL "$settings")" = fast-model ]
  [ "$(jq -r .env.CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY "$settings")" = 1 ]
  [ "$(jq -r .env.ANTHROPIC_MODEL "$settings")" = test-model ]
  # The key is never echoed, and never on curl's command line.
  [[ "$output" != *"$SECRET_KEY"* ]]
  [[ "$output" == *"sk-t...ef (24 characters)"* ]]
  ! "$grep" -q "$SECRET_KEY" "$BATS_TEST_TMPDIR/curl-args" || false
}

@test "Claude Code already installed: npm is never called" {
  with_claude
  with_npm
  run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ ! -e "$BATS_TEST_TMPDIR/npm-calls" ]
  [[ "$output" == *"Claude Code is installed"* ]]
}

@test "no claude and no npm: a clear error, nothing written" {
  run configure
  [ "$status" -ne 0 ]
  [[ "$output" == *"npm is not installed"* ]]
  [ ! -e "$settings" ]
}

merge_keeps_unrelated_keys() {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"model":"opus","permissions":{"allow":["Bash(ls:*)"]},"env":{"FOO":"bar","ANTHROPIC_API_KEY":"old-key","ANTHROPIC_SMALL_FAST_MODEL":"stale"}}\n' >"$settings"
  cp "$settings" "$BATS_TEST_TMPDIR/original"
  CLAUDE_PROXY_JSON_TOOL="$1" run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .model "$settings")" = opus ]
  [ "$(jq -c .permissions "$settings")" = '{"allow":["Bash(ls:*)"]}' ]
  [ "$(jq -r .env.FOO "$settings")" = bar ]
  [ "$(jq -r .env.ANTHROPIC_AUTH_TOKEN "$settings")" = "$SECRET_KEY" ]
  [ "$(jq -r '.env | has("ANTHROPIC_API_KEY")' "$settings")" = false ]
  [ "$(jq -r '.env | has("ANTHROPIC_SMALL_FAST_MODEL")' "$settings")" = false ]
  backups=("$settings".claude-proxy-backup-*)
  [ "${#backups[@]}" -eq 1 ]
  "$cmp" "${backups[0]}" "$BATS_TEST_TMPDIR/original"
  [ "$(mode_of "${backups[0]}")" = 600 ]
  [ "$(mode_of "$settings")" = 600 ]
}

@test "merge into existing settings with jq keeps every unrelated key, after a backup" {
  merge_keeps_unrelated_keys jq
}

@test "merge with python3 when jq is absent" {
  merge_keeps_unrelated_keys python3
}

@test "merge with node when jq and python3 are absent" {
  merge_keeps_unrelated_keys node
}

@test "the key as ANTHROPIC_API_KEY replaces ANTHROPIC_AUTH_TOKEN, and goes as x-api-key" {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"env":{"ANTHROPIC_AUTH_TOKEN":"old"}}\n' >"$settings"
  run configure --key-var api-key
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.ANTHROPIC_API_KEY "$settings")" = "$SECRET_KEY" ]
  [ "$(jq -r '.env | has("ANTHROPIC_AUTH_TOKEN")' "$settings")" = false ]
}

@test "unparsable settings are refused and left untouched" {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"env": {not json\n' >"$settings"
  cp "$settings" "$BATS_TEST_TMPDIR/original"
  run configure
  [ "$status" -ne 0 ]
  [[ "$output" == *"is not a JSON object"* ]]
  "$cmp" "$settings" "$BATS_TEST_TMPDIR/original"
  ! "$ls" "$settings".claude-proxy-backup-* 2>/dev/null || false
}

@test "--uninstall puts the settings back as they were and removes the backups" {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"theme":"dark","env":{"FOO":"bar"}}\n' >"$settings"
  cp "$settings" "$BATS_TEST_TMPDIR/original"
  run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run bash "$SCRIPT" --uninstall </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -S -c . "$settings")" = "$(jq -S -c . "$BATS_TEST_TMPDIR/original")" ]
  ! "$ls" "$settings".claude-proxy-backup-* 2>/dev/null || false
  [ ! -e "$HOME/.claude/claude-proxy-ledger.json" ]
}

# Issue 11, point 11: a second run backs up settings that already hold the first run's key; an
# uninstall must still leave no key and no setting the script wrote, and keep what changed since.
uninstall_after_two_runs_leaves_no_key() {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"theme":"dark","env":{"FOO":"bar","ANTHROPIC_API_KEY":"users-own-key","API_TIMEOUT_MS":"5","CLAUDE_CODE_AUTO_COMPACT_WINDOW":"500000"}}\n' >"$settings"
  # The first run writes DeepSeek's window over the user's own; the second, for a model whose window is unknown, removes it.
  CLAUDE_PROXY_JSON_TOOL="$1" run configure --model deepseek-chat
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 1000000 ]
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  export SECOND_KEY="sk-second-run-9876543210fedcba"
  CLAUDE_PROXY_JSON_TOOL="$1" run bash "$SCRIPT" --gateway "$GATEWAY" --upstream "$UPSTREAM" --model other-model \
    --key-env SECOND_KEY --haiku-model fast-model --yes </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
  # The user changes things of their own afterwards, one of them a setting the script wrote.
  jq '.model = "opus" | .env.BAR = "baz" | .env.API_TIMEOUT_MS = "900000"' "$settings" >"$settings.new"
  mv "$settings.new" "$settings"
  CLAUDE_PROXY_JSON_TOOL="$1" run bash "$SCRIPT" --uninstall </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -S -c . "$settings")" = '{"env":{"ANTHROPIC_API_KEY":"users-own-key","API_TIMEOUT_MS":"900000","BAR":"baz","CLAUDE_CODE_AUTO_COMPACT_WINDOW":"500000","FOO":"bar"},"model":"opus","theme":"dark"}' ]
  # Neither run's key is left in any file.
  ! "$grep" -r -l -e "$SECRET_KEY" -e "$SECOND_KEY" "$HOME/.claude" || false
}

@test "--uninstall after two runs leaves no key and keeps later changes (jq)" {
  uninstall_after_two_runs_leaves_no_key jq
}

@test "--uninstall after two runs leaves no key and keeps later changes (python3)" {
  uninstall_after_two_runs_leaves_no_key python3
}

@test "--uninstall after two runs leaves no key and keeps later changes (node)" {
  uninstall_after_two_runs_leaves_no_key node
}

@test "--uninstall of an install without a ledger removes exactly this script's keys" {
  with_claude
  run configure --haiku-model fast-model
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # An older version of the script kept no ledger; the user adds settings of their own afterwards.
  rm "$HOME/.claude/claude-proxy-ledger.json"
  jq '.theme = "dark" | .env.FOO = "bar"' "$settings" >"$settings.new" && mv "$settings.new" "$settings"
  run bash "$SCRIPT" --uninstall </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -c . "$settings")" = '{"env":{"FOO":"bar"},"theme":"dark"}' ]
}

@test "--dry-run writes nothing, installs nothing, sends nothing" {
  with_npm
  run configure --dry-run --haiku-model fast-model
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"Would install Claude Code"* ]]
  # Issue 29: every key it would write, with its value, the key masked.
  [[ "$output" == *"  env.ANTHROPIC_BASE_URL=$GATEWAY/"* ]]
  [[ "$output" == *"  env.ANTHROPIC_AUTH_TOKEN=sk-t...ef (24 characters)"* ]]
  [[ "$output" == *"  env.CLAUDE_CODE_AUTO_MODE_MODEL=fast-model"* ]]
  [[ "$output" == *"  env.CLAUDE_CODE_AUTO_MODE_SERVER=0"* ]]
  [[ "$output" != *"$SECRET_KEY"* ]]
  [ ! -e "$HOME/.claude" ]
  [ ! -e "$BATS_TEST_TMPDIR/npm-calls" ]
  [ ! -e "$BATS_TEST_TMPDIR/curl-args" ]
}

@test "without a terminal, a missing answer fails at once naming its flag" {
  with_claude
  run "$timeout" 10 bash "$SCRIPT" --gateway "$GATEWAY" --yes </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing --upstream"* ]]
  run "$timeout" 10 bash "$SCRIPT" --upstream "$UPSTREAM" --model m --yes </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing --key-env NAME"* ]]
  run "$timeout" 10 bash "$SCRIPT" --upstream "$UPSTREAM" --model m --key-env SECRET_KEY </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"add --yes"* ]]
  [ ! -e "$settings" ]
}

@test "invalid flag values are refused" {
  run bash "$SCRIPT" --upstream "ftp://files" --model m --key-env SECRET_KEY --yes </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"scheme must be http or https"* ]]
  run bash "$SCRIPT" --upstream "$UPSTREAM" --model "two words" --key-env SECRET_KEY --yes </dev/null
  [ "$status" -eq 1 ]
  run bash "$SCRIPT" --key-env NOT_SET_ANYWHERE </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"NOT_SET_ANYWHERE is empty or not set"* ]]
}

@test "a key the upstream refuses: 401 reported with a hint" {
  with_claude
  run bash "$SCRIPT" --gateway "$GATEWAY" --upstream "$BAD_UPSTREAM" --model test-model --key-env SECRET_KEY --yes </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAILED (401)"* ]]
  [[ "$output" == *"Check the key"* ]]
}

@test "an unreachable gateway is reported as such" {
  with_claude
  run bash "$SCRIPT" --gateway "http://127.0.0.1:9" --upstream "$UPSTREAM" --model test-model --key-env SECRET_KEY --yes </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == *"could not be reached"* ]]
}

@test "model ids with '/' use the gateway's '~' marker; 'server' uses the gateway's own routes" {
  with_claude
  run bash "$SCRIPT" --gateway "$GATEWAY/" --upstream "openrouter.ai/api/v1/" --model meta-llama/llama-3.3-70b-instruct \
    --key-env SECRET_KEY --dry-run </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"ANTHROPIC_BASE_URL=$GATEWAY/openrouter.ai/api/v1/~/meta-llama/llama-3.3-70b-instruct"* ]]
  run bash "$SCRIPT" --gateway "$GATEWAY" --upstream server --key-env SECRET_KEY --dry-run </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"ANTHROPIC_BASE_URL=$GATEWAY"$'\n'* ]]
}

@test "interactive, in a terminal: prompts with defaults, re-asks bad input, hides and masks the key, confirms" {
  with_claude
  transcript="$BATS_TEST_TMPDIR/transcript"
  run "$expect" -f - <<EOF
log_file -noappend $transcript
set timeout 30
spawn bash $SCRIPT
expect -exact "Gateway URL \[http://localhost:8080\]: "
send "$GATEWAY\r"
expect "Upstream base URL"
send "ftp://nowhere\r"
expect "the upstream scheme must be http or https"
expect "Upstream base URL"
send "$UPSTREAM\r"
expect "Model: "
send "test-model\r"
expect "input hidden): "
send "$SECRET_KEY\r"
expect "Fast model"
send "\r"
expect "does not know the context window of test-model"
expect "Context window of test-model in tokens"
send "lots\r"
expect "enter the window in tokens"
expect "Context window of test-model in tokens"
send "128k\r"
expect "Write these settings?"
send "y\r"
expect "OK: the gateway answered"
expect eof
catch wait result
exit [lindex \$result 3]
EOF
  [ "$status" -eq 0 ] || { echo "$output"; cat "$transcript"; false; }
  "$grep" -q "sk-t...ef (24 characters) as ANTHROPIC_AUTH_TOKEN" "$transcript"
  ! "$grep" -q "$SECRET_KEY" "$transcript" || false
  [ "$(jq -r .env.ANTHROPIC_AUTH_TOKEN "$settings")" = "$SECRET_KEY" ]
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 128000 ]
}

# Issue 16: Claude Code compacts within the upstream model's window, not the Claude model's it assumes.
@test "--model deepseek-chat against a DeepSeek-profile upstream writes DeepSeek's documented window" {
  with_claude
  run configure --model deepseek-chat
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 1000000 ]
  [ "$(jq -r .env.CLAUDE_CODE_MAX_CONTEXT_TOKENS "$settings")" = 1000000 ]
  [ "$(jq -r .env.ANTHROPIC_MODEL "$settings")" = deepseek-chat ]
  [[ "$output" == *"Context window:   1000000 tokens (the gateway's figure for deepseek-chat)"* ]]
  # The key went to the gateway for the window as it goes for the test request: on stdin, never on a command line.
  "$grep" -q -- "/v1/models?limit=1000" "$BATS_TEST_TMPDIR/curl-args"
  ! "$grep" -q "$SECRET_KEY" "$BATS_TEST_TMPDIR/curl-args" || false
}

window_of_unknown_model_is_left_unset() {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"env":{"CLAUDE_CODE_AUTO_COMPACT_WINDOW":"1000000"}}\n' >"$settings"
  CLAUDE_PROXY_JSON_TOOL="$1" run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
  [[ "$output" == *"Context window:   none (the gateway does not know the context window of test-model)"* ]]
  [[ "$output" == *"give the model's with --context-window N"* ]]
}

@test "an unknown model's window is left unset with a note, and an earlier one removed (jq)" {
  window_of_unknown_model_is_left_unset jq
}

@test "an unknown model's window is left unset with a note, and an earlier one removed (python3)" {
  window_of_unknown_model_is_left_unset python3
}

@test "an unknown model's window is left unset with a note, and an earlier one removed (node)" {
  window_of_unknown_model_is_left_unset node
}

@test "with --yes in a terminal, an unknown model's window is not asked for" {
  with_claude
  transcript="$BATS_TEST_TMPDIR/transcript"
  run "$expect" -f - <<EOF
log_file -noappend $transcript
set timeout 30
spawn bash $SCRIPT --gateway $GATEWAY --upstream $UPSTREAM --model test-model --key-env SECRET_KEY --haiku-model "" --yes
expect {
  "Context window of" { exit 3 }
  eof
}
catch wait result
exit [lindex \$result 3]
EOF
  [ "$status" -eq 0 ] || { echo "$output"; cat "$transcript"; false; }
  "$grep" -q "Context window:   none" "$transcript"
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
}

@test "the fast model's window counts when it is the smaller: Claude Code takes one window for both" {
  with_claude
  run configure --model big-local --haiku-model small-fast
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 200000 ]
  [[ "$output" == *"the fast model small-fast, smaller than big-local's 400000"* ]]
  run configure --model big-local --haiku-model test-model
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 400000 ]
  [[ "$output" == *"the gateway does not know the fast model's"* ]]
}

# Issue 23, point 3: a 64k model compacted near 67k tokens, past its window, when the script raised it to 100k.
@test "a window below 100k is Claude Code's context (CLAUDE_CODE_MAX_CONTEXT_TOKENS), with no auto-compact window" {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"env":{"CLAUDE_CODE_AUTO_COMPACT_WINDOW":"100000"}}\n' >"$settings"
  run configure --model mid-local
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_MAX_CONTEXT_TOKENS "$settings")" = 65536 ]
  [ "$(jq -r .env.ANTHROPIC_MODEL "$settings")" = mid-local ]
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
  [[ "$output" == *"65536 tokens (the gateway's figure for mid-local), as CLAUDE_CODE_MAX_CONTEXT_TOKENS"* ]]
}

@test "a window Claude Code cannot compact in is said plainly, with what to raise, and not written" {
  with_claude
  run configure --model small-local
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("CLAUDE_CODE_MAX_CONTEXT_TOKENS")' "$settings")" = false ]
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
  [[ "$output" == *"Claude Code cannot work in 32768 tokens"* ]]
  [[ "$output" == *"num_ctx"* && "$output" == *"--max-model-len"* && "$output" == *"CONTEXT_WINDOWS"* ]]
}

@test "the gateway's own routes: no session model, and a small window raised to the 100k a Claude model id takes" {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"env":{"ANTHROPIC_MODEL":"from-an-earlier-run","CLAUDE_CODE_AUTO_MODE_MODEL":"old-fast"}}\n' >"$settings"
  # The stand-in gateway has no routes of its own: the settings are written, and the test request fails.
  run configure --upstream server --context-window 64k --haiku-model ""
  [[ "$output" == *"Wrote $settings"* ]] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("ANTHROPIC_MODEL")' "$settings")" = false ]
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_MODE_MODEL")' "$settings")" = false ]
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 100000 ]
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_MODE_SERVER "$settings")" = 0 ]
}

@test "--context-window wins over the gateway's figure; none writes none; bad values are refused" {
  with_claude
  run configure --model deepseek-chat --context-window 256k
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r .env.CLAUDE_CODE_AUTO_COMPACT_WINDOW "$settings")" = 256000 ]
  [[ "$output" == *"256000 tokens (given with --context-window)"* ]]
  run configure --model deepseek-chat --context-window=none
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
  for bad in 128 lots 12x 1000000000 -5; do
    run configure --context-window "$bad"
    [ "$status" -eq 1 ]
    [[ "$output" == *"--context-window: '$bad' is not valid"* ]]
  done
}

@test "a gateway's window no model has (too large, not a whole number) counts as unknown" {
  with_claude
  mkdir -p "$BATS_TEST_TMPDIR/gw/v1"
  printf '{"data":[{"id":"claude-x","max_input_tokens":1e18},{"id":"claude-y","max_input_tokens":12.5}]}' \
    >"$BATS_TEST_TMPDIR/gw/v1/models"
  # A stand-in gateway that serves that page (and refuses the test request).
  python3 -c 'import http.server, functools, sys
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1]))
open(sys.argv[2], "w").write(str(server.server_port))
server.serve_forever()' "$BATS_TEST_TMPDIR/gw" "$BATS_TEST_TMPDIR/port" >/dev/null 2>&1 3>&- &
  server=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$BATS_TEST_TMPDIR/port" ] && break; "$sleep" 0.3; done
  run bash "$SCRIPT" --gateway "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")" --upstream server --key-env SECRET_KEY --yes </dev/null
  [[ "$output" == *"Context window:   none (the gateway does not know the context window of its routes)"* ]] || { echo "$output"; false; }
  [ "$(jq -r '.env | has("CLAUDE_CODE_AUTO_COMPACT_WINDOW")' "$settings")" = false ]
}

# Issue 25, point 9: --sso writes the sign-in keys and no key, takes this script's key settings out
# (they would win over the sign-in), a later run with a key takes the sign-in keys out, and
# --uninstall puts everything back as it was.
sso_then_key_then_uninstall() {
  with_claude
  mkdir -p "$HOME/.claude"
  printf '{"theme":"dark","env":{"FOO":"bar"}}\n' >"$settings"
  cp "$settings" "$BATS_TEST_TMPDIR/original"
  CLAUDE_PROXY_JSON_TOOL="$1" run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  CLAUDE_PROXY_JSON_TOOL="$1" run bash "$SCRIPT" --sso --gateway "$GATEWAY" --yes </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"/login"* ]]
  [ "$(jq -r .forceLoginMethod "$settings")" = gateway ]
  [ "$(jq -r .forceLoginGatewayUrl "$settings")" = "$GATEWAY" ]
  [ "$(jq -c .env "$settings")" = '{"FOO":"bar"}' ]
  ! "$grep" -q -e "$SECRET_KEY" "$settings" || false
  CLAUDE_PROXY_JSON_TOOL="$1" run configure
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -r 'has("forceLoginMethod") or has("forceLoginGatewayUrl")' "$settings")" = false ]
  CLAUDE_PROXY_JSON_TOOL="$1" run bash "$SCRIPT" --uninstall </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(jq -S -c . "$settings")" = "$(jq -S -c . "$BATS_TEST_TMPDIR/original")" ]
}

@test "--sso writes the sign-in keys and no key, and --uninstall puts everything back (jq)" {
  sso_then_key_then_uninstall jq
}

@test "--sso writes the sign-in keys and no key, and --uninstall puts everything back (python3)" {
  sso_then_key_then_uninstall python3
}

@test "--sso writes the sign-in keys and no key, and --uninstall puts everything back (node)" {
  sso_then_key_then_uninstall node
}

@test "--sso refuses plain http to another machine: Claude Code would not sign in there" {
  with_claude
  run bash "$SCRIPT" --sso --gateway http://gw.corp.example --yes </dev/null
  [ "$status" -ne 0 ]
  [[ "$output" == *"https"* ]]
  [ ! -e "$settings" ]
}

@test "--no-install: a missing Claude Code is not installed, said so, and the settings are written" {
  with_npm
  run configure --no-install
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"--no-install says not to"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/npm-calls" ]
  [ "$(jq -r .env.ANTHROPIC_AUTH_TOKEN "$settings")" = "$SECRET_KEY" ]
}
