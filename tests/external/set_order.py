#!/usr/bin/env python3
"""An echo node that also greets its peers in the order of a set of strings: Python orders
such a set by string hashes, which change from process to process unless PYTHONHASHSEED is
fixed. Its runs replay only because ftsim fixes it."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../libraries/python"))
from ftsim_node import Node  # noqa: E402


def setup(node):
    for peer in {"n%d-%s" % (i, "x" * i) for i in range(len(node.node_ids))}:
        name = peer.split("-")[0]
        if name != node.id:
            node.send(name, {"type": "hello", "from": peer})

    @node.on("hello")
    def hello(msg):
        pass

    @node.on("echo")
    def echo(msg):
        node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


Node(setup).main()
