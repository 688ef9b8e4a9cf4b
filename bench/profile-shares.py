#!/usr/bin/env python3
"""Where an exchange's CPU goes, from a JFR recording of the gateway under load.

    jfr print --events jdk.ExecutionSample --stack-depth 256 gw.jfr > samples.txt
    python3 bench/profile-shares.py samples.txt

Counts the Java execution samples of the gateway (stacks through its own code, not the
pass-through anchor that shares its Tomcat) and gives each to one part: the innermost frame
of its stack that belongs to a part below. A sample in JSON-P under the request reader is the
request reader's; one in Tomcat's output buffer under the event writer is Tomcat's.
"""
import collections
import re
import sys

# (part, frame prefixes or substrings); the innermost matching frame wins.
PARTS = [
    ("Tomcat: the client's connection, request and response", ("org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.")),
    ("Apache HttpClient 5: pool, request head and body out, answer's head and bytes in", ("org.apache.hc.",)),
    ("request log and metrics (JUL, Prometheus)", ("dev.claudeproxy.servlet.Telemetry", "io.prometheus.")),
    ("policy and ledger", ("dev.claudeproxy.servlet.Accounting", "dev.claudeproxy.policy.", "dev.claudeproxy.ledger.")),
    ("request body parsed (JSON-P, a tree)", ("dev.claudeproxy.json.Json.readWhole", "dev.claudeproxy.json.Json.readValue")),
    ("request tree read into records", ("dev.claudeproxy.anthropic.MessagesRequestReader", "dev.claudeproxy.json.Json.shape")),
    ("token estimate of the request", ("dev.claudeproxy.convert.TokenCounter", "dev.claudeproxy.convert.UsageEstimate")),
    ("request conversion (records, schema cleaning)", ("dev.claudeproxy.convert.RequestConverter", "dev.claudeproxy.convert.SchemaCleaner", "dev.claudeproxy.call.CallPolicy.convert")),
    ("upstream body written (JSON-B)", ("dev.claudeproxy.json.Json.writeUtf8",)),
    ("upstream chunk read (JSON-P)", ("dev.claudeproxy.openai.ChatCompletionReader",)),
    ("SSE lines split", ("dev.claudeproxy.sse.SseParser",)),
    ("event conversion (state machine)", ("dev.claudeproxy.convert.StreamConverter", "dev.claudeproxy.convert.UpstreamChunks")),
    ("events written (JSON text, SSE frames)", ("dev.claudeproxy.anthropic.EventJson", "dev.claudeproxy.sse.SseWriter", "dev.claudeproxy.servlet.ClientStream")),
    ("answer records written by JSON-B (a JSON answer; message_start, message_delta)", ("dev.claudeproxy.convert.ResponseConverter", "dev.claudeproxy.servlet.Exchange.completedMessage", "dev.claudeproxy.json.Json.write")),
    ("route from the path", ("dev.claudeproxy.route.",)),
    ("the rest of the gateway's own code", ("dev.claudeproxy.",)),
]


def stacks(path):
    current = None
    for line in open(path, encoding="utf-8"):
        if line.startswith("jdk.ExecutionSample"):
            if current:
                yield current
            current = []
        elif current is not None:
            frame = re.match(r"\s+([\w.$<>/]+)\(", line)
            if frame:
                current.append(frame.group(1))
    if current:
        yield current


def belongs(frame, mark):
    """A package (ending in '.') holds its frames; a class its methods and nested classes; a method itself."""
    if mark.endswith("."):
        return frame.startswith(mark)
    return frame == mark or frame.startswith(mark + ".") or frame.startswith(mark + "$")


def part(stack):
    for frame in stack:  # innermost first
        for name, marks in PARTS:
            if any(belongs(frame, mark) for mark in marks):
                return name
    return "JDK only"


def main(path):
    counts = collections.Counter()
    for stack in stacks(path):
        if any(f.startswith("dev.claudeproxy.") for f in stack) and not any("PassThrough" in f for f in stack):
            counts[part(stack)] += 1
    total = sum(counts.values())
    print(f"| part of the exchange | samples | share |\n|---|---|---|")
    for name, count in counts.most_common():
        print(f"| {name} | {count} | {100 * count / total:.1f} % |")
    print(f"| all the gateway's exchanges | {total} | 100 % |")


if __name__ == "__main__":
    main(sys.argv[1])
