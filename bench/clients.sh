#!/usr/bin/env bash
# Chooses the upstream HTTP client by measurement: every candidate (the JDK's, Jetty's 12, Apache
# HttpClient 5 classic and async, Jersey with its Apache 5 and Jetty connectors) against the same
# static nginx fake upstream, over HTTP/1.1 and over TLS with HTTP/2, in interleaved rounds, on
# Java 17 and on Java 21+ when one is installed (callers on virtual threads there).
#
#   bench/clients.sh                       # 5 s a cell, 3 rounds, concurrency 1 and 16
#   SECONDS_PER_CELL=2 ROUNDS=1 bench/clients.sh
#
# Results: target/bench/clients.md.
set -euo pipefail
cd "$(dirname "$0")/.."
W="$PWD/target/bench"
mkdir -p "$W"
SECONDS_PER_CELL="${SECONDS_PER_CELL:-5}"
ROUNDS="${ROUNDS:-3}"
CONCURRENCY="${CONCURRENCY:-1,16}"
PLAIN=18091 TLS=18493

command -v nginx >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo; $SUDO apt-get install -y -q nginx-light >/dev/null; }
./mvnw -q -B -Pbench test-compile
./mvnw -q -B -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/clients-cp.txt"
CP="$PWD/target/test-classes:$PWD/target/classes:$(cat "$W/clients-cp.txt")"

N="$W/nginx-clients"
rm -rf "$N" && mkdir -p "$N/www/sse50/v1/chat" "$N/www/json/v1/chat"
# shellcheck source=bench/fake-answers.sh
. bench/fake-answers.sh
sse_body >"$N/www/sse50/v1/chat/completions"
printf '%s' "$JSON_BODY" >"$N/www/json/v1/chat/completions"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$N/key.pem" -out "$N/cert.pem" 2>/dev/null
cat >"$N/nginx.conf" <<CONF
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $N; proxy_temp_path $N; fastcgi_temp_path $N; uwsgi_temp_path $N; scgi_temp_path $N;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$PLAIN;
    listen 127.0.0.1:$TLS ssl http2;
    ssl_certificate $N/cert.pem;
    ssl_certificate_key $N/key.pem;
    root $N/www;
    error_page 405 =200 \$uri;
    location /sse50/ { default_type text/event-stream; }
    location /json/ { default_type application/json; }
  }
}
CONF
nginx -c "$N/nginx.conf" -p "$N"
trap 'kill "$(cat "$N/nginx.pid")" 2>/dev/null || true' EXIT

OUT="$W/clients.md"
: >"$OUT"
for jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
  [ -x "$jdk/bin/java" ] || continue
  {
    echo
    echo "### $("$jdk/bin/java" -version 2>&1 | head -1); $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(nginx -v 2>&1)"
    echo
    "$jdk/bin/java" -Xmx1g -cp "$CP" dev.claudeproxy.bench.ClientBench "http://127.0.0.1:$PLAIN" "https://127.0.0.1:$TLS" \
      "$SECONDS_PER_CELL" "$ROUNDS" "$CONCURRENCY" 2>"$W/clients-$(basename "$jdk").log"
  } | tee -a "$OUT"
done
echo "results in $OUT"
