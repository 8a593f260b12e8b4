#!/usr/bin/env python3
"""Maelstrom's unique-ids: each id is the node's name and a counter, kept in durable storage
and synced before the answer leaves, so a node that crashes and restarts never gives an id
twice.

With --volatile the counter lives in memory only: a restarted node counts from 0 again and
gives ids it gave before (what ftsim's crash-recover faults catch)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

DURABLE = "--volatile" not in sys.argv


def setup(node):
    issued = [node.storage.get("issued", 0) if DURABLE else 0]

    @node.on("generate")
    def generate(msg):
        issued[0] += 1
        if DURABLE:
            node.write("issued", issued[0])
            node.sync()
        node.reply(msg, {"type": "generate_ok", "id": "%s-%d" % (node.id, issued[0])})


Node(setup).main()
