#!/usr/bin/env python3
"""Maelstrom's kafka-style log with one leader: n0 keeps every key's log and the committed
offsets, and every other node forwards its clients' requests to n0 and relays the answer. A
lost message leaves an operation unanswered, never a log that disagrees with itself.

With --local every node keeps a log of its own and answers from it (what a first try at
Maelstrom's multi-node kafka often does): two nodes give the same offset of a key to two
different messages. With --skip-one a poll leaves out the second message it would return
(as a node that loses a write on the way), which the no-lost-writes check catches; with
--reversed it returns a key's messages newest first, which polls-ordered catches."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

LOCAL = "--local" in sys.argv
SKIP_ONE = "--skip-one" in sys.argv
REVERSED = "--reversed" in sys.argv
LEADER = "n0"
POLL_MAX = 10  # messages a poll returns per key at most


def setup(node):
    logs = {}  # key -> messages, the offset being the index
    committed = {}  # key -> offset

    def answer(body):
        kind = body["type"]
        if kind == "send":
            log = logs.setdefault(body["key"], [])
            log.append(body["msg"])
            return {"type": "send_ok", "offset": len(log) - 1}
        if kind == "poll":
            msgs = {}
            for key, start in sorted(body["offsets"].items()):
                log = logs.get(key, [])
                pairs = [[o, log[o]] for o in range(start, min(start + POLL_MAX, len(log)))]
                if SKIP_ONE and len(pairs) > 2:
                    del pairs[1]
                if REVERSED:
                    pairs.reverse()
                if pairs:
                    msgs[key] = pairs
            return {"type": "poll_ok", "msgs": msgs}
        if kind == "commit_offsets":
            for key, offset in body["offsets"].items():
                committed[key] = max(committed.get(key, -1), offset)
            return {"type": "commit_offsets_ok"}
        offsets = {k: committed[k] for k in body["keys"] if k in committed}
        return {"type": "list_committed_offsets_ok", "offsets": offsets}

    def handle(msg):
        if LOCAL or node.id == LEADER:
            node.reply(msg, answer(msg["body"]))
            return
        request = {k: v for k, v in msg["body"].items() if k != "msg_id"}

        def relay(reply):
            body = {k: v for k, v in reply["body"].items() if k not in ("msg_id", "in_reply_to")}
            node.reply(msg, body)

        node.rpc(LEADER, request, relay)

    for kind in ("send", "poll", "commit_offsets", "list_committed_offsets"):
        node.on(kind, handle)


Node(setup).main()
