#!/usr/bin/env bash
# claude_proxy.sh: configure Claude Code (the `claude` CLI) to use a claude-proxy gateway.
#
# Asks for (or takes as flags) the gateway URL, the upstream and model, and the key; installs the
# `claude` CLI with npm when it is missing; merges the settings into ~/.claude/settings.json
# (backup first, atomic replace, mode 600); then sends one real request through the gateway.
# Runs on Linux and macOS with bash 3.2+, curl, and one of jq, python3 or node.
# `claude_proxy.sh --help` lists the flags.

set -u
umask 077

# The gateway that serves this script puts its own URL here.
DEFAULT_GATEWAY="http://localhost:8080"
DEFAULT_TIMEOUT_MS=600000
MODEL_MARKER='~'

SETTINGS="${HOME}/.claude/settings.json"
BACKUP_PREFIX="${SETTINGS}.claude-proxy-backup-"
# What this script changed: for each env key, the value it found first and every value it wrote.
# --uninstall undoes exactly that, whatever ran in between, and keeps what the user changed since.
LEDGER="${HOME}/.claude/claude-proxy-ledger.json"
# Every env key this script writes; --uninstall without a ledger (an older install) removes exactly these.
MANAGED_KEYS="ANTHROPIC_BASE_URL ANTHROPIC_AUTH_TOKEN ANTHROPIC_API_KEY ANTHROPIC_MODEL ANTHROPIC_DEFAULT_HAIKU_MODEL ANTHROPIC_SMALL_FAST_MODEL API_TIMEOUT_MS CLAUDE_CODE_ATTRIBUTION_HEADER CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC CLAUDE_CODE_AUTO_COMPACT_WINDOW CLAUDE_CODE_MAX_CONTEXT_TOKENS CLAUDE_CODE_AUTO_MODE_SERVER CLAUDE_CODE_AUTO_MODE_MODEL CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"
# The top-level keys of the sign-in through the gateway (--sso); the ledger names them "top:<key>".
TOP_KEYS="forceLoginMethod forceLoginGatewayUrl"
# The smallest auto-compact window Claude Code takes: it reads a smaller one as this, with a warning at each start.
CLAUDE_MIN_WINDOW=100000
# The smallest context window Claude Code can work in (2.1.331, measured with /context): it keeps 33,000
# tokens free for the summary it compacts into, and its own prompt and tools take about 10,000; below
# this it would compact at once and again every turn.
CLAUDE_MIN_COMPACTING_WINDOW=48000

GATEWAY=""
UPSTREAM=""
MODEL=""
KEY=""
KEY_GIVEN=0
KEY_VAR="ANTHROPIC_AUTH_TOKEN"
HAIKU_MODEL=""
HAIKU_GIVEN=0
TIMEOUT_MS="$DEFAULT_TIMEOUT_MS"
WINDOW=""
WINDOW_GIVEN=0
WINDOW_NOTE=""
# What is written of the window: CLAUDE_CODE_MAX_CONTEXT_TOKENS (the window Claude Code works in, for a
# non-Claude model id) and CLAUDE_CODE_AUTO_COMPACT_WINDOW (100k or more only); empty: left unset.
MAX_CONTEXT=""
COMPACT_WINDOW=""
ASSUME_YES=0
SSO=0
NO_INSTALL=0
DRY_RUN=0
UNINSTALL=0
INTERACTIVE=0
[ -t 0 ] && INTERACTIVE=1

usage() {
  cat <<EOF
Usage: claude_proxy.sh [flags]

Configures Claude Code to use a claude-proxy gateway. Without flags it asks for each answer
(when run in a terminal); every answer can also be given as a flag, for scripts.

  --gateway URL        the gateway's base URL (default ${DEFAULT_GATEWAY})
  --upstream URL       the upstream's OpenAI-compatible base URL, scheme optional
                       (e.g. api.groq.com/openai/v1), or "server" to use the gateway's own routes
  --model ID           the upstream model (e.g. llama-3.3-70b-versatile)
  --key-env NAME       read the key from the environment variable NAME (keeps it out of 'ps')
  --key KEY            the key itself (visible to other users in 'ps'; prefer --key-env)
  --key-var VAR        store the key as ANTHROPIC_AUTH_TOKEN (default, sent as Authorization: Bearer)
                       or ANTHROPIC_API_KEY (sent as x-api-key)
  --haiku-model ID     a fast model of the same upstream for Claude Code's background work and
                       auto mode's safety checks (optional; "" for none)
  --timeout-ms N       API_TIMEOUT_MS for slow models (default ${DEFAULT_TIMEOUT_MS})
  --context-window N   the model's context window in tokens (131072, 128k, 1m), or "none"; written as
                       CLAUDE_CODE_MAX_CONTEXT_TOKENS (and CLAUDE_CODE_AUTO_COMPACT_WINDOW from 100k) so
                       Claude Code compacts within it (default: the gateway's figure for the model and
                       the fast model; when it has none, asked in a terminal, else left unset)
  --sso                sign in with your company's SSO instead of a key: writes forceLoginMethod and
                       forceLoginGatewayUrl (then run claude, /login, "Cloud gateway"); asks only for the
                       gateway, which must run with CLIENT_AUTH=sso; removes this script's key settings
  --no-install         never install Claude Code (say so when it is missing, and write the settings)
  --yes                do not ask for confirmation
  --dry-run            show what would be done; change nothing, send nothing
  --uninstall          undo what this script wrote: each setting it changed gets its value from before
                       (kept where you changed it since), and its backups are removed
  --help               this text

The settings go to ~/.claude/settings.json; a timestamped backup is kept beside it.
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf 'claude_proxy.sh: %s\n' "$*" >&2; exit 1; }

# ---- answers ------------------------------------------------------------------------------

need_value() {
  [ $# -ge 2 ] || die "$1 needs a value (see --help)"
}

parse_flags() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --gateway) need_value "$@"; GATEWAY="$2"; shift 2 ;;
      --gateway=*) GATEWAY="${1#*=}"; shift ;;
      --upstream) need_value "$@"; UPSTREAM="$2"; shift 2 ;;
      --upstream=*) UPSTREAM="${1#*=}"; shift ;;
      --model) need_value "$@"; MODEL="$2"; shift 2 ;;
      --model=*) MODEL="${1#*=}"; shift ;;
      --key) need_value "$@"; KEY="$2"; KEY_GIVEN=1; shift 2 ;;
      --key=*) KEY="${1#*=}"; KEY_GIVEN=1; shift ;;
      --key-env) need_value "$@"; key_from_env "$2"; shift 2 ;;
      --key-env=*) key_from_env "${1#*=}"; shift ;;
      --key-var) need_value "$@"; key_var "$2"; shift 2 ;;
      --key-var=*) key_var "${1#*=}"; shift ;;
      --haiku-model) need_value "$@"; HAIKU_MODEL="$2"; HAIKU_GIVEN=1; shift 2 ;;
      --haiku-model=*) HAIKU_MODEL="${1#*=}"; HAIKU_GIVEN=1; shift ;;
      --timeout-ms) need_value "$@"; TIMEOUT_MS="$2"; shift 2 ;;
      --timeout-ms=*) TIMEOUT_MS="${1#*=}"; shift ;;
      --context-window) need_value "$@"; WINDOW="$2"; WINDOW_GIVEN=1; shift 2 ;;
      --context-window=*) WINDOW="${1#*=}"; WINDOW_GIVEN=1; shift ;;
      --yes|-y) ASSUME_YES=1; shift ;;
      --sso) SSO=1; shift ;;
      --no-install) NO_INSTALL=1; shift ;;
      --dry-run) DRY_RUN=1; shift ;;
      --uninstall) UNINSTALL=1; shift ;;
      --help|-h) usage; exit 0 ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
  case "$TIMEOUT_MS" in
    ''|*[!0-9]*) die "--timeout-ms takes a whole number of milliseconds, not '$TIMEOUT_MS'" ;;
  esac
  if [ "$WINDOW_GIVEN" = 1 ]; then
    local given="$WINDOW"
    WINDOW=$(valid_optional_window "$given") || die "--context-window: '$given' is not valid"
  fi
}

key_from_env() {
  case "$1" in
    ''|[0-9]*|*[!A-Za-z0-9_]*) die "--key-env takes an environment variable name, not '$1'" ;;
  esac
  eval "KEY=\${$1:-}"
  [ -n "$KEY" ] || die "--key-env $1: the environment variable $1 is empty or not set"
  KEY_GIVEN=1
}

key_var() {
  case "$1" in
    ANTHROPIC_AUTH_TOKEN|auth-token) KEY_VAR="ANTHROPIC_AUTH_TOKEN" ;;
    ANTHROPIC_API_KEY|api-key) KEY_VAR="ANTHROPIC_API_KEY" ;;
    *) die "--key-var takes ANTHROPIC_AUTH_TOKEN or ANTHROPIC_API_KEY, not '$1'" ;;
  esac
}

# Validators print the normalised value, or a reason on stderr and fail.
valid_gateway() {
  local value="${1%/}"
  while [ "${value%/}" != "$value" ]; do value="${value%/}"; done
  case "$value" in
    http://?*|https://?*) ;;
    *) printf 'the gateway URL must start with http:// or https://\n' >&2; return 1 ;;
  esac
  case "$value" in
    *[[:space:]]*|*\?*|*\#*) printf 'the gateway URL cannot hold spaces, a query or a fragment\n' >&2; return 1 ;;
  esac
  printf '%s\n' "$value"
}

valid_upstream() {
  local value="$1" scheme="https"
  [ "$value" = "server" ] && { printf 'server\n'; return 0; }
  case "$value" in
    http://*) scheme="http"; value="${value#http://}" ;;
    https://*) value="${value#https://}" ;;
    *://*) printf 'the upstream scheme must be http or https\n' >&2; return 1 ;;
  esac
  while [ "${value%/}" != "$value" ]; do value="${value%/}"; done
  value="${value%/chat/completions}"
  case "$value" in
    '') printf 'enter the upstream base URL, e.g. api.groq.com/openai/v1 (or "server")\n' >&2; return 1 ;;
    *[[:space:]]*|*\?*|*\#*) printf 'the upstream base URL cannot hold spaces, a query or a fragment\n' >&2; return 1 ;;
    /*) printf 'the upstream base URL starts with a host name\n' >&2; return 1 ;;
  esac
  printf '%s://%s\n' "$scheme" "$value"
}

valid_model() {
  case "$1" in
    '') printf 'enter the model id\n' >&2; return 1 ;;
    *[[:space:]]*) printf 'a model id has no spaces\n' >&2; return 1 ;;
  esac
  printf '%s\n' "$1"
}

# A context window: whole tokens, or thousands (k) and millions (m) as Claude Code reads them.
valid_window() {
  local value="$1" unit=1 digits
  case "$value" in
    *[kK]) unit=1000; digits="${value%?}" ;;
    *[mM]) unit=1000000; digits="${value%?}" ;;
    *) digits="$value" ;;
  esac
  case "$digits" in
    ''|*[!0-9]*|??????????*) printf 'enter the window in tokens, such as 131072 or 128k\n' >&2; return 1 ;;
  esac
  value=$((10#$digits * unit))
  if [ "$value" -lt 1000 ] || [ "$value" -gt 100000000 ]; then
    printf 'a context window is from 1000 to 100m tokens (128k is 128000)\n' >&2
    return 1
  fi
  printf '%s\n' "$value"
}

# "" and "none" mean no window.
valid_optional_window() {
  case "$1" in
    ''|none) printf '\n' ;;
    *) valid_window "$1" ;;
  esac
}

valid_optional_model() {
  [ -z "$1" ] && { printf '\n'; return 0; }
  valid_model "$1"
}

# ask VAR FLAG PROMPT DEFAULT VALIDATOR: the flag's value if given, else a prompt in a terminal,
# re-asked until valid; without a terminal, the default or a failure naming the flag.
ask() {
  local var="$1" flag="$2" prompt="$3" default="$4" validator="$5" given answer normal
  eval "given=\${$var}"
  if [ -n "$given" ] || { [ "$var" = HAIKU_MODEL ] && [ "$HAIKU_GIVEN" = 1 ]; }; then
    normal=$("$validator" "$given") || die "$flag: $given is not valid"
    printf -v "$var" '%s' "$normal"
    return 0
  fi
  if [ "$INTERACTIVE" = 0 ]; then
    [ -n "$default" ] || die "missing $flag (stdin is not a terminal, so nothing can be asked; see --help)"
    normal=$("$validator" "$default") || die "$flag: the default $default is not valid"
    printf -v "$var" '%s' "$normal"
    return 0
  fi
  while :; do
    if [ -n "$default" ]; then
      read -r -p "$prompt [$default]: " answer || die "no answer for $flag"
      [ -n "$answer" ] || answer="$default"
    else
      read -r -p "$prompt: " answer || die "no answer for $flag"
    fi
    if normal=$("$validator" "$answer"); then
      printf -v "$var" '%s' "$normal"
      return 0
    fi
  done
}

ask_key() {
  [ "$KEY_GIVEN" = 1 ] && [ -n "$KEY" ] && return 0
  [ "$KEY_GIVEN" = 1 ] && die "--key: the key is empty"
  [ "$INTERACTIVE" = 1 ] || die "missing --key-env NAME (or --key) (stdin is not a terminal, so nothing can be asked)"
  while [ -z "$KEY" ]; do
    read -r -s -p "API key (your upstream key, or the gateway's client key; input hidden): " KEY || die "no key"
    printf '\n'
    case "$KEY" in
      *[[:space:]]*) say "a key has no spaces"; KEY="" ;;
      '') say "enter the key" ;;
    esac
  done
}

mask() {
  local key="$1" n=${#1}
  if [ "$n" -le 8 ]; then
    printf '****\n'
  else
    printf '%s...%s (%s characters)\n' "${key:0:4}" "${key:$((n - 2))}" "$n"
  fi
}

# The gateway route for an upstream base URL and model (the gateway's README, "The URL form").
route_url() {
  local upstream="$1" model="$2" scheme rest
  [ "$upstream" = server ] && { printf '%s\n' "$GATEWAY"; return 0; }
  scheme="${upstream%%://*}"
  rest="${upstream#*://}"
  # A literal '~' segment: the gateway's marker before a model id that holds '/'.
  case "$model" in
    */*) model="$MODEL_MARKER/$model" ;;
  esac
  if [ "$scheme" = http ]; then
    printf '%s/http/%s/%s\n' "$GATEWAY" "$rest" "$model"
  else
    printf '%s/%s/%s\n' "$GATEWAY" "$rest" "$model"
  fi
}

confirm() {
  local answer
  [ "$ASSUME_YES" = 1 ] && return 0
  [ "$INTERACTIVE" = 1 ] || die "add --yes to confirm without a terminal"
  read -r -p "Write these settings? [y/N] " answer || return 1
  case "$answer" in
    y|Y|yes|YES|Yes) return 0 ;;
    *) return 1 ;;
  esac
}

# ---- JSON, with jq, else python3, else node -----------------------------------------------

json_tool() {
  local tool
  for tool in ${CLAUDE_PROXY_JSON_TOOL:-jq python3 node}; do
    command -v "$tool" >/dev/null 2>&1 && { printf '%s\n' "$tool"; return 0; }
  done
  return 1
}

# json ACTION IN OUT: ACTION is check (IN is a JSON object), merge (IN + CP_* settings → OUT, without
# the sign-in keys), sso (IN with the sign-in keys for CP_SSO_URL and without the managed env keys → OUT),
# remove (IN without the managed keys → OUT), answer (IN is a response: print its text or error),
# window (IN is a /v1/models page: print the first model's max_input_tokens, or with CP_WHICH=all the
# smallest any model has; nothing when none is known),
# record (the ledger CP_LEDGER updated for settings IN becoming CP_AFTER → OUT) or unrecord (IN
# with every value the ledger says this script wrote put back as it was → OUT).
# Values come from the environment (CP_*), never from the command line, which 'ps' shows.
json() {
  local action="$1" in="$2" out="${3:-/dev/null}" tool
  tool=$(json_tool) || die "needs jq, python3 or node to edit JSON; install one of them"
  CP_ACTION="$action" CP_MANAGED="$MANAGED_KEYS" CP_TOP="$TOP_KEYS" "json_$tool" "$in" "$out"
}

json_jq() {
  case "$CP_ACTION" in
    check) jq -e 'type == "object"' "$1" >/dev/null 2>&1 ;;
    merge) jq 'def optional($key; $value): if $value != "" then {($key): $value} else {} end;
               def setting: (env.CP_KEY_VAR) as $k | {ANTHROPIC_BASE_URL: env.CP_BASE_URL}
                 + {($k): env.CP_KEY} + {API_TIMEOUT_MS: env.CP_TIMEOUT}
                 + {CLAUDE_CODE_ATTRIBUTION_HEADER: "0", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
                    CLAUDE_CODE_AUTO_MODE_SERVER: "0", CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: "1"}
                 + optional("ANTHROPIC_MODEL"; env.CP_MODEL)
                 + optional("ANTHROPIC_DEFAULT_HAIKU_MODEL"; env.CP_HAIKU) + optional("ANTHROPIC_SMALL_FAST_MODEL"; env.CP_HAIKU)
                 + optional("CLAUDE_CODE_AUTO_MODE_MODEL"; env.CP_HAIKU)
                 + optional("CLAUDE_CODE_AUTO_COMPACT_WINDOW"; env.CP_WINDOW)
                 + optional("CLAUDE_CODE_MAX_CONTEXT_TOKENS"; env.CP_MAX_CONTEXT);
               .env = (((.env // {}) | del(.[env.CP_OTHER_KEY_VAR])
                        | if env.CP_MODEL == "" then del(.ANTHROPIC_MODEL) else . end
                        | if env.CP_HAIKU == "" then del(.ANTHROPIC_DEFAULT_HAIKU_MODEL, .ANTHROPIC_SMALL_FAST_MODEL,
                                                         .CLAUDE_CODE_AUTO_MODE_MODEL) else . end
                        | if env.CP_WINDOW == "" then del(.CLAUDE_CODE_AUTO_COMPACT_WINDOW) else . end
                        | if env.CP_MAX_CONTEXT == "" then del(.CLAUDE_CODE_MAX_CONTEXT_TOKENS) else . end) + setting)
               | del(.forceLoginMethod, .forceLoginGatewayUrl)' "$1" >"$2" ;;
    sso|remove) jq '(env.CP_MANAGED | split(" ")) as $keys
                | if .env then .env |= with_entries(select(.key as $k | $keys | index($k) | not)) else . end
                | if .env == {} then del(.env) else . end
                | if env.CP_ACTION == "sso" then .forceLoginMethod = "gateway" | .forceLoginGatewayUrl = env.CP_SSO_URL
                  else . end' "$1" >"$2" ;;
    answer) jq -r 'if .content then ([.content[] | select(.type == "text") | .text] | join(""))
                   else (.error.message // "no message") end' "$1" 2>/dev/null ;;
    window) jq -r '[(if env.CP_WHICH == "all" then .data[]? else .data[0]? end) | .max_input_tokens?
                    | select(type == "number" and . >= 1 and . == floor)] | min // empty' "$1" 2>/dev/null ;;
    record) jq --slurpfile after "$CP_AFTER" --slurpfile ledger "$CP_LEDGER" '
              def note($name; $was; $now):
                if $was == $now then .
                else (if ((.written[$name] // []) | index([$was])) then . else .original[$name] = $was end)
                     | .written[$name] = ((.written[$name] // []) + [$now])
                end;
              def value($object; $k): if $object | has($k) then $object[$k] else null end;
              . as $before | (.env // {}) as $b | ($after[0].env // {}) as $a
              | reduce (env.CP_MANAGED | split(" "))[] as $k ($ledger[0]; note($k; value($b; $k); value($a; $k)))
              | reduce (env.CP_TOP | split(" "))[] as $k (.; note("top:" + $k; value($before; $k); value($after[0]; $k)))' "$1" >"$2" ;;
    unrecord) jq --slurpfile ledger "$CP_LEDGER" '
              $ledger[0] as $l
              | def undo($name; $k):
                  (if has($k) then .[$k] else null end) as $now
                  | if ($l.written[$name] | index([$now])) then
                      (if ($l.original[$name] // null) == null then del(.[$k]) else .[$k] = $l.original[$name] end)
                    else . end;
              .env = reduce (($l.written // {}) | keys[] | select(startswith("top:") | not)) as $k ((.env // {}); undo($k; $k))
              | reduce (($l.written // {}) | keys[] | select(startswith("top:"))) as $n (.; undo($n; $n[4:]))
              | if .env == {} then del(.env) else . end' "$1" >"$2" ;;
  esac
}

json_python3() {
  python3 - "$1" "$2" <<'PY'
import json, os, sys
action, source, target = os.environ["CP_ACTION"], sys.argv[1], sys.argv[2]
try:
    with open(source) as f:
        data = json.load(f)
except Exception:
    sys.exit(1)
if action == "check":
    sys.exit(0 if isinstance(data, dict) else 1)
if action == "window":
    models = data.get("data") if isinstance(data, dict) else None
    models = (models if os.environ.get("CP_WHICH") == "all" else models[:1]) if isinstance(models, list) else []
    known = [m.get("max_input_tokens") for m in models if isinstance(m, dict)]
    known = [n for n in known if isinstance(n, int) and not isinstance(n, bool) and n >= 1]
    if known:
        print(min(known))
    sys.exit(0)
if action == "answer":
    if isinstance(data, dict) and "content" in data:
        print("".join(b.get("text", "") for b in data["content"] if b.get("type") == "text"))
    else:
        print(((data or {}).get("error") or {}).get("message", "no message"))
    sys.exit(0)
env = data.get("env") or {}
if action == "merge":
    env.pop(os.environ["CP_OTHER_KEY_VAR"], None)
    haiku = os.environ["CP_HAIKU"]
    optional = {"ANTHROPIC_MODEL": os.environ["CP_MODEL"], "ANTHROPIC_DEFAULT_HAIKU_MODEL": haiku,
                "ANTHROPIC_SMALL_FAST_MODEL": haiku, "CLAUDE_CODE_AUTO_MODE_MODEL": haiku,
                "CLAUDE_CODE_AUTO_COMPACT_WINDOW": os.environ["CP_WINDOW"],
                "CLAUDE_CODE_MAX_CONTEXT_TOKENS": os.environ["CP_MAX_CONTEXT"]}
    for key, value in optional.items():
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    env["ANTHROPIC_BASE_URL"] = os.environ["CP_BASE_URL"]
    env[os.environ["CP_KEY_VAR"]] = os.environ["CP_KEY"]
    env["API_TIMEOUT_MS"] = os.environ["CP_TIMEOUT"]
    env["CLAUDE_CODE_ATTRIBUTION_HEADER"] = "0"
    env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
    env["CLAUDE_CODE_AUTO_MODE_SERVER"] = "0"
    env["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"] = "1"
    data["env"] = env
    for key in os.environ["CP_TOP"].split():
        data.pop(key, None)
elif action in ("sso", "remove"):
    for key in os.environ["CP_MANAGED"].split():
        env.pop(key, None)
    if env:
        data["env"] = env
    else:
        data.pop("env", None)
    if action == "sso":
        data["forceLoginMethod"] = "gateway"
        data["forceLoginGatewayUrl"] = os.environ["CP_SSO_URL"]
elif action == "record":
    with open(os.environ["CP_AFTER"]) as f:
        after_all = json.load(f)
    after = after_all.get("env") or {}
    with open(os.environ["CP_LEDGER"]) as f:
        ledger = json.load(f)
    changes = [(key, env.get(key), after.get(key)) for key in os.environ["CP_MANAGED"].split()]
    changes += [("top:" + key, data.get(key), after_all.get(key)) for key in os.environ["CP_TOP"].split()]
    for name, was, now in changes:
        if was == now:
            continue
        written = ledger.setdefault("written", {}).setdefault(name, [])
        if was not in written:
            ledger.setdefault("original", {})[name] = was
        written.append(now)
    data = ledger
elif action == "unrecord":
    with open(os.environ["CP_LEDGER"]) as f:
        ledger = json.load(f)
    for name, written in (ledger.get("written") or {}).items():
        holder, key = (data, name[4:]) if name.startswith("top:") else (env, name)
        if holder.get(key) in written:
            original = (ledger.get("original") or {}).get(name)
            if original is None:
                holder.pop(key, None)
            else:
                holder[key] = original
    if env:
        data["env"] = env
    else:
        data.pop("env", None)
with open(target, "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
PY
}

json_node() {
  node - "$1" "$2" <<'JS'
const fs = require("fs");
const e = process.env, [source, target] = process.argv.slice(2);
let data;
try { data = JSON.parse(fs.readFileSync(source, "utf8")); } catch (err) { process.exit(1); }
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
if (e.CP_ACTION === "check") process.exit(isObject(data) ? 0 : 1);
if (e.CP_ACTION === "window") {
  const models = isObject(data) && Array.isArray(data.data) ? data.data : [];
  const known = (e.CP_WHICH === "all" ? models : models.slice(0, 1))
    .map((m) => (isObject(m) ? m.max_input_tokens : undefined)).filter((n) => Number.isInteger(n) && n >= 1);
  if (known.length) console.log(Math.min(...known));
  process.exit(0);
}
if (e.CP_ACTION === "answer") {
  if (isObject(data) && Array.isArray(data.content)) {
    console.log(data.content.filter((b) => b.type === "text").map((b) => b.text).join(""));
  } else {
    console.log((data && data.error && data.error.message) || "no message");
  }
  process.exit(0);
}
const env = isObject(data.env) ? data.env : {};
if (e.CP_ACTION === "merge") {
  delete env[e.CP_OTHER_KEY_VAR];
  const optional = { ANTHROPIC_MODEL: e.CP_MODEL, ANTHROPIC_DEFAULT_HAIKU_MODEL: e.CP_HAIKU,
    ANTHROPIC_SMALL_FAST_MODEL: e.CP_HAIKU, CLAUDE_CODE_AUTO_MODE_MODEL: e.CP_HAIKU,
    CLAUDE_CODE_AUTO_COMPACT_WINDOW: e.CP_WINDOW, CLAUDE_CODE_MAX_CONTEXT_TOKENS: e.CP_MAX_CONTEXT };
  for (const [key, value] of Object.entries(optional)) { if (value) env[key] = value; else delete env[key]; }
  env.ANTHROPIC_BASE_URL = e.CP_BASE_URL;
  env[e.CP_KEY_VAR] = e.CP_KEY;
  env.API_TIMEOUT_MS = e.CP_TIMEOUT;
  env.CLAUDE_CODE_ATTRIBUTION_HEADER = "0";
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1";
  env.CLAUDE_CODE_AUTO_MODE_SERVER = "0";
  env.CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY = "1";
  data.env = env;
  for (const key of e.CP_TOP.split(" ")) delete data[key];
} else if (e.CP_ACTION === "sso" || e.CP_ACTION === "remove") {
  for (const key of e.CP_MANAGED.split(" ")) delete env[key];
  if (Object.keys(env).length) data.env = env; else delete data.env;
  if (e.CP_ACTION === "sso") { data.forceLoginMethod = "gateway"; data.forceLoginGatewayUrl = e.CP_SSO_URL; }
} else if (e.CP_ACTION === "record") {
  const afterAll = JSON.parse(fs.readFileSync(e.CP_AFTER, "utf8"));
  const after = afterAll.env || {};
  const ledger = JSON.parse(fs.readFileSync(e.CP_LEDGER, "utf8"));
  const value = (o, k) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : null);
  const changes = e.CP_MANAGED.split(" ").map((key) => [key, value(env, key), value(after, key)])
    .concat(e.CP_TOP.split(" ").map((key) => ["top:" + key, value(data, key), value(afterAll, key)]));
  for (const [name, was, now] of changes) {
    if (was === now) continue;
    ledger.written = ledger.written || {};
    const written = (ledger.written[name] = ledger.written[name] || []);
    if (!written.includes(was)) { ledger.original = ledger.original || {}; ledger.original[name] = was; }
    written.push(now);
  }
  data = ledger;
} else if (e.CP_ACTION === "unrecord") {
  const ledger = JSON.parse(fs.readFileSync(e.CP_LEDGER, "utf8"));
  for (const [name, written] of Object.entries(ledger.written || {})) {
    const [target, key] = name.startsWith("top:") ? [data, name.slice(4)] : [env, name];
    const now = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : null;
    if (!written.includes(now)) continue;
    const original = (ledger.original || {})[name];
    if (original === null || original === undefined) delete target[key]; else target[key] = original;
  }
  if (Object.keys(env).length) data.env = env; else delete data.env;
}
fs.writeFileSync(target, JSON.stringify(data, null, 2) + "\n");
JS
}

# ---- steps --------------------------------------------------------------------------------

install_claude() {
  if command -v claude >/dev/null 2>&1; then
    say "Claude Code is installed ($(command -v claude))."
    return 0
  fi
  if [ "$NO_INSTALL" = 1 ]; then
    say "Claude Code is not installed, and --no-install says not to: install it yourself (npm install -g @anthropic-ai/claude-code)."
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "the claude CLI is missing and npm is not installed: install Node.js 18+ (it brings npm), or Claude Code itself, then run this again"
  if [ "$DRY_RUN" = 1 ]; then
    say "Would install Claude Code: npm install -g @anthropic-ai/claude-code"
    return 0
  fi
  say "Installing Claude Code: npm install -g @anthropic-ai/claude-code"
  npm install -g @anthropic-ai/claude-code || die "npm could not install Claude Code (see its output above); on a system Node, you may need a user prefix: npm config set prefix ~/.local"
}

# What write_settings would set, one line a key, the key masked: for --dry-run.
planned_settings() {
  local name
  if [ "$SSO" = 1 ]; then
    say "  forceLoginMethod=gateway"
    say "  forceLoginGatewayUrl=$GATEWAY"
    say "  (and none of this script's env keys)"
    return 0
  fi
  say "  env.ANTHROPIC_BASE_URL=$BASE_URL"
  say "  env.$KEY_VAR=$(mask "$KEY")"
  if [ -n "$MODEL" ]; then say "  env.ANTHROPIC_MODEL=$MODEL"; fi
  if [ -n "$HAIKU_MODEL" ]; then
    for name in ANTHROPIC_DEFAULT_HAIKU_MODEL ANTHROPIC_SMALL_FAST_MODEL CLAUDE_CODE_AUTO_MODE_MODEL; do
      say "  env.$name=$HAIKU_MODEL"
    done
  fi
  if [ -n "$MAX_CONTEXT" ]; then say "  env.CLAUDE_CODE_MAX_CONTEXT_TOKENS=$MAX_CONTEXT"; fi
  if [ -n "$COMPACT_WINDOW" ]; then say "  env.CLAUDE_CODE_AUTO_COMPACT_WINDOW=$COMPACT_WINDOW"; fi
  say "  env.API_TIMEOUT_MS=$TIMEOUT_MS"
  say "  env.CLAUDE_CODE_ATTRIBUTION_HEADER=0"
  say "  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"
  say "  env.CLAUDE_CODE_AUTO_MODE_SERVER=0"
  say "  env.CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1"
}

# Replaces the settings file with TMP, atomically (same directory), mode 600.
replace_settings() {
  if ! chmod 600 "$1" || ! mv -f "$1" "$SETTINGS"; then
    die "could not replace $SETTINGS"
  fi
}

write_settings() {
  local dir tmp backup
  dir=$(dirname "$SETTINGS")
  if [ -e "$SETTINGS" ] && ! json check "$SETTINGS"; then
    die "$SETTINGS is not a JSON object this script can read; fix or move it, then run again (nothing was changed)"
  fi
  if [ "$DRY_RUN" = 1 ]; then
    say "Would back up and update $SETTINGS (dry run: nothing written), setting:"
    planned_settings
    return 0
  fi
  if ! mkdir -p "$dir" || ! chmod 700 "$dir"; then
    die "could not create $dir"
  fi
  if [ -e "$SETTINGS" ]; then
    backup="${BACKUP_PREFIX}$(date +%Y%m%d-%H%M%S)"
    [ -e "$backup" ] && backup="${backup}-$$"
    if ! cp -p "$SETTINGS" "$backup" || ! chmod 600 "$backup"; then
      die "could not back up $SETTINGS"
    fi
    say "Backed up the old settings to $backup"
  fi
  tmp=$(mktemp "$dir/.settings.json.XXXXXX") || die "could not create a temporary file in $dir"
  local source="$SETTINGS"
  [ -e "$SETTINGS" ] || { printf '{}\n' >"$tmp.empty"; source="$tmp.empty"; }
  local other="ANTHROPIC_API_KEY"
  [ "$KEY_VAR" = ANTHROPIC_API_KEY ] && other="ANTHROPIC_AUTH_TOKEN"
  local action=merge
  [ "$SSO" = 1 ] && action=sso
  if ! CP_BASE_URL="$BASE_URL" CP_KEY="$KEY" CP_KEY_VAR="$KEY_VAR" CP_OTHER_KEY_VAR="$other" \
      CP_HAIKU="$HAIKU_MODEL" CP_MODEL="$MODEL" CP_WINDOW="$COMPACT_WINDOW" CP_MAX_CONTEXT="$MAX_CONTEXT" \
      CP_TIMEOUT="$TIMEOUT_MS" CP_SSO_URL="$GATEWAY" json "$action" "$source" "$tmp"; then
    rm -f "$tmp" "$tmp.empty"
    die "could not write the new settings (nothing was changed)"
  fi
  record_in_ledger "$source" "$tmp" || { rm -f "$tmp" "$tmp.empty"; die "could not record the change in $LEDGER (nothing was changed)"; }
  rm -f "$tmp.empty"
  replace_settings "$tmp"
  say "Wrote $SETTINGS (mode 600)."
}

# Notes in the ledger what turning settings BEFORE into AFTER changes; written before the settings are.
record_in_ledger() {
  local dir ledger_tmp start
  dir=$(dirname "$LEDGER")
  ledger_tmp=$(mktemp "$dir/.claude-proxy-ledger.XXXXXX") || return 1
  start="$LEDGER"
  [ -e "$LEDGER" ] || { printf '{}\n' >"$ledger_tmp.empty"; start="$ledger_tmp.empty"; }
  if ! CP_AFTER="$2" CP_LEDGER="$start" json record "$1" "$ledger_tmp" || ! chmod 600 "$ledger_tmp" \
      || ! mv -f "$ledger_tmp" "$LEDGER"; then
    rm -f "$ledger_tmp" "$ledger_tmp.empty"
    return 1
  fi
  rm -f "$ledger_tmp.empty"
}

uninstall() {
  local tmp backup backups=0
  if [ ! -e "$LEDGER" ]; then
    uninstall_without_ledger
    return $?
  fi
  [ -e "$SETTINGS" ] && ! json check "$SETTINGS" && die "$SETTINGS is not a JSON object this script can read; nothing was changed"
  if [ "$DRY_RUN" = 1 ]; then
    say "Would put back every setting this script wrote in $SETTINGS, and remove its backups and $LEDGER."
    return 0
  fi
  if [ -e "$SETTINGS" ]; then
    tmp=$(mktemp "$(dirname "$SETTINGS")/.settings.json.XXXXXX") || die "could not create a temporary file"
    CP_LEDGER="$LEDGER" json unrecord "$SETTINGS" "$tmp" || { rm -f "$tmp"; die "could not edit $SETTINGS; nothing was changed"; }
    if [ "$(tr -d ' \n\t' <"$tmp")" = "{}" ]; then
      rm -f "$tmp" "$SETTINGS"
      say "Removed $SETTINGS (it held only this script's settings)."
    else
      replace_settings "$tmp"
      say "Put back in $SETTINGS every setting this script wrote (settings you changed since are kept)."
    fi
  fi
  # Backups are superseded now, and a later one holds what this script wrote, keys included.
  for backup in "$BACKUP_PREFIX"*; do
    [ -e "$backup" ] || continue
    rm -f "$backup" && backups=$((backups + 1))
  done
  [ "$backups" -gt 0 ] && say "Removed the $backups backup(s) this script had made."
  rm -f "$LEDGER"
}

# An install by an older version of this script, which kept no ledger: remove exactly its keys.
uninstall_without_ledger() {
  local tmp
  [ -e "$SETTINGS" ] || { say "No $SETTINGS: nothing to undo."; return 0; }
  json check "$SETTINGS" || die "$SETTINGS is not a JSON object this script can read; nothing was changed"
  if [ "$DRY_RUN" = 1 ]; then say "Would remove this script's keys from $SETTINGS."; return 0; fi
  tmp=$(mktemp "$(dirname "$SETTINGS")/.settings.json.XXXXXX") || die "could not create a temporary file"
  json remove "$SETTINGS" "$tmp" || { rm -f "$tmp"; die "could not edit $SETTINGS; nothing was changed"; }
  if [ "$(tr -d ' \n\t' <"$tmp")" = "{}" ]; then
    rm -f "$tmp" "$SETTINGS"
    say "Removed $SETTINGS (it held only this script's settings)."
  else
    replace_settings "$tmp"
    say "Removed this script's keys from $SETTINGS."
  fi
  for tmp in "$BACKUP_PREFIX"*; do
    [ -e "$tmp" ] && { say "Backups from earlier runs are kept beside it and may hold a key: ${BACKUP_PREFIX}*"; break; }
  done
  return 0
}

# The header Claude Code will send the key in; given to curl on stdin (-H @-), never on its command line.
key_header() {
  if [ "$KEY_VAR" = ANTHROPIC_API_KEY ]; then printf 'x-api-key: %s\n' "$KEY"; else printf 'Authorization: Bearer %s\n' "$KEY"; fi
}

# gateway_window ROUTE_URL first|all: asks the gateway (GET .../v1/models) for the context window of
# the route's model, or the smallest of its server routes'; sets ANSWER (tokens, or empty when not
# known) and ASKED (the HTTP status, 000 when the gateway could not be reached).
gateway_window() {
  local body
  ANSWER=""
  ASKED=000
  command -v curl >/dev/null 2>&1 || return 0
  body=$(mktemp "${TMPDIR:-/tmp}/claude-proxy-models.XXXXXX")
  ASKED=$(key_header | curl -s -m 20 --max-filesize 1048576 -o "$body" -w '%{http_code}' -H @- \
    -H 'anthropic-version: 2023-06-01' "$1/v1/models?limit=1000" 2>/dev/null) || ASKED=000
  [ "$ASKED" = 200 ] && ANSWER=$(CP_WHICH="$2" json window "$body")
  rm -f "$body"
  # A figure no model has is no figure.
  [ -n "$ANSWER" ] && { ANSWER=$(valid_window "$ANSWER" 2>/dev/null) || ANSWER=""; }
  return 0
}

# The window for CLAUDE_CODE_AUTO_COMPACT_WINDOW: --context-window, else the gateway's figure (the
# smaller of the model's and the fast model's, since Claude Code takes one window for all its
# models), else asked in a terminal, else none. WINDOW_NOTE says where it came from.
choose_window() {
  local main which=first
  if [ "$WINDOW_GIVEN" = 1 ]; then
    WINDOW_NOTE="given with --context-window"
  elif [ "$DRY_RUN" = 1 ]; then
    WINDOW_NOTE="would be asked of the gateway (dry run: nothing sent)"
    return 0
  else
    [ "$UPSTREAM" = server ] && which=all
    gateway_window "$BASE_URL" "$which"
    main="$ANSWER"
    if [ -n "$main" ]; then
      WINDOW="$main"
      WINDOW_NOTE="the gateway's figure for ${MODEL:-its routes}"
      if [ -n "$HAIKU_MODEL" ] && [ "$UPSTREAM" != server ]; then
        gateway_window "$(route_url "$UPSTREAM" "$HAIKU_MODEL")" first
        if [ -z "$ANSWER" ]; then
          WINDOW_NOTE="$WINDOW_NOTE; the gateway does not know the fast model's"
        elif [ "$ANSWER" -lt "$main" ]; then
          WINDOW="$ANSWER"
          WINDOW_NOTE="the gateway's figure for the fast model $HAIKU_MODEL, smaller than $MODEL's $main: Claude Code takes one window for both"
        fi
      fi
    else
      if [ "$ASKED" = 200 ]; then
        WINDOW_NOTE="the gateway does not know the context window of ${MODEL:-its routes}"
      else
        WINDOW_NOTE="the gateway did not say the context window (GET /v1/models answered $ASKED)"
      fi
      if [ "$INTERACTIVE" = 1 ] && [ "$ASSUME_YES" = 0 ]; then
        say "$WINDOW_NOTE."
        ask WINDOW --context-window "Context window of ${MODEL:-the model} in tokens, e.g. 131072 or 128k (Enter to leave it unset)" "" valid_optional_window
        [ -n "$WINDOW" ] && WINDOW_NOTE="as you gave it"
      fi
    fi
  fi
  window_settings
  return 0
}

# How the window is written. With ANTHROPIC_MODEL naming the upstream's model (not a claude- id),
# Claude Code works in CLAUDE_CODE_MAX_CONTEXT_TOKENS; CLAUDE_CODE_AUTO_COMPACT_WINDOW is written too
# from 100k (Claude Code raises a smaller one to 100k, with a warning at each start). With the gateway's
# own routes the session keeps a Claude model id, which only CLAUDE_CODE_AUTO_COMPACT_WINDOW sizes.
# A window too small for Claude Code to compact in is not written at all: it would compact on every turn.
window_settings() {
  MAX_CONTEXT=""
  COMPACT_WINDOW=""
  [ -n "$WINDOW" ] || return 0
  if [ "$UPSTREAM" = server ]; then
    COMPACT_WINDOW="$WINDOW"
    if [ "$WINDOW" -lt "$CLAUDE_MIN_WINDOW" ]; then
      WINDOW_NOTE="$WINDOW_NOTE; $WINDOW tokens is below the $CLAUDE_MIN_WINDOW Claude Code takes for a Claude model id, so it gets $CLAUDE_MIN_WINDOW and the upstream may refuse a long conversation before Claude Code compacts it"
      COMPACT_WINDOW="$CLAUDE_MIN_WINDOW"
    fi
  elif [ "$WINDOW" -lt "$CLAUDE_MIN_COMPACTING_WINDOW" ]; then
    WINDOW_NOTE="$WINDOW_NOTE. Claude Code cannot work in $WINDOW tokens: it keeps 33000 free to compact into, and its own prompt and tools take about 10000, so it would compact on every turn. Raise the model's context to 64k or more (Ollama: num_ctx or OLLAMA_CONTEXT_LENGTH; vLLM: --max-model-len; llama.cpp: -c) and the gateway's CONTEXT_WINDOWS with it, then run this again; until then no window is written, and Claude Code works on until the upstream refuses a long conversation"
  else
    MAX_CONTEXT="$WINDOW"
    [ "$WINDOW" -ge "$CLAUDE_MIN_WINDOW" ] && COMPACT_WINDOW="$WINDOW"
  fi
}

# The window keys written, for the summary.
window_keys() {
  if [ -n "$MAX_CONTEXT" ] && [ -n "$COMPACT_WINDOW" ]; then
    printf 'CLAUDE_CODE_MAX_CONTEXT_TOKENS and CLAUDE_CODE_AUTO_COMPACT_WINDOW (%s)\n' "$COMPACT_WINDOW"
  elif [ -n "$MAX_CONTEXT" ]; then
    printf 'CLAUDE_CODE_MAX_CONTEXT_TOKENS (CLAUDE_CODE_AUTO_COMPACT_WINDOW takes no less than %s, so it is left unset)\n' "$CLAUDE_MIN_WINDOW"
  else
    printf 'CLAUDE_CODE_AUTO_COMPACT_WINDOW (%s)\n' "$COMPACT_WINDOW"
  fi
}

# One real request through the gateway; the key goes to curl on stdin, not on its command line.
prove() {
  local body status reply error
  command -v curl >/dev/null 2>&1 || { say "curl is not installed: skipped the test request."; return 0; }
  body=$(mktemp "${TMPDIR:-/tmp}/claude-proxy-answer.XXXXXX")
  error=$(mktemp "${TMPDIR:-/tmp}/claude-proxy-error.XXXXXX")
  say "Sending a test request to $BASE_URL/v1/messages ..."
  status=$(key_header | curl -sS -m 120 -o "$body" -w '%{http_code}' -H @- \
    -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \
    --data-binary '{"model":"claude-sonnet-4-5","max_tokens":32,"messages":[{"role":"user","content":"Reply with the single word: ready"}]}' \
    "$BASE_URL/v1/messages" 2>"$error")
  [ $? -eq 28 ] && status=timeout
  reply=$(json answer "$body" 2>/dev/null)
  case "$status" in
    timeout) say "FAILED: no answer within 120 s. The gateway is up but the upstream (or a proxy between) is silent; try again, or check the upstream." ;;
    200)
      say "OK: the gateway answered through the upstream: ${reply:-"(empty answer)"}"
      rm -f "$body" "$error"
      say "Done. Run: claude"
      return 0 ;;
    000) say "FAILED: the gateway at $GATEWAY could not be reached ($(tr -d '\n' <"$error")). Is it running, and is the URL right?" ;;
    401) say "FAILED (401): ${reply}. Check the key: the upstream's key, or the gateway's client key if it asks for one." ;;
    403) say "FAILED (403): ${reply}. The gateway does not allow this upstream (its UPSTREAM_ALLOWLIST)." ;;
    404) say "FAILED (404): ${reply}. Check the upstream base URL and the model id." ;;
    *) say "FAILED ($status): ${reply:-$(head -c 300 "$body")}" ;;
  esac
  rm -f "$body" "$error"
  say "The settings are written; fix the above and run this again, or run with --uninstall to undo."
  return 1
}

# --sso: Claude Code signs in through the gateway (/login, "Cloud gateway"), which must run with
# CLIENT_AUTH=sso; no key is written, and this script's key settings are removed (they would win).
sign_in_through_gateway() {
  case "$GATEWAY" in
    http://localhost|http://localhost:*|http://localhost/*|http://127.*|http://\[::1\]*|https://*) ;;
    *) die "--sso: Claude Code signs in only over https (plain http only to this machine): $GATEWAY" ;;
  esac
  say ""
  say "  Gateway:          $GATEWAY"
  say "  Sign-in:          your company's SSO, through the gateway (no key is written)"
  say "  Settings:         forceLoginMethod=gateway, forceLoginGatewayUrl=$GATEWAY"
  say "  Settings file:    $SETTINGS (this script's key settings, if any, are removed)"
  say ""
  if [ "$DRY_RUN" = 0 ] && ! confirm; then
    say "Nothing was changed."
    return 1
  fi
  BASE_URL="" # no route: Claude Code calls the gateway it signed in to
  install_claude
  write_settings
  [ "$DRY_RUN" = 1 ] && { say "Dry run: nothing written."; return 0; }
  say ""
  say "Next: run claude, type /login and choose Cloud gateway; sign in in the browser it opens, then"
  say "confirm your account in the terminal. Claude Code asks once whether to trust the gateway's certificate."
}

main() {
  parse_flags "$@"
  if [ "$UNINSTALL" = 1 ]; then
    uninstall
    return $?
  fi
  ask GATEWAY --gateway "Gateway URL" "$DEFAULT_GATEWAY" valid_gateway
  if [ "$SSO" = 1 ]; then
    sign_in_through_gateway
    return $?
  fi
  ask UPSTREAM --upstream "Upstream base URL (scheme optional), or 'server' for the gateway's own routes" "" valid_upstream
  if [ "$UPSTREAM" = server ]; then
    MODEL="" # the gateway's routes choose the model
  else
    ask MODEL --model "Model" "" valid_model
  fi
  ask_key
  if [ "$HAIKU_GIVEN" = 0 ] && [ "$INTERACTIVE" = 1 ]; then
    ask HAIKU_MODEL --haiku-model "Fast model for background work (optional, Enter for none)" "" valid_optional_model
  elif [ "$HAIKU_GIVEN" = 1 ]; then
    HAIKU_MODEL=$(valid_optional_model "$HAIKU_MODEL") || die "--haiku-model: '$HAIKU_MODEL' is not valid"
  fi
  BASE_URL=$(route_url "$UPSTREAM" "$MODEL")
  choose_window

  say ""
  say "  Gateway:          $GATEWAY"
  if [ "$UPSTREAM" = server ]; then
    say "  Upstream:         the gateway's configured routes"
  else
    say "  Upstream:         $UPSTREAM"
    say "  Model:            $MODEL"
  fi
  say "  Fast model:       ${HAIKU_MODEL:-(none)}"
  say "  Auto mode:        Claude Code checks risky actions itself (CLAUDE_CODE_AUTO_MODE_SERVER=0), with ${HAIKU_MODEL:-the session model}"
  [ -n "$MODEL" ] && say "  Session model:    $MODEL (ANTHROPIC_MODEL); /model also lists the gateway's models"
  say "  Key:              $(mask "$KEY") as $KEY_VAR"
  if [ -n "$MAX_CONTEXT$COMPACT_WINDOW" ]; then
    say "  Context window:   $WINDOW tokens ($WINDOW_NOTE), as $(window_keys)"
  elif [ -n "$WINDOW" ]; then
    say "  Context window:   $WINDOW tokens ($WINDOW_NOTE)."
  else
    say "  Context window:   none (${WINDOW_NOTE:-none given}): no window is written, so Claude Code"
    say "                    compacts by the window it assumes (1m for a model it does not know), or when the"
    say "                    upstream refuses; give the model's with --context-window N"
  fi
  say "  ANTHROPIC_BASE_URL=$BASE_URL"
  say "  Settings file:    $SETTINGS"
  say ""
  if [ "$DRY_RUN" = 0 ] && ! confirm; then
    say "Nothing was changed."
    return 1
  fi
  install_claude
  write_settings
  [ "$DRY_RUN" = 1 ] && { say "Dry run: no request sent."; return 0; }
  prove
}

main "$@"
