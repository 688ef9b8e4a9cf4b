#!/usr/bin/env bash
# The attacks of issue 11, part A, against the packaged WAR on the real Tomcat 10.1 distribution,
# deployed with the tomcat/ kit as shipped (its JVM options: -Xmx512m -XX:+ExitOnOutOfMemoryError)
# and default settings, but for an allowlist entry that lets paths reach the fake upstream on this
# machine. Prints, for each attack, what the client got, how long it took, whether the gateway
# still answers, and how much it grew.
#
#   bench/hostile.sh          # about 3 minutes; results in target/bench/hostile.md
set -euo pipefail
cd "$(dirname "$0")/.."
W="$PWD/target/bench"
mkdir -p "$W"
GATEWAY=18280 UPSTREAM=18281

# -DskipITs too: since Failsafe 3.6, -DskipTests no longer skips the server matrix.
./mvnw -q -B -Pbench -DskipTests -DskipITs verify
./mvnw -q -B -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/hostile-cp.txt"
CP="$PWD/target/test-classes:$PWD/target/classes:$(cat "$W/hostile-cp.txt")"
TOMCAT_HOME=$(find "$PWD/target/servers" -maxdepth 1 -name 'apache-tomcat-10.1.*' | head -1)
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

CATALINA_BASE="$W/hostile-tomcat"
rm -rf "$CATALINA_BASE" && mkdir -p "$CATALINA_BASE"/{conf/Catalina/localhost,webapps,logs,temp,work,bin}
cp "$TOMCAT_HOME"/conf/* "$CATALINA_BASE/conf/"
sed -i -e 's/port="8005"/port="-1"/' -e "s/<Connector port=\"8080\"/<Connector port=\"$GATEWAY\" address=\"127.0.0.1\"/" \
  "$CATALINA_BASE/conf/server.xml"
cp tomcat/setenv.sh "$CATALINA_BASE/bin/setenv.sh"
echo "CATALINA_PID=\"$CATALINA_BASE/tomcat.pid\"" >>"$CATALINA_BASE/bin/setenv.sh"
sed "s|name=\"UPSTREAM_ALLOWLIST\" type=\"java.lang.String\" override=\"false\" value=\"\"|name=\"UPSTREAM_ALLOWLIST\" type=\"java.lang.String\" override=\"false\" value=\"*,127.0.0.1:$UPSTREAM\"|" \
  tomcat/claude-proxy.xml >"$CATALINA_BASE/conf/Catalina/localhost/ROOT.xml"
cp target/claude-proxy.war "$CATALINA_BASE/webapps/ROOT.war"
stop() {
  CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$CATALINA_BASE" JAVA_HOME="$JAVA_HOME" \
    "$TOMCAT_HOME/bin/catalina.sh" stop 10 -force >/dev/null 2>&1 || true
}
trap stop EXIT
CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$CATALINA_BASE" JAVA_HOME="$JAVA_HOME" "$TOMCAT_HOME/bin/catalina.sh" start >/dev/null
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$GATEWAY/_proxy/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
PID=$(cat "$CATALINA_BASE/tomcat.pid")
{
  echo "Tomcat $(basename "$TOMCAT_HOME") on $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), the kit's setenv.sh: $(grep -o '\-Xms[^"]*ExitOnOutOfMemoryError' tomcat/setenv.sh); $(nproc) cores."
  echo
  "$JAVA_HOME/bin/java" -cp "$CP" dev.claudeproxy.bench.HostileLoad "http://127.0.0.1:$GATEWAY" "$PID" "$UPSTREAM"
} | tee "$W/hostile.md"
if grep -q "java.lang.OutOfMemoryError" "$CATALINA_BASE/logs/catalina.out"; then echo "the gateway ran out of memory" | tee -a "$W/hostile.md"; fi
