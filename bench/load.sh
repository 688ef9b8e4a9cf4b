#!/usr/bin/env bash
# The load run of issue 6: the packaged WAR on a real Tomcat, fast fake upstreams (nginx `return`),
# an nginx proxy_pass hop as the baseline, and a slow HTTP/2 fake upstream for long streams.
#
#   bench/load.sh            # latency and CPU table, 10,000 streams for 60 s, 20-minute soak
#   SOAK_MINUTES=2 STREAMS=2000 bench/load.sh     # a shorter run
#   PHASES=latency bench/load.sh                  # one phase: latency, streams or soak
#   BASELINE_WAR=old.war PHASES=latency bench/load.sh   # also an earlier WAR, on a Tomcat of its own,
#                                                       # measured cell by cell beside this one
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
STREAMS="${STREAMS:-10000}"
STREAM_SECONDS="${STREAM_SECONDS:-60}"
STREAM_RAMP_SECONDS="${STREAM_RAMP_SECONDS:-30}"
SOAK_MINUTES="${SOAK_MINUTES:-20}"
GATEWAY_HEAP="${GATEWAY_HEAP:--Xms256m -Xmx2g}"
UPSTREAM=18081 HOP=18082 GATEWAY=18080 SLOW=18443 BASELINE=18090
BASELINE_WAR="${BASELINE_WAR:-}"
if [ -n "$BASELINE_WAR" ]; then BASELINE_WAR=$(readlink -f "$BASELINE_WAR"); fi

log() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v ss >/dev/null || missing+=(iproute2)
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
for port in $UPSTREAM $HOP $GATEWAY $SLOW $BASELINE; do
  for pid in $(ss -Htlnp "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    log "stopping process $pid, which holds port $port"
    kill "$pid" 2>/dev/null || true
    sleep 2
  done
done

# ---------------------------------------------------------------- build
log "building the WAR, the bench classes and the Tomcat distribution"
./mvnw -q -B -Pbench -DskipTests verify
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
mkdir -p "$W/nginx-upstream/www/sse50/v1/chat" "$W/nginx-upstream/www/json/v1/chat"
sse_body >"$W/nginx-upstream/www/sse50/v1/chat/completions"
printf '%s' "$JSON_BODY" >"$W/nginx-upstream/www/json/v1/chat/completions"
nginx_conf "$W/nginx-upstream" "server {
    listen 127.0.0.1:$UPSTREAM;
    root $W/nginx-upstream/www;
    error_page 405 =200 \$uri;
    location /sse50/ { default_type text/event-stream; }
    location /json/ { default_type application/json; }
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

# start_tomcat <base dir> <port> <war>: prints the Tomcat's pid once it is ready
start_tomcat() {
  local base=$1 port=$2 war=$3
  rm -rf "$base" && mkdir -p "$base"/{conf,webapps,logs,temp,work,bin}
  cp "$TOMCAT_HOME"/conf/* "$base/conf/"
  # A gateway for thousands of long streams: Tomcat's NIO connector defaults to 8,192 connections.
  sed -i -e 's/port="8005"/port="-1"/' \
    -e "s/<Connector port=\"8080\"/<Connector port=\"$port\" address=\"127.0.0.1\" maxConnections=\"19000\" acceptCount=\"4096\" maxKeepAliveRequests=\"-1\"/" \
    "$base/conf/server.xml"
  cp "$war" "$base/webapps/ROOT.war"
  # GATEWAY_DEBUG=1: the gateway's FINE log (why each exchange ended) in logs/catalina.out.
  if [ -n "${GATEWAY_DEBUG:-}" ]; then echo "dev.claudeproxy.level = FINE" >>"$base/conf/logging.properties"; fi
  # The fake upstreams listen on loopback, which the gateway refuses unless allowed.
  cat >"$base/bin/setenv.sh" <<ENV
CATALINA_OPTS="$GATEWAY_HEAP ${TRUST[*]} -DUPSTREAM_ALLOWLIST=127.0.0.1"
CATALINA_PID="$base/tomcat.pid"
ENV
  CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$base" JAVA_HOME="$SERVER_JAVA_HOME" "$TOMCAT_HOME/bin/catalina.sh" start >/dev/null
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/_proxy/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$port/_proxy/ready" >/dev/null || { tail -50 "$base/logs/catalina.out" >&2; exit 1; }
  cat "$base/tomcat.pid"
}
log "starting the WAR on Tomcat ($(basename "$TOMCAT_HOME"), $("$JAVA" -version 2>&1 | head -1)) on :$GATEWAY"
CATALINA_BASE="$W/tomcat-base"
GATEWAY_PID=$(start_tomcat "$CATALINA_BASE" $GATEWAY target/claude-proxy.war)
BASES+=("$CATALINA_BASE")
if [ -n "$BASELINE_WAR" ]; then
  log "starting the baseline WAR $BASELINE_WAR on a Tomcat of its own on :$BASELINE"
  BASELINE_PID=$(start_tomcat "$W/tomcat-baseline" $BASELINE "$BASELINE_WAR")
  BASES+=("$W/tomcat-baseline")
fi
HOP_PID=$(pgrep -P "$(cat "$W/nginx-hop/nginx.pid")" | head -1)

RESULTS="$W/results.md"
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "gateway: $(basename "$TOMCAT_HOME") on $("$JAVA" -version 2>&1 | head -1), $GATEWAY_HEAP; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
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
# run <label> <url> <body> <connections> <pid or -> : prints "p50 p99 requests cpu_us_per_request"
run_wrk() {
  local url=$2 body=$3 c=$4 pid=$5 threads=1 before after out
  [ "$c" -gt 1 ] && threads=2
  before=0 after=0
  if [ "$pid" != - ]; then before=$(cpu_ticks "$pid"); fi
  out=$(BODY_FILE="$body" wrk -t"$threads" -c"$c" -d"${LOAD_SECONDS}s" --latency -s "$W/post.lua" "$url")
  if [ "$pid" != - ]; then after=$(cpu_ticks "$pid"); fi
  echo "$out" >"$W/wrk-$1.txt"
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk $1: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  local p50 p99 n
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  local cpu="-"
  [ "$pid" != - ] && cpu=$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  echo "$(to_ms "$p50") $(to_ms "$p99") $n $cpu"
}
# medians <file of run_wrk lines>: the median of each column
medians() {
  for col in 1 2 3 4; do
    cut -d' ' -f"$col" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  done | paste -sd' '
}
if [[ " $PHASES " == *" latency "* ]]; then
  log "warming up the gateway and nginx (3 x ${LOAD_SECONDS} s)"
  for warm in 1 2 3; do
    run_wrk "warm-json-$warm" "http://127.0.0.1:$GATEWAY/http/127.0.0.1:$UPSTREAM/json/v1/fake/v1/messages" "$W/anthropic-json.json" 64 - >/dev/null
    run_wrk "warm-sse-$warm" "http://127.0.0.1:$GATEWAY/http/127.0.0.1:$UPSTREAM/sse50/v1/fake/v1/messages" "$W/anthropic-sse.json" 64 - >/dev/null
  done
  run_wrk warm-hop "http://127.0.0.1:$HOP/sse50/v1/chat/completions" "$W/openai-sse.json" 64 - >/dev/null
  if [ -n "$BASELINE_WAR" ]; then
    run_wrk warm-baseline "http://127.0.0.1:$BASELINE/http/127.0.0.1:$UPSTREAM/sse50/v1/fake/v1/messages" "$W/anthropic-sse.json" 64 - >/dev/null
    run_wrk warm-baseline-json "http://127.0.0.1:$BASELINE/http/127.0.0.1:$UPSTREAM/json/v1/fake/v1/messages" "$W/anthropic-json.json" 64 - >/dev/null
    {
      echo "Baseline WAR: $(basename "$BASELINE_WAR"), on a Tomcat of its own, measured after the gateway in each round; every cell is the median of $ROUNDS rounds of ${LOAD_SECONDS} s."
      echo
      echo "| request | conc. | direct p50 / p99 ms | nginx hop added p50 / p99 ms | gateway added p50 / p99 ms | baseline WAR added p50 / p99 ms | CPU per request: nginx hop / gateway / baseline WAR µs | gateway ÷ nginx CPU | gateway ÷ baseline WAR CPU |"
      echo "|---|---|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
  else
    {
      echo "| request | conc. | direct p50 / p99 ms | nginx hop added p50 / p99 ms | gateway added p50 / p99 ms | CPU per request: nginx hop / gateway µs | gateway ÷ nginx CPU |"
      echo "|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
  fi
  for kind in json sse; do
    for c in 1 64; do
      log "$kind at concurrency $c: direct, nginx hop, gateway$([ -n "$BASELINE_WAR" ] && echo ", baseline WAR") ($ROUNDS rounds of ${LOAD_SECONDS} s each, medians)"
      rm -f "$W"/cell-*.txt
      for round in $(seq 1 "$ROUNDS"); do
        run_wrk "$kind-$c-direct-$round" "http://127.0.0.1:$UPSTREAM/${kind/sse/sse50}/v1/chat/completions" "$W/openai-$kind.json" "$c" - >>"$W/cell-direct.txt"
        run_wrk "$kind-$c-hop-$round" "http://127.0.0.1:$HOP/${kind/sse/sse50}/v1/chat/completions" "$W/openai-$kind.json" "$c" "$HOP_PID" >>"$W/cell-hop.txt"
        run_wrk "$kind-$c-gateway-$round" "http://127.0.0.1:$GATEWAY/http/127.0.0.1:$UPSTREAM/${kind/sse/sse50}/v1/fake/v1/messages" "$W/anthropic-$kind.json" "$c" "$GATEWAY_PID" >>"$W/cell-gateway.txt"
        if [ -n "$BASELINE_WAR" ]; then
          run_wrk "$kind-$c-baseline-$round" "http://127.0.0.1:$BASELINE/http/127.0.0.1:$UPSTREAM/${kind/sse/sse50}/v1/fake/v1/messages" "$W/anthropic-$kind.json" "$c" "$BASELINE_PID" >>"$W/cell-baseline.txt"
        fi
      done
      read -r d50 d99 _ _ < <(medians "$W/cell-direct.txt")
      read -r h50 h99 _ hcpu < <(medians "$W/cell-hop.txt")
      read -r g50 g99 _ gcpu < <(medians "$W/cell-gateway.txt")
      label=$([ "$kind" = json ] && echo "JSON" || echo "stream, 50 chunks")
      if [ -n "$BASELINE_WAR" ]; then
        read -r b50 b99 _ bcpu < <(medians "$W/cell-baseline.txt")
        awk -v l="$label" -v c="$c" -v d50="$d50" -v d99="$d99" -v h50="$h50" -v h99="$h99" -v g50="$g50" -v g99="$g99" \
          -v b50="$b50" -v b99="$b99" -v hc="$hcpu" -v gc="$gcpu" -v bc="$bcpu" 'BEGIN {
            printf "| %s | %s | %.3f / %.3f | %+.3f / %+.3f | %+.3f / %+.3f | %+.3f / %+.3f | %s / %s / %s | %.1f× | %.2f× |\n",
              l, c, d50, d99, h50 - d50, h99 - d99, g50 - d50, g99 - d99, b50 - d50, b99 - d99, hc, gc, bc,
              (hc > 0 ? gc / hc : 0), (bc > 0 ? gc / bc : 0) }' | tee -a "$RESULTS"
      else
        awk -v l="$label" -v c="$c" -v d50="$d50" -v d99="$d99" -v h50="$h50" -v h99="$h99" -v g50="$g50" -v g99="$g99" \
          -v hc="$hcpu" -v gc="$gcpu" 'BEGIN {
            printf "| %s | %s | %.3f / %.3f | %+.3f / %+.3f | %+.3f / %+.3f | %s / %s | %.1f× |\n",
              l, c, d50, d99, h50 - d50, h99 - d99, g50 - d50, g99 - d99, hc, gc, (hc > 0 ? gc / hc : 0) }' | tee -a "$RESULTS"
      fi
    done
  done
  echo >>"$RESULTS"
fi

# ---------------------------------------------------------------- phase: many long streams
if [[ " $PHASES " == *" streams "* ]]; then
  log "$STREAMS concurrent streams (started over $STREAM_RAMP_SECONDS s), one chunk a second for $STREAM_SECONDS s, through one Tomcat"
  "$JAVA" -Xmx2g "${TRUST[@]}" -cp "$CP" dev.claudeproxy.bench.StreamLoad streams \
    "http://127.0.0.1:$GATEWAY/https/127.0.0.1:$SLOW/slow/$STREAM_SECONDS/1000/v1/fake" "$STREAMS" "$STREAM_RAMP_SECONDS" "$GATEWAY_PID" "$STREAM_SECONDS" \
    | tee "$W/streams.txt"
  s() { sed -n "s/^$1=//p" "$W/streams.txt"; }
  {
    echo "Streams: $(s streams.complete) of $(s streams.requested) complete and correct ($(s streams.failed) failed, $(s streams.wrong) wrong);"
    echo "each lasted $(s streams.duration.p50.s) s at the median, $(s streams.duration.max.s) s at most."
    echo "Gateway peaks: resident memory $(s gateway.rss.peak.mib) MiB, $(s gateway.threads.peak) threads, $(s gateway.fds.peak) open files."
    echo "Upstream streams over HTTP/2: $(curl -sk "https://127.0.0.1:$SLOW/stats" | sed -n 's/^http2 //p') of $(curl -sk "https://127.0.0.1:$SLOW/stats" | sed -n 's/^started //p')."
    echo
  } | tee -a "$RESULTS"
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
