#!/usr/bin/env python3
"""Maelstrom's echo: answer every echo with the same text."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402


def setup(node):
    @node.on("echo")
    def echo(msg):
        node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


Node(setup).main()
