#!/usr/bin/env python3
"""Maelstrom's echo written as for Maelstrom itself: JSON lines on stdin and stdout, no
library and nothing of ftsim's. ftsim runs it with `speaks = "maelstrom"`: a step ends when
the program waits on its stdin again."""
import json
import sys

next_id = 0
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        reply = {"type": "init_ok"}
    elif body["type"] == "echo":
        reply = {"type": "echo_ok", "echo": body["echo"]}
    else:
        continue
    next_id += 1
    reply.update(msg_id=next_id, in_reply_to=body["msg_id"])
    print(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": reply}), flush=True)
