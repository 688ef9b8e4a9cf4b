#!/usr/bin/env bash
# The load run of issue 6: the packaged WAR on a real Tomcat, fast fake upstreams (nginx `return`),
# an nginx proxy_pass hop as the baseline, and a slow HTTP/2 fake upstream for long streams.
#
#   bench/load.sh            # latency and CPU table, 10,000 streams for 60 s, 20-minute soak
#   SOAK_MINUTES=2 STREAMS=2000 bench/load.sh     # a shorter run
#   PHASES=latency bench/load.sh                  # one phase: latency, streams or soak
#   BASELINE_WAR=old.war PHASES=latency bench/load.sh   # also an earlier WAR, on a Tomcat of its own,
#                                                       # measured cell by cell beside this one
#   PEER=none bench/load.sh                       # without claude-code-router (installed from npm)
#   GATEWAY_OPTS=... BASELINE_OPTS=...            # settings (-DNAME=value) of each Tomcat; the ledger's
#                                                 # cost, the same WAR without and with it:
#   BASELINE_WAR=target/claude-proxy.war BASELINE_OPTS=-DLEDGER=off \
#     GATEWAY_OPTS=-DPOLICY_FILE=$PWD/bench/policy.conf PEER=none PHASES=latency bench/load.sh
#
# The latency phase measures, interleaved: the fake upstream directly, an nginx proxy_pass hop,
# the pass-through anchor (the bench's PassThroughServlet in the gateway's own Tomcat, copying bytes
# through the same HTTP client), the gateway, and claude-code-router as the peer; then it writes
# issue 14's targets with what was measured.
#
# Each latency cell runs every target ROUNDS times (3), interleaved, LOAD_SECONDS (5) each, and
# reports the medians: the machines are shared, and one run of one target says little.
#
# Results: the table on stdout and in target/bench/results.md. Needs root (or sudo) once to
# install nginx, wrk and iproute2 from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
W="$PWD/target/bench"
mkdir -p "$W"
PHASES="${PHASES:-latency streams soak}"
LOAD_SECONDS="${LOAD_SECONDS:-5}"
ROUNDS="${ROUNDS:-3}"
CONCURRENCY="${CONCURRENCY:-1 16}"
# The requests of the latency phase: json (a 2-line answer), sse (a 50-chunk stream, sent at once),
# big (Claude Code's 100 KB request of 30 messages and 13 tools, answered by that stream) and paced
# (that stream as a model sends it: nginx's limit_rate writes 128 bytes, about one event, every 4 ms
# or so, so each piece is a read of its own).
KINDS="${KINDS:-json sse big paced}"
C1=${CONCURRENCY%% *} CN=${CONCURRENCY##* } # the lowest and the highest, which the targets name
# The peer a user would otherwise pick, from the npm registry; PEER=none leaves it out.
CCR_VERSION="${CCR_VERSION:-1.0.73}"
PEER="${PEER:-ccr}"
STREAMS="${STREAMS:-10000}"
STREAM_SECONDS="${STREAM_SECONDS:-60}"
STREAM_RAMP_SECONDS="${STREAM_RAMP_SECONDS:-30}"
SOAK_MINUTES="${SOAK_MINUTES:-20}"
# The servers of the many-streams phase: Tomcat (the gateway's, with TOMCAT_TUNING) and Jetty 12.
STREAM_SERVERS="${STREAM_SERVERS:-tomcat jetty}"
# Every stream of the run at once (the gateway's default admits 512 exchanges).
EXCHANGES=$((STREAMS + 1000))
# The connector settings tomcat/README.md gives for many open streams ("" for Tomcat's defaults).
TOMCAT_TUNING="${TOMCAT_TUNING-socket.appReadBufSize=\"2048\" socket.appWriteBufSize=\"2048\"}"
GATEWAY_HEAP="${GATEWAY_HEAP:--Xms256m -Xmx2g}"
UPSTREAM=18081 HOP=18082 GATEWAY=18080 SLOW=18443 BASELINE=18090 CCR=18093 JETTY=18094
BASELINE_WAR="${BASELINE_WAR:-}"
if [ -n "$BASELINE_WAR" ]; then BASELINE_WAR=$(readlink -f "$BASELINE_WAR"); fi

log() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v ss >/dev/null || missing+=(iproute2)
command -v unzip >/dev/null || missing+=(unzip)
if [ "$PEER" = ccr ]; then command -v npm >/dev/null || missing+=(nodejs npm); fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
fi
# Virtual threads (Java 21+) carry one exchange per open stream; Java 17 caps the gateway at 512.
SERVER_JAVA_HOME="${SERVER_JAVA_HOME:-}"
if [ -z "$SERVER_JAVA_HOME" ]; then
  for jdk in /usr/lib/jvm/*; do
    [ -x "$jdk/bin/java" ] || continue
    v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p' || true)
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then SERVER_JAVA_HOME="$jdk"; fi
  done
fi
SERVER_JAVA_HOME="${SERVER_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
JAVA="$SERVER_JAVA_HOME/bin/java"

# A previous run stopped half-way may still hold the ports.
for port in $UPSTREAM $HOP $GATEWAY $SLOW $BASELINE $CCR $JETTY; do
  for pid in $(ss -Htlnp "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    log "stopping process $pid, which holds port $port"
    kill "$pid" 2>/dev/null || true
    sleep 2
  done
done

# ---------------------------------------------------------------- build
log "building the WAR, the bench classes and the Tomcat distribution"
# -DskipITs too: since Failsafe 3.6, -DskipTests no longer skips the server matrix.
./mvnw -q -B -Pbench -DskipTests -DskipITs verify
./mvnw -q -B -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt"
CP="$PWD/target/test-classes:$PWD/target/classes:$(cat "$W/cp.txt")"
TOMCAT_HOME=$(find "$PWD/target/servers" -maxdepth 1 -name 'apache-tomcat-10.1.*' | head -1)

PIDS=()
BASES=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for pidfile in "$W/nginx-upstream/nginx.pid" "$W/nginx-hop/nginx.pid"; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  for base in "${BASES[@]}"; do
    CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$base" JAVA_HOME="$SERVER_JAVA_HOME" \
      "$TOMCAT_HOME/bin/catalina.sh" stop 10 -force >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

# ---------------------------------------------------------------- fake upstreams and the nginx hop
# shellcheck source=bench/fake-answers.sh
. bench/fake-answers.sh
nginx_conf() { # dir, server block
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 19000;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 18000; }
http {
  access_log off;
  client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1; uwsgi_temp_path $1; scgi_temp_path $1;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  $2
}
CONF
  nginx -c "$1/nginx.conf" -p "$1"
}
log "starting nginx: fake upstream on :$UPSTREAM, proxy_pass hop on :$HOP"
# Static answers; a POST to a static file is a 405 that error_page turns into the file itself.
mkdir -p "$W/nginx-upstream/www/sse50/v1/chat" "$W/nginx-upstream/www/json/v1/chat" "$W/nginx-upstream/www/paced/v1/chat"
sse_body >"$W/nginx-upstream/www/sse50/v1/chat/completions"
cp "$W/nginx-upstream/www/sse50/v1/chat/completions" "$W/nginx-upstream/www/paced/v1/chat/completions"
printf '%s' "$JSON_BODY" >"$W/nginx-upstream/www/json/v1/chat/completions"
nginx_conf "$W/nginx-upstream" "server {
    listen 127.0.0.1:$UPSTREAM;
    root $W/nginx-upstream/www;
    error_page 405 =200 \$uri;
    location /sse50/ { default_type text/event-stream; }
    location /json/ { default_type application/json; }
    location /paced/ { default_type text/event-stream; limit_rate 32k; sendfile off; output_buffers 1 128; }
  }"
nginx_conf "$W/nginx-hop" "upstream fake { server 127.0.0.1:$UPSTREAM; keepalive 256; }
  server {
    listen 127.0.0.1:$HOP;
    location / {
      proxy_pass http://fake; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_buffering off; proxy_request_buffering off;
    }
  }"

log "starting the slow HTTP/2 fake upstream on :$SLOW"
rm -f "$W/upstream.p12" "$W/upstream.cer" "$W/trust.p12"
keytool -genkeypair -alias upstream -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 -ext SAN=ip:127.0.0.1 \
  -validity 30 -storetype PKCS12 -keystore "$W/upstream.p12" -storepass changeit -keypass changeit 2>/dev/null
keytool -exportcert -alias upstream -keystore "$W/upstream.p12" -storepass changeit -file "$W/upstream.cer" 2>/dev/null
keytool -importcert -noprompt -alias upstream -file "$W/upstream.cer" -storetype PKCS12 -keystore "$W/trust.p12" \
  -storepass changeit >/dev/null 2>&1
TRUST=(-Djavax.net.ssl.trustStore="$W/trust.p12" -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12)
"$JAVA" -Xmx3g -cp "$CP" dev.claudeproxy.bench.FakeUpstream $SLOW "$W/upstream.p12" changeit >"$W/fake-upstream.log" 2>&1 &
PIDS+=($!)

# await_ready <port> <server log>: waits up to a minute for the gateway on the port, or shows the log and fails
await_ready() {
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$1/_proxy/ready" >/dev/null 2>&1 && return
    sleep 0.5
  done
  tail -50 "$2" >&2
  exit 1
}
# start_tomcat <base dir> <port> <war> [settings]: prints the Tomcat's pid once it is ready
start_tomcat() {
  local base=$1 port=$2 war=$3 opts=${4:-}
  rm -rf "$base" && mkdir -p "$base"/{conf,webapps,logs,temp,work,bin}
  cp "$TOMCAT_HOME"/conf/* "$base/conf/"
  # A gateway for thousands of long streams: Tomcat's NIO connector defaults to 8,192 connections.
  sed -i -e 's/port="8005"/port="-1"/' \
    -e "s/<Connector port=\"8080\"/<Connector port=\"$port\" address=\"127.0.0.1\" maxConnections=\"19000\" acceptCount=\"4096\" maxKeepAliveRequests=\"-1\" $TOMCAT_TUNING/" \
    "$base/conf/server.xml"
  cp "$war" "$base/webapps/ROOT.war"
  # The pass-through anchor beside it, at /anchor: the bench's servlet and the WAR's HTTP client jars.
  mkdir -p "$base/webapps/anchor/WEB-INF/classes/dev/claudeproxy/bench"
  cp target/test-classes/dev/claudeproxy/bench/PassThroughServlet*.class "$base/webapps/anchor/WEB-INF/classes/dev/claudeproxy/bench/"
  unzip -q -j "$war" 'WEB-INF/lib/http*.jar' 'WEB-INF/lib/slf4j-*.jar' -d "$base/webapps/anchor/WEB-INF/lib" 2>/dev/null || true
  # GATEWAY_DEBUG=1: the gateway's FINE log (why each exchange ended) in logs/catalina.out.
  if [ -n "${GATEWAY_DEBUG:-}" ]; then echo "dev.claudeproxy.level = FINE" >>"$base/conf/logging.properties"; fi
  # The fake upstreams listen on loopback, which the gateway refuses unless allowed.
  cat >"$base/bin/setenv.sh" <<ENV
CATALINA_OPTS="$GATEWAY_HEAP ${TRUST[*]} -DUPSTREAM_ALLOWLIST=127.0.0.1 -DMAX_CONCURRENT_EXCHANGES=$EXCHANGES $opts"
CATALINA_PID="$base/tomcat.pid"
ENV
  CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$base" JAVA_HOME="$SERVER_JAVA_HOME" "$TOMCAT_HOME/bin/catalina.sh" start >/dev/null
  await_ready "$port" "$base/logs/catalina.out"
  cat "$base/tomcat.pid"
}
log "starting the WAR on Tomcat ($(basename "$TOMCAT_HOME"), $("$JAVA" -version 2>&1 | head -1)) on :$GATEWAY"
CATALINA_BASE="$W/tomcat-base"
GATEWAY_PID=$(start_tomcat "$CATALINA_BASE" $GATEWAY target/claude-proxy.war "${GATEWAY_OPTS:-}")
BASES+=("$CATALINA_BASE")
if [ -n "$BASELINE_WAR" ]; then
  log "starting the baseline WAR $BASELINE_WAR on a Tomcat of its own on :$BASELINE"
  BASELINE_PID=$(start_tomcat "$W/tomcat-baseline" $BASELINE "$BASELINE_WAR" "${BASELINE_OPTS:-}")
  BASES+=("$W/tomcat-baseline")
fi
HOP_PID=$(pgrep -P "$(cat "$W/nginx-hop/nginx.pid")" | head -1)
curl -fs -o /dev/null -X POST --data-binary '{}' "http://127.0.0.1:$GATEWAY/anchor/http/127.0.0.1:$UPSTREAM/json/v1/chat/completions" \
  || { echo "the pass-through anchor did not answer" >&2; tail -30 "$CATALINA_BASE/logs/catalina.out" >&2; exit 1; }

# ---------------------------------------------------------------- the peer: claude-code-router
CCR_PID=""
if [ "$PEER" = ccr ]; then
  log "starting claude-code-router $CCR_VERSION on :$CCR (npm), its providers on the same fake upstream"
  C="$W/ccr"
  if [ ! -x "$C/node_modules/.bin/ccr" ] || ! grep -q "\"version\": \"$CCR_VERSION\"" "$C/node_modules/@musistudio/claude-code-router/package.json"; then
    npm install --prefix "$C" --no-audit --no-fund --loglevel=error "@musistudio/claude-code-router@$CCR_VERSION" >/dev/null
  fi
  mkdir -p "$C/home/.claude-code-router"
  cat >"$C/home/.claude-code-router/config.json" <<JSON
{
  "LOG": false, "HOST": "127.0.0.1", "PORT": $CCR, "APIKEY": "", "API_TIMEOUT_MS": 600000,
  "Providers": [
    {"name": "json", "api_base_url": "http://127.0.0.1:$UPSTREAM/json/v1/chat/completions", "api_key": "sk-bench", "models": ["fake"]},
    {"name": "sse", "api_base_url": "http://127.0.0.1:$UPSTREAM/sse50/v1/chat/completions", "api_key": "sk-bench", "models": ["fake"]}
  ],
  "Router": {"default": "sse,fake"}
}
JSON
  printf '{"model":"json,fake","max_tokens":100,"stream":false,"messages":[{"role":"user","content":"Say hello."}]}' >"$W/ccr-json.json"
  printf '{"model":"sse,fake","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Say hello."}]}' >"$W/ccr-sse.json"
  (cd "$C/home" && HOME="$C/home" exec "$C/node_modules/.bin/ccr" start >"$C/ccr.log" 2>&1) &
  PIDS+=($!)
  for _ in $(seq 1 60); do
    CCR_PID=$(ss -Htlnp "sport = :$CCR" | grep -o "pid=[0-9]*" | cut -d= -f2 | head -1 || true)
    [ -n "$CCR_PID" ] && break
    sleep 0.5
  done
  [ -n "$CCR_PID" ] || { echo "claude-code-router did not start" >&2; tail -30 "$C/ccr.log" >&2; exit 1; }
  PIDS+=("$CCR_PID")
  curl -fs -o /dev/null -H 'content-type: application/json' --data-binary @"$W/ccr-sse.json" "http://127.0.0.1:$CCR/v1/messages" \
    || { echo "claude-code-router did not answer a stream" >&2; tail -30 "$C/ccr.log" >&2; exit 1; }
fi

RESULTS="$W/results.md"
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "gateway: $(basename "$TOMCAT_HOME") on $("$JAVA" -version 2>&1 | head -1), $GATEWAY_HEAP; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)$([ -n "$CCR_PID" ] && echo "; claude-code-router $CCR_VERSION on Node $(node -v)")."
  echo
} >"$RESULTS"

# ---------------------------------------------------------------- phase: latency and CPU
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
to_ms() { # wrk's "123.45us" / "1.23ms" / "1.00s" -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["x-api-key"] = "sk-bench"\nlocal f = io.open(os.getenv("BODY_FILE")); wrk.body = f:read("*a"); f:close()\n' >"$W/post.lua"
printf '{"model":"fake","max_tokens":100,"stream":false,"messages":[{"role":"user","content":"Say hello."}]}' >"$W/openai-json.json"
printf '{"model":"fake","max_tokens":100,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello."}]}' >"$W/openai-sse.json"
printf '{"model":"claude-sonnet-4-5","max_tokens":100,"stream":false,"messages":[{"role":"user","content":"Say hello."}]}' >"$W/anthropic-json.json"
printf '{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Say hello."}]}' >"$W/anthropic-sse.json"
cp "$W/openai-sse.json" "$W/openai-paced.json"; cp "$W/anthropic-sse.json" "$W/anthropic-paced.json"
# The 100 KB request goes as it is to the byte-copying targets too: they copy its bytes, whatever they say.
"$JAVA" -cp "$CP" dev.claudeproxy.bench.ClaudeCodeRequest "$W/anthropic-big.json" 100 30
cp "$W/anthropic-big.json" "$W/openai-big.json"
# run_wrk <label> <url> <body> <connections> <pid or -> : prints "p50 p99 requests_per_second cpu_us_per_request"
run_wrk() {
  local url=$2 body=$3 c=$4 pid=$5 threads=1 before after out
  [ "$c" -gt 1 ] && threads=2
  before=0 after=0
  if [ "$pid" != - ]; then before=$(cpu_ticks "$pid"); fi
  out=$(BODY_FILE="$body" wrk -t"$threads" -c"$c" -d"${LOAD_SECONDS}s" --latency -s "$W/post.lua" "$url")
  if [ "$pid" != - ]; then after=$(cpu_ticks "$pid"); fi
  echo "$out" >"$W/wrk-$1.txt"
  local p50 p99 n
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk $1: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  local cpu="-"
  [ "$pid" != - ] && cpu=$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  echo "$(to_ms "$p50") $(to_ms "$p99") $rps $cpu"
}
# medians <file of run_wrk lines>: the median of each column
medians() {
  for col in 1 2 3 4; do
    cut -d' ' -f"$col" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  done | paste -sd' '
}
# url_of <target> <kind>: where each target takes a request of that kind (json or sse)
url_of() {
  local path
  case $2 in
    json | paced) path=$2 ;;
    sse | big) path=sse50 ;;
  esac
  case $1 in
    direct) echo "http://127.0.0.1:$UPSTREAM/$path/v1/chat/completions" ;;
    hop) echo "http://127.0.0.1:$HOP/$path/v1/chat/completions" ;;
    anchor) echo "http://127.0.0.1:$GATEWAY/anchor/http/127.0.0.1:$UPSTREAM/$path/v1/chat/completions" ;;
    gateway) echo "http://127.0.0.1:$GATEWAY/http/127.0.0.1:$UPSTREAM/$path/v1/fake/v1/messages" ;;
    baseline) echo "http://127.0.0.1:$BASELINE/http/127.0.0.1:$UPSTREAM/$path/v1/fake/v1/messages" ;;
    ccr) echo "http://127.0.0.1:$CCR/v1/messages" ;;
  esac
}
kind_label() {
  case $1 in
    json) echo JSON ;;
    sse) echo "stream, 50 chunks" ;;
    big) echo "100 KB Claude Code request, streamed" ;;
    paced) echo "stream, 50 chunks paced over 0.2 s" ;;
  esac
}
body_of() { # <target> <kind>: the body it takes
  case $1 in
    direct | hop | anchor) echo "$W/openai-$2.json" ;;
    ccr) echo "$W/ccr-$2.json" ;;
    *) echo "$W/anthropic-$2.json" ;;
  esac
}
pid_of() { # <target>: the process whose CPU it spends
  case $1 in
    direct) echo - ;;
    hop) echo "$HOP_PID" ;;
    anchor | gateway) echo "$GATEWAY_PID" ;;
    baseline) echo "$BASELINE_PID" ;;
    ccr) echo "$CCR_PID" ;;
  esac
}
label_of() {
  case $1 in
    direct) echo "direct to the fake upstream" ;;
    hop) echo "nginx hop (proxy_pass, copies bytes)" ;;
    anchor) echo "pass-through anchor (same Tomcat and HTTP client, no conversion)" ;;
    gateway) echo "**this gateway**" ;;
    baseline) echo "baseline WAR ($(basename "$BASELINE_WAR"))" ;;
    ccr) echo "claude-code-router $CCR_VERSION" ;;
  esac
}
# m <kind> <c> <target> <field: p50 p99 rps cpu>: a cell's median
m() {
  local col
  case $4 in p50) col=1 ;; p99) col=2 ;; rps) col=3 ;; cpu) col=4 ;; esac
  cut -d' ' -f"$col" "$W/median-$1-$2-$3.txt"
}
if [[ " $PHASES " == *" latency "* ]]; then
  TARGETS="direct hop anchor gateway"
  if [ -n "$BASELINE_WAR" ]; then TARGETS="$TARGETS baseline"; fi
  if [ -n "$CCR_PID" ]; then TARGETS="$TARGETS ccr"; fi
  log "warming up every target (3 x ${LOAD_SECONDS} s each at concurrency 64)"
  for warm in 1 2 3; do
    for t in $TARGETS; do
      for kind in $KINDS; do
        run_wrk "warm-$t-$kind-$warm" "$(url_of "$t" "$kind")" "$(body_of "$t" "$kind")" 64 - >/dev/null
      done
    done
  done
  for kind in $KINDS; do
    for c in $CONCURRENCY; do
      log "$kind at concurrency $c: $TARGETS ($ROUNDS interleaved rounds of ${LOAD_SECONDS} s, medians)"
      rm -f "$W"/cell-*.txt
      for round in $(seq 1 "$ROUNDS"); do
        for t in $TARGETS; do
          run_wrk "$kind-$c-$t-$round" "$(url_of "$t" "$kind")" "$(body_of "$t" "$kind")" "$c" "$(pid_of "$t")" >>"$W/cell-$t.txt"
        done
      done
      for t in $TARGETS; do medians "$W/cell-$t.txt" >"$W/median-$kind-$c-$t.txt"; done
    done
  done
  {
    echo "Each cell: the median of $ROUNDS interleaved rounds of ${LOAD_SECONDS} s (wrk). Latency to the answer's last byte, ms;"
    echo "\"added\" is over calling the fake upstream directly in the same rounds. CPU is the serving process's user+system time per request"
    echo "(the gateway and the anchor share one Tomcat, measured in turn). Requests: $KINDS (see KINDS in bench/load.sh)."
    echo
    echo "| request | conc. | path | p50 / p99 ms | added p50 / p99 ms | req/s | CPU µs/req | CPU ÷ nginx hop | CPU ÷ anchor |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for kind in $KINDS; do
      for c in $CONCURRENCY; do
        for t in $TARGETS; do
          awk -v l="$(kind_label "$kind")" -v c="$c" -v t="$(label_of "$t")" -v acpu="$(m "$kind" "$c" anchor cpu)" \
            -v p50="$(m "$kind" "$c" "$t" p50)" -v p99="$(m "$kind" "$c" "$t" p99)" -v rps="$(m "$kind" "$c" "$t" rps)" \
            -v cpu="$(m "$kind" "$c" "$t" cpu)" -v d50="$(m "$kind" "$c" direct p50)" -v d99="$(m "$kind" "$c" direct p99)" \
            -v hcpu="$(m "$kind" "$c" hop cpu)" -v direct="$([ "$t" = direct ] && echo 1)" 'BEGIN {
              printf "| %s | %s | %s | %.3f / %.3f | %s | %s | %s | %s | %s |\n", l, c, t, p50, p99,
                (direct ? "" : sprintf("%+.3f / %+.3f", p50 - d50, p99 - d99)), rps, cpu,
                (cpu == "-" ? "" : sprintf("%.2f×", cpu / hcpu)), (cpu == "-" ? "" : sprintf("%.2f×", cpu / acpu)) }'
        done
      done
    done
    echo
  } >>"$RESULTS"
  # Issue 28's measure: the gateway's CPU per request against the lean pass-through's, each kind and concurrency.
  {
    echo "| CPU per request (µs) | $(for c in $CONCURRENCY; do printf 'c=%s: anchor / gateway%s / gateway ÷ anchor%s | ' "$c" \
      "$([ -n "$BASELINE_WAR" ] && echo " / baseline")" "$([ -n "$BASELINE_WAR" ] && echo " / baseline ÷ anchor")"; done)"
    echo "|---|$(for c in $CONCURRENCY; do printf -- '---|'; done)"
    for kind in $KINDS; do
      printf '| %s |' "$(kind_label "$kind")"
      for c in $CONCURRENCY; do
        a=$(m "$kind" "$c" anchor cpu) g=$(m "$kind" "$c" gateway cpu)
        if [ -n "$BASELINE_WAR" ]; then
          b=$(m "$kind" "$c" baseline cpu)
          awk -v a="$a" -v g="$g" -v b="$b" 'BEGIN { printf " %s / %s / %s / %.1f× / %.1f× |", a, g, b, g / a, b / a }'
        else
          awk -v a="$a" -v g="$g" 'BEGIN { printf " %s / %s / %.1f× |", a, g, g / a }'
        fi
      done
      echo
    done
    echo
  } | tee -a "$RESULTS"
  if [[ " $KINDS " != *" json "* || " $KINDS " != *" sse "* ]]; then KINDS_OF_14=no; fi
  if [ "${KINDS_OF_14:-yes}" = yes ]; then
  {
    echo "| path | JSON c=$C1 p50 ms | JSON CPU µs/req | stream c=$C1 p50 ms | stream CPU µs/req | stream c=$CN req/s |"
    echo "|---|---|---|---|---|---|"
    for t in $TARGETS; do
      echo "| $(label_of "$t") | $(m json "$C1" "$t" p50) | $(m json "$C1" "$t" cpu) | $(m sse "$C1" "$t" p50) | $(m sse "$C1" "$t" cpu) | $(m sse "$CN" "$t" rps) |"
    done
    echo
  } | tee -a "$RESULTS"
  # The issue's targets, each with what this run measured.
  verdict() { awk -v v="$1" -v limit="$2" -v op="$3" 'BEGIN { ok = (op == "le" ? v <= limit : v >= limit); print (ok ? "yes" : "no") }'; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  {
    echo "| target (issue 14) | measured | met? |"
    echo "|---|---|---|"
    for kind in sse json; do
      for c in $C1 $CN; do
        r=$(ratio "$(m "$kind" "$c" gateway cpu)" "$(m "$kind" "$c" hop cpu)")
        echo "| CPU per $([ "$kind" = json ] && echo "JSON request" || echo "50-chunk stream") at c=$c ≤ 3× the nginx hop's | $(m "$kind" "$c" gateway cpu) / $(m "$kind" "$c" hop cpu) µs = ${r}× (anchor: $(ratio "$(m "$kind" "$c" anchor cpu)" "$(m "$kind" "$c" hop cpu)")×) | $(verdict "$r" 3 le) |"
      done
    done
    r=$(ratio "$(m sse "$CN" gateway rps)" "$(m sse "$CN" hop rps)")
    echo "| stream throughput at c=$CN ≥ 60 % of the nginx hop's | $(m sse "$CN" gateway rps) / $(m sse "$CN" hop rps) req/s = $(awk -v r="$r" 'BEGIN { printf "%.0f", r * 100 }') % (anchor: $(awk -v a="$(m sse "$CN" anchor rps)" -v b="$(m sse "$CN" hop rps)" 'BEGIN { printf "%.0f", a / b * 100 }') %) | $(verdict "$r" 0.6 ge) |"
    a50=$(awk -v a="$(m sse "$C1" gateway p50)" -v d="$(m sse "$C1" direct p50)" 'BEGIN { printf "%.3f", a - d }')
    a99=$(awk -v a="$(m sse "$C1" gateway p99)" -v d="$(m sse "$C1" direct p99)" 'BEGIN { printf "%.3f", a - d }')
    echo "| stream at c=$C1, added over direct: p50 ≤ 0.3 ms | +$a50 ms | $(verdict "$a50" 0.3 le) |"
    echo "| stream at c=$C1, added over direct: p99 ≤ 1 ms | +$a99 ms | $(verdict "$a99" 1 le) |"
    if [ -n "$CCR_PID" ]; then
      behind=""
      for kind in json sse; do
        for c in $CONCURRENCY; do
          for f in p50 p99 cpu; do
            [ "$(verdict "$(m "$kind" "$c" gateway $f)" "$(m "$kind" "$c" ccr $f)" le)" = yes ] || behind="$behind $kind/c=$c/$f"
          done
          [ "$(verdict "$(m "$kind" "$c" gateway rps)" "$(m "$kind" "$c" ccr rps)" ge)" = yes ] || behind="$behind $kind/c=$c/req/s"
        done
      done
      echo "| never behind claude-code-router $CCR_VERSION (p50, p99, req/s, CPU; every cell) | behind on: ${behind:-none} | $([ -z "$behind" ] && echo yes || echo no) |"
    fi
    echo
  } | tee -a "$RESULTS"
  fi
fi

# ---------------------------------------------------------------- phase: many long streams
# start_jetty <base dir> <port> <war>: Jetty 12 (ee10) from the server matrix's distribution; prints its pid once ready
start_jetty() {
  local base=$1 port=$2 war=$3 home pid
  home=$(find "$PWD/target/servers" -maxdepth 1 -name 'jetty-home-12.*' | head -1)
  rm -rf "$base" && mkdir -p "$base"
  (cd "$base" && "$JAVA" -jar "$home/start.jar" --add-modules=ee10-deploy,http >"$base/setup.log" 2>&1)
  cp "$war" "$base/webapps/ROOT.war"
  (cd "$base" && exec "$JAVA" $GATEWAY_HEAP "${TRUST[@]}" -DUPSTREAM_ALLOWLIST=127.0.0.1 -DMAX_CONCURRENT_EXCHANGES=$EXCHANGES -jar "$home/start.jar" \
    jetty.http.host=127.0.0.1 "jetty.http.port=$port" jetty.http.acceptQueueSize=4096 >"$base/server.log" 2>&1) &
  pid=$!
  await_ready "$port" "$base/server.log"
  echo "$pid"
}
if [[ " $PHASES " == *" streams "* ]]; then
  {
    echo "$STREAMS concurrent streams, started over $STREAM_RAMP_SECONDS s, each one chunk a second for $STREAM_SECONDS s from a fake upstream over TLS; heap $GATEWAY_HEAP."
    echo
    echo "| server | complete and correct | failed / wrong | duration p50 / max s | resident memory peak | live heap with all open (streams open then) | threads peak | open files peak |"
    echo "|---|---|---|---|---|---|---|---|"
  } >>"$RESULTS"
  for server in $STREAM_SERVERS; do
    if [ "$server" = tomcat ]; then
      pid=$GATEWAY_PID port=$GATEWAY label="$(basename "$TOMCAT_HOME")${TOMCAT_TUNING:+, connector: $TOMCAT_TUNING}"
    else
      log "starting the WAR on Jetty 12 on :$JETTY"
      pid=$(start_jetty "$W/jetty-base" "$JETTY" target/claude-proxy.war)
      PIDS+=("$pid")
      port=$JETTY label="Jetty $(find "$PWD/target/servers" -maxdepth 1 -name 'jetty-home-12.*' | head -1 | sed 's/.*jetty-home-//') (defaults)"
    fi
    log "$server: $STREAMS concurrent streams (started over $STREAM_RAMP_SECONDS s), one chunk a second for $STREAM_SECONDS s"
    "$JAVA" -Xmx2g "${TRUST[@]}" -cp "$CP" dev.claudeproxy.bench.StreamLoad streams \
      "http://127.0.0.1:$port/https/127.0.0.1:$SLOW/slow/$STREAM_SECONDS/1000/v1/fake" "$STREAMS" "$STREAM_RAMP_SECONDS" "$pid" "$STREAM_SECONDS" \
      >"$W/streams-$server.txt" 2> >(tee "$W/streams-$server.progress" >&2) &
    load=$!
    # Once every stream is open: the live heap (a full collection, then a class histogram), and what holds it.
    sleep $((STREAM_RAMP_SECONDS + 20))
    "$SERVER_JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram >"$W/histogram-$server.txt" 2>&1 || true
    open=$(tail -1 "$W/streams-$server.progress" | awk '{print $3}')
    live=$(awk '$1 == "Total" {printf "%.0f", $3 / 1048576}' "$W/histogram-$server.txt")
    wait "$load"
    cat "$W/streams-$server.txt"
    s() { sed -n "s/^$1=//p" "$W/streams-$server.txt"; }
    echo "| $label | $(s streams.complete) of $(s streams.requested) | $(s streams.failed) / $(s streams.wrong) | $(s streams.duration.p50.s) / $(s streams.duration.max.s) | $(s gateway.rss.peak.mib) MiB | $live MiB ($open) | $(s gateway.threads.peak) | $(s gateway.fds.peak) |" | tee -a "$RESULTS"
    if [ "$server" != tomcat ]; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  echo >>"$RESULTS"
fi

# ---------------------------------------------------------------- phase: soak
if [[ " $PHASES " == *" soak "* ]]; then
  log "soak: $SOAK_MINUTES minutes of mixed requests at concurrency 16, a quarter of them left mid-stream"
  "$JAVA" "${TRUST[@]}" -cp "$CP" dev.claudeproxy.bench.StreamLoad soak \
    "http://127.0.0.1:$GATEWAY/http/127.0.0.1:$UPSTREAM" "http://127.0.0.1:$GATEWAY/https/127.0.0.1:$SLOW/slow" \
    "$SOAK_MINUTES" 16 "$GATEWAY_PID" "https://127.0.0.1:$SLOW" | tee "$W/soak.txt"
  k() { sed -n "s/^$1=//p" "$W/soak.txt"; }
  {
    echo "Soak, $(k soak.minutes) min: $(k soak.requests) requests, $(k soak.errors) errors, $(k soak.client_left_mid_stream) clients left mid-stream."
    echo "From warm-up to end: resident memory $(k soak.rss.warm.mib) → $(k soak.rss.end.mib) MiB (max $(k soak.rss.max.mib)),"
    echo "threads $(k soak.threads.warm) → $(k soak.threads.end), open files $(k soak.fds.warm) → $(k soak.fds.end),"
    echo "upstream connections $(k soak.upstream_conns.warm) → $(k soak.upstream_conns.end), upstream streams still open at the end: $(k soak.upstream_open_streams.end)."
    echo "Client gone → upstream stream reset seen by the upstream: p50 $(k disconnect.to_upstream_reset.p50.ms) ms, p99 $(k disconnect.to_upstream_reset.p99.ms) ms, max $(k disconnect.to_upstream_reset.max.ms) ms ($(k disconnect.upstream_reset_seen) of $(k disconnect.streams_left) streams)."
  } | tee -a "$RESULTS"
fi
log "results in $RESULTS"
cat "$RESULTS"
if [ -n "${HOLD:-}" ]; then log "holding the servers up for inspection; stop with Ctrl-C"; sleep infinity; fi
