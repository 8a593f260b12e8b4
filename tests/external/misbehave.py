#!/usr/bin/env python3
"""A node that misbehaves on purpose, for tests: echoes correctly, except that node n0, in the
runs whose seed makes it so (about one in three), does what argv[1] says while handling its
third echo: hang, exit, garbage, flood, grow, or no-init (never answers init). In mode
unrepeatable, every node observes the wall clock at every echo: its runs pass, but written the
same inputs again it answers differently, which a search (re-execution) must report."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../libraries/python"))
from ftsim_node import Node  # noqa: E402

MODE = sys.argv[1]


def misbehave():
    print("misbehaving now:", MODE, file=sys.stderr, flush=True)
    if MODE == "hang":
        while True:
            pass
    if MODE == "exit":
        sys.exit(3)
    if MODE == "garbage":
        print("this is not json", flush=True)
    if MODE == "flood":
        sys.stdout.write('{"ftsim":"observe","kind":"x"}\n' * 200000)
        sys.stdout.flush()
    if MODE == "grow":
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))


def setup(node):
    bad = node.id == "n0" and node.random.random() < 0.34
    echoes = [0]
    if MODE == "no-init" and bad:
        # Never answers init: init_ok is printed after setup returns, so leave without it.
        sys.stdout.write('{"ftsim":"done"}\n')
        sys.stdout.flush()
        os._exit(0)

    @node.on("echo")
    def echo(msg):
        echoes[0] += 1
        if MODE == "unrepeatable":
            node.observe("clock", time.monotonic_ns())
        if bad and echoes[0] == 3:
            misbehave()
        node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


Node(setup).main()
