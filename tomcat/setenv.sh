#!/bin/sh
# Tomcat reads $CATALINA_BASE/bin/setenv.sh at start: copy this file there and adjust it.
# Settings can be given here as environment variables or as -D system properties; JNDI entries in
# conf/Catalina/localhost/<context>.xml and context parameters win over both (docs/configuration.md).

# Heap: the gateway keeps no conversation state; an open stream takes about 125 KiB of live heap
# (1,216 MiB at 10,000 open streams, docs/performance.md), so 512 MiB holds the default
# MAX_CONCURRENT_EXCHANGES (512) with room to spare. Raise both together (tomcat/README.md,
# "Many open streams").
CATALINA_OPTS="${CATALINA_OPTS:-} -Xms256m -Xmx512m -XX:+ExitOnOutOfMemoryError"

# Settings as system properties (visible in `ps`: never put keys here, use the context descriptor):
# CATALINA_OPTS="$CATALINA_OPTS -DUPSTREAM_ALLOWLIST=api.groq.com,*.openai.azure.com -DCLIENT_AUTH=header"

# Settings as environment variables (keys are better held in the context descriptor, mode 600):
# export THINKING_SIGNATURE_SECRET=change-me-to-a-long-random-string
# export UPSTREAM_READ_TIMEOUT_SECONDS=900

export CATALINA_OPTS
