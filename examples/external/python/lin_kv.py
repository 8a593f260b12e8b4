#!/usr/bin/env python3
"""Maelstrom's lin-kv as a proxy: every read, write and cas goes to the lin-kv service, and
its answer (an error included) goes back to the client. The node keeps no state, so it stays
linearizable through crashes, partitions and lost messages: an answer that is lost leaves the
client's operation open, which the checker allows.

With --seq-kv it asks the seq-kv service instead, whose reads may be stale: fine for many
uses, not linearizable (what the checker catches). With --lww-kv it asks lww-kv, whose reads
may be stale and whose cas may lose updates: caught too."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

STORE = next((a[2:] for a in sys.argv[1:] if a in ("--seq-kv", "--lww-kv")), "lin-kv")


def setup(node):
    def forward(msg):
        request = {k: v for k, v in msg["body"].items() if k != "msg_id"}

        def answer(reply):
            body = {k: v for k, v in reply["body"].items() if k not in ("msg_id", "in_reply_to")}
            node.reply(msg, body)

        node.rpc(STORE, request, answer)

    for kind in ("read", "write", "cas"):
        node.on(kind, forward)


Node(setup).main()
