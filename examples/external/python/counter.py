#!/usr/bin/env python3
"""Maelstrom's g-counter and pn-counter as a state-based CRDT: each node counts what was
added at it (positive and negative apart), sends its whole table to every other node every
50 ms, and merges a table it receives by taking the larger count of each entry. Merging is
idempotent, so lost, repeated and reordered gossip only delays the sum.

With --sum-merge a node adds the counts it receives to its own instead (a common mistake):
the same gossip counted twice makes reads grow past what was ever added. With --no-gossip a
node only counts the adds made at it, so no read ever holds the others'."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

SUM_MERGE = "--sum-merge" in sys.argv
GOSSIP = "--no-gossip" not in sys.argv


def setup(node):
    counts = {}  # node name -> [added, subtracted]

    def mine():
        return counts.setdefault(node.id, [0, 0])

    @node.on("add")
    def add(msg):
        delta = msg["body"]["delta"]
        mine()[0 if delta >= 0 else 1] += abs(delta)
        node.reply(msg, {"type": "add_ok"})

    @node.on("read")
    def read(msg):
        value = sum(up - down for up, down in counts.values())
        node.reply(msg, {"type": "read_ok", "value": value})

    @node.on("counts")
    def merge(msg):
        for name, (up, down) in msg["body"]["counts"].items():
            if name == node.id:
                continue
            entry = counts.setdefault(name, [0, 0])
            if SUM_MERGE:
                entry[0] += up
                entry[1] += down
            else:
                entry[0] = max(entry[0], up)
                entry[1] = max(entry[1], down)

    def gossip():
        mine()
        for other in node.node_ids:
            if other != node.id:
                node.send(other, {"type": "counts", "counts": counts})

    if GOSSIP:
        node.every(0.05, gossip)


Node(setup).main()
