#!/usr/bin/env python3
"""Maelstrom's multi-node broadcast written as for Maelstrom itself (no library): a node
forwards each value it learns to its neighbours once (and what it knew before it learnt
its neighbours, once it does). Right on a network that loses nothing;
with --thread, a thread of its own answers reads (which ftsim runs, and warns about)."""
import json
import sys
import threading

THREADED = "--thread" in sys.argv
me, neighbours, values, next_id = None, [], set(), 0
lock = threading.Lock()


def send(dest, body):
    global next_id
    with lock:
        next_id += 1
        body["msg_id"] = next_id
        print(json.dumps({"src": me, "dest": dest, "body": body}), flush=True)


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    send(msg["src"], body)


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    kind = body["type"]
    if kind == "init":
        me = body["node_id"]
        reply(msg, {"type": "init_ok"})
    elif kind == "topology":
        neighbours = body["topology"].get(me, [])
        for value in sorted(values):
            for n in neighbours:
                send(n, {"type": "gossip", "message": value})
        reply(msg, {"type": "topology_ok"})
    elif kind in ("broadcast", "gossip"):
        value = body["message"]
        if value not in values:
            values.add(value)
            for n in neighbours:
                if n != msg["src"]:
                    send(n, {"type": "gossip", "message": value})
        if kind == "broadcast":
            reply(msg, {"type": "broadcast_ok"})
    elif kind == "read":
        answer = {"type": "read_ok", "messages": sorted(values)}
        if THREADED:
            worker = threading.Thread(target=reply, args=(msg, answer))
            worker.start()
            worker.join()
        else:
            reply(msg, answer)
