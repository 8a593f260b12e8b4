#!/usr/bin/env python3
"""FloodSet (flooding consensus), as the catalogue's Rust `flooding`: each round a node sends
the values it knows to every other node, then waits for the round's message from every node it
does not suspect; after the last round it decides the least value it knows. With f + 1 rounds
it survives f crashes; with fewer, a crash in the middle of a broadcast breaks agreement."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402


def setup(node):
    rounds = node.params["rounds"]
    me = node.id
    others = [n for n in node.node_ids if n != me]
    proposal = int(me[1:]) if node.params["proposals"] == "by-id" else node.random.randrange(100)
    node.observe("propose", proposal)
    state = {"round": 1, "known": {proposal}}
    heard = {r: set() for r in range(1, rounds + 1)}
    incoming = {r: set() for r in range(1, rounds + 1)}
    suspected = set()

    def send_round():
        r = state["round"]
        heard[r].add(me)
        incoming[r] |= state["known"]
        for n in others:
            node.send(n, {"type": "round", "round": r, "values": sorted(state["known"])})

    def advance():
        while state["round"] <= rounds:
            r = state["round"]
            if not set(node.node_ids) <= heard[r] | suspected:
                return
            state["known"] |= incoming[r]
            state["round"] += 1
            if state["round"] > rounds:
                node.observe("decide", min(state["known"]))
            else:
                send_round()

    @node.on("round")
    def on_round(msg):
        r = msg["body"]["round"]
        if r < state["round"] or r > rounds:
            return
        heard[r].add(msg["src"])
        incoming[r] |= set(msg["body"]["values"])
        advance()

    @node.on_suspect
    def on_suspect(n):
        suspected.add(n)
        advance()

    send_round()
    advance()


Node(setup).main()
