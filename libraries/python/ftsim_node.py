"""Write an ftsim node in Python, in Maelstrom's shape.

A node is a program that reads JSON messages on stdin and writes them on stdout, as in
Jepsen's Maelstrom. Under ftsim it also speaks a small extension that makes every run
reproducible: each input carries the virtual time, each step ends with {"ftsim": "done"},
and timers, randomness and durable storage come from ftsim. This module speaks it for you:

    from ftsim_node import Node

    def setup(node):
        @node.on("echo")
        def echo(msg):
            node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})

    Node(setup).main()

`setup` runs at every `init`: when the node starts, when it restarts after a crash
(`node.recovered`, with `node.storage` as it survived) and when ftsim reuses the program for
another seed. Keep the node's state in `setup` (local variables its handlers close over), never
in globals: then every run starts from scratch.

What determinism asks of a node: no threads, no clocks, no randomness but `node.random`, no
state carried from one `init` to the next. Time is `node.now` (seconds of virtual time).
"""

import json
import random
import sys

__all__ = ["Node", "RPCError"]

# The storage key that counts a node's lives (restarts after a crash).
INCARNATION = "ftsim_node.incarnation"
# The rpc ids of one life: life k uses k * MSG_IDS_PER_LIFE onwards (below 2^53 for 2^21 lives).
MSG_IDS_PER_LIFE = 1 << 32
# Duration units as ftsim writes them, in nanoseconds (a suffix before any it ends with).
_DURATION_UNITS = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("min", 6e10),
                   ("s", 1e9), ("h", 3.6e12)]


class RPCError(Exception):
    """A Maelstrom error reply: raise it in a handler to answer the request with it."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


class Node:
    """One node: its handlers, timers, randomness and storage, reset at every init."""

    def __init__(self, setup):
        self._setup = setup
        self._out = []
        self._reset()

    # -- what a handler can read ---------------------------------------------------------

    @property
    def now(self):
        """The virtual time, in seconds."""
        return self.now_ns / 1e9

    def seconds(self, name):
        """A duration parameter ("1.5ms", "10s", as the scenario's [params] give it) in
        seconds."""
        text = str(self.params[name])
        for unit, unit_ns in _DURATION_UNITS:
            if text.endswith(unit):
                return float(text[: -len(unit)]) * unit_ns / 1e9
        raise ValueError("params.%s: expected a duration such as \"10ms\", found %r" % (name, text))

    # -- registering handlers ------------------------------------------------------------

    def on(self, type_, handler=None):
        """Calls `handler(msg)` for messages of this body type (usable as a decorator)."""
        if handler is None:
            return lambda h: self.on(type_, h)
        self._handlers[type_] = handler
        return handler

    def on_suspect(self, handler):
        """Calls `handler(node)` when the failure detector starts suspecting `node`."""
        self._notices["suspect"] = handler
        return handler

    def on_restore(self, handler):
        """Calls `handler(node)` when the failure detector trusts `node` again."""
        self._notices["restore"] = handler
        return handler

    # -- what a handler can do -----------------------------------------------------------

    def send(self, dest, body):
        """Sends `body` (a dict with a "type") to node or client `dest`."""
        self._emit({"src": self.id, "dest": dest, "body": body})

    def reply(self, request, body):
        """Answers `request` with `body`, setting in_reply_to."""
        body = dict(body)
        body["in_reply_to"] = request["body"].get("msg_id")
        self.send(request["src"], body)

    def rpc(self, dest, body, handler):
        """Sends `body` with a fresh msg_id; `handler(reply)` runs when the reply comes."""
        self._next_msg_id += 1
        body = dict(body)
        body["msg_id"] = self._next_msg_id
        self._callbacks[self._next_msg_id] = handler
        self.send(dest, body)
        return self._next_msg_id

    def set_timer(self, delay, callback):
        """Runs `callback()` after `delay` seconds of virtual time; returns the timer's id."""
        self._next_timer += 1
        self._timers[self._next_timer] = callback
        delay_ns = max(0, int(round(delay * 1e9)))
        self._emit({"ftsim": "set_timer", "timer": self._next_timer, "delay_ns": delay_ns})
        return self._next_timer

    def every(self, period, callback):
        """Runs `callback()` every `period` seconds of virtual time, from now on."""

        def tick():
            callback()
            self.set_timer(period, tick)

        return self.set_timer(period, tick)

    def cancel_timer(self, timer):
        """Cancels a timer (nothing happens if it fired already)."""
        if self._timers.pop(timer, None) is not None:
            self._emit({"ftsim": "cancel_timer", "timer": timer})

    def observe(self, kind, value=None):
        """Tells ftsim's properties what the node did: ("decide", 3), ("deliver", "m1")."""
        self._emit({"ftsim": "observe", "kind": kind, "value": value})

    def write(self, key, value):
        """Writes durable storage (None deletes): it survives a crash, read in node.storage."""
        if value is None:
            self.storage.pop(key, None)
        else:
            self.storage[key] = value
        self._emit({"ftsim": "write", "key": key, "value": value})

    def sync(self):
        """Makes the writes so far durable before what the node sends next (an fsync)."""
        self._emit({"ftsim": "sync"})

    def log(self, *parts):
        """Writes a line on stderr (ftsim shows the end of it when the node fails)."""
        print(*parts, file=sys.stderr, flush=True)

    # -- the loop ------------------------------------------------------------------------

    def main(self, stdin=None, stdout=None):
        """Reads inputs until stdin closes, one step per line."""
        stdin = stdin or sys.stdin
        stdout = stdout or sys.stdout
        for line in stdin:
            if not line.strip():
                continue
            self.step(json.loads(line))
            self._out.append('{"ftsim":"done"}\n')
            stdout.write("".join(self._out))
            stdout.flush()
            self._out.clear()

    def step(self, msg):
        """Handles one input (a message, a timer or a notice)."""
        self.now_ns = msg.get("now_ns", self.now_ns)
        op = msg.get("ftsim")
        if op == "timer":
            callback = self._timers.pop(msg["timer"], None)
            if callback is not None:
                callback()
        elif op in ("suspect", "restore"):
            handler = self._notices.get(op)
            if handler is not None:
                handler(msg["node"])
        elif msg["body"].get("type") == "init":
            self._init(msg)
        else:
            self._deliver(msg)

    def _init(self, msg):
        body = msg["body"]
        ext = body.get("ftsim")
        if ext is None:
            raise SystemExit("ftsim_node: init without ftsim's extension: run this node under ftsim")
        self._reset()
        self.now_ns = msg.get("now_ns", 0)
        self.id = body["node_id"]
        self.node_ids = list(body["node_ids"])
        self.recovered = bool(ext.get("recovered"))
        self.storage = dict(ext.get("storage") or {})
        self.params = dict(ext.get("params") or {})
        self.random = random.Random(ext["seed"])
        if self.recovered:
            self._new_incarnation()
        self._setup(self)
        self.reply(msg, {"type": "init_ok"})

    def _new_incarnation(self):
        """After a crash, rpc ids start past every id an earlier life used, so a late reply
        to a request sent before the crash never reaches a callback of this life. The count
        of lives is kept in storage (synced), under INCARNATION."""
        lives = int(self.storage.get(INCARNATION, 0)) + 1
        self.write(INCARNATION, lives)
        self.sync()
        self._next_msg_id = lives * MSG_IDS_PER_LIFE

    def _deliver(self, msg):
        body = msg["body"]
        callback = self._callbacks.pop(body.get("in_reply_to"), None)
        if callback is not None:
            callback(msg)
            return
        handler = self._handlers.get(body.get("type"))
        try:
            if handler is None:
                raise RPCError(10, "unsupported message type %r" % body.get("type"))
            handler(msg)
        except RPCError as error:
            if "msg_id" in body:
                self.reply(msg, {"type": "error", "code": error.code, "text": error.text})

    def _emit(self, obj):
        self._out.append(json.dumps(obj, separators=(",", ":")) + "\n")

    def _reset(self):
        self.id = None
        self.node_ids = []
        self.now_ns = 0
        self.recovered = False
        self.storage = {}
        self.params = {}
        self.random = random.Random(0)
        self._handlers = {}
        self._notices = {}
        self._callbacks = {}
        self._timers = {}
        self._next_msg_id = 0
        self._next_timer = 0
