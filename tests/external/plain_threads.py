#!/usr/bin/env python3
"""Maelstrom's echo without ftsim's extension (as examples/external/plain/echo.py) that also
runs a thread of its own, for tests. With "sleeper" the thread sleeps for ever (the node is
still deterministic); with "ticker" it prints a message every 2 ms of wall-clock time,
between steps (its runs depend on the machine's timing)."""
import json
import sys
import threading
import time

MODE = sys.argv[1]
me = None
lock = threading.Lock()


def emit(obj):
    with lock:
        print(json.dumps(obj), flush=True)


def tick():
    while True:
        time.sleep(0.002)
        if me is not None:
            emit({"src": me, "dest": me, "body": {"type": "tick"}})


threading.Thread(target=tick if MODE == "ticker" else threading.Event().wait, daemon=True).start()
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        me = body["node_id"]
        reply = {"type": "init_ok"}
    elif body["type"] == "echo":
        reply = {"type": "echo_ok", "echo": body["echo"]}
    else:
        continue
    reply["in_reply_to"] = body["msg_id"]
    emit({"src": msg["dest"], "dest": msg["src"], "body": reply})
