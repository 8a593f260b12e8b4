#!/usr/bin/env python3
"""Maelstrom's broadcast with gossip: every 50 ms each node sends each neighbour the values
it has not acknowledged yet, so lost messages and partitions only delay delivery.

With --no-retry it forwards each new value once and never again (the naive version that
Maelstrom's fault-tolerant broadcast catches under partitions)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

RETRY = "--no-retry" not in sys.argv


def setup(node):
    messages = set()
    neighbours = []
    acked = {}  # per neighbour, the values it acknowledged

    @node.on("topology")
    def topology(msg):
        neighbours[:] = msg["body"]["topology"].get(node.id, [])
        for n in neighbours:
            acked.setdefault(n, set())
        node.reply(msg, {"type": "topology_ok"})

    def learn(values, source=None):
        new = set(values) - messages
        messages.update(new)
        if not RETRY and new:
            for n in neighbours:
                if n != source:
                    node.send(n, {"type": "gossip", "messages": sorted(new)})

    @node.on("broadcast")
    def broadcast(msg):
        learn([msg["body"]["message"]])
        node.reply(msg, {"type": "broadcast_ok"})

    @node.on("read")
    def read(msg):
        node.reply(msg, {"type": "read_ok", "messages": sorted(messages)})

    @node.on("gossip")
    def gossip(msg):
        learn(msg["body"]["messages"], msg["src"])
        if "msg_id" in msg["body"]:
            node.reply(msg, {"type": "gossip_ok", "messages": msg["body"]["messages"]})

    def spread():
        for n in neighbours:
            missing = messages - acked[n]
            if missing:
                done = acked[n]
                node.rpc(n, {"type": "gossip", "messages": sorted(missing)},
                         lambda reply, done=done: done.update(reply["body"]["messages"]))

    if RETRY:
        node.every(0.05, spread)


Node(setup).main()
