#!/bin/sh
# The cost of an event at 20 and at 1,000 nodes through the CLI, and their ratio, for a
# broadcast of one message with and without acknowledgements (issue 50). One pass; run it
# several times, alternating builds, and compare medians.
#   bench/growth/per-event.sh target/release/ftsim
set -eu
ftsim=${1:?usage: per-event.sh FTSIM}
here=$(dirname "$0")
for link in exactly-once at-most-once; do
    for n in 20 1000; do
        "$ftsim" run "$here/one-sender-$n-$link.toml" --jobs 1 --format json
    done | python3 -c '
import json, sys
text = sys.stdin.read()
docs, at = [], 0
decoder = json.JSONDecoder()
while at < len(text):
    doc, at = decoder.raw_decode(text, at)
    docs.append(doc["scenarios"][0])
    while at < len(text) and text[at].isspace():
        at += 1
cost = [d["elapsed_ms"] * 1e6 / d["events"] for d in docs]
print("%-13s 20 nodes %6.1f ns/event, 1,000 nodes %6.1f ns/event: %.2fx"
      % (sys.argv[1], cost[0], cost[1], cost[1] / cost[0]))
' "$link"
done
