// Write an ftsim node in JavaScript (Node.js), in Maelstrom's shape.
//
// A node reads JSON messages on stdin and writes them on stdout, as in Jepsen's Maelstrom.
// Under ftsim it also speaks a small extension that makes every run reproducible: each input
// carries the virtual time, each step ends with {"ftsim": "done"}, and timers, randomness
// and durable storage come from ftsim. This module speaks it for you:
//
//     const { Node } = require("./ftsim_node");
//     new Node((node) => {
//       node.on("echo", (msg) => node.reply(msg, { type: "echo_ok", echo: msg.body.echo }));
//     }).main();
//
// The setup function runs at every `init`: at start, at a restart after a crash
// (`node.recovered`, with `node.storage` as it survived) and when ftsim reuses the program for
// another seed. Keep the node's state in it (variables its handlers close over), never in
// module globals. Determinism asks: no setTimeout, no Date, no Math.random (use node.random()),
// no promises left pending across steps.
"use strict";

const readline = require("readline");

// The storage key that counts a node's lives (restarts after a crash).
const INCARNATION = "ftsim_node.incarnation";
// The rpc ids of one life: life k uses k * MSG_IDS_PER_LIFE onwards (below 2^53 for 2^21 lives).
const MSG_IDS_PER_LIFE = 2 ** 32;

class RPCError extends Error {
  constructor(code, text) {
    super(text);
    this.code = code;
    this.text = text;
  }
}

// A small seeded generator (splitmix64 on BigInt), so that a node's randomness is a function
// of the seed ftsim gives at init.
class Random {
  constructor(seed) {
    this.state = BigInt.asUintN(64, BigInt(seed));
  }
  next64() {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  // A number in [0, 1).
  random() {
    return Number(this.next64() >> 11n) / 2 ** 53;
  }
  // An integer in [0, bound).
  below(bound) {
    return Number(this.next64() % BigInt(bound));
  }
}

class Node {
  constructor(setup) {
    this.setup = setup;
    this.out = [];
    this.reset();
  }

  get now() {
    return this.nowNs / 1e9;
  }

  on(type, handler) {
    this.handlers.set(type, handler);
  }
  onSuspect(handler) {
    this.notices.set("suspect", handler);
  }
  onRestore(handler) {
    this.notices.set("restore", handler);
  }

  send(dest, body) {
    this.emit({ src: this.id, dest, body });
  }
  reply(request, body) {
    this.send(request.src, { ...body, in_reply_to: request.body.msg_id });
  }
  rpc(dest, body, handler) {
    const id = ++this.nextMsgId;
    this.callbacks.set(id, handler);
    this.send(dest, { ...body, msg_id: id });
    return id;
  }
  setTimer(delaySeconds, callback) {
    const id = ++this.nextTimer;
    this.timers.set(id, callback);
    const delayNs = Math.max(0, Math.round(delaySeconds * 1e9));
    this.emit({ ftsim: "set_timer", timer: id, delay_ns: delayNs });
    return id;
  }
  every(periodSeconds, callback) {
    const tick = () => {
      callback();
      this.setTimer(periodSeconds, tick);
    };
    return this.setTimer(periodSeconds, tick);
  }
  cancelTimer(id) {
    if (this.timers.delete(id)) this.emit({ ftsim: "cancel_timer", timer: id });
  }
  observe(kind, value = null) {
    this.emit({ ftsim: "observe", kind, value });
  }
  write(key, value) {
    if (value === null || value === undefined) delete this.storage[key];
    else this.storage[key] = value;
    this.emit({ ftsim: "write", key, value: value === undefined ? null : value });
  }
  sync() {
    this.emit({ ftsim: "sync" });
  }
  random() {
    return this.rng.random();
  }
  randomBelow(bound) {
    return this.rng.below(bound);
  }
  log(...parts) {
    process.stderr.write(parts.join(" ") + "\n");
  }

  main() {
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    lines.on("line", (line) => {
      if (!line.trim()) return;
      this.step(JSON.parse(line));
      this.out.push('{"ftsim":"done"}\n');
      process.stdout.write(this.out.join(""));
      this.out.length = 0;
    });
  }

  step(msg) {
    if (msg.now_ns !== undefined) this.nowNs = msg.now_ns;
    const op = msg.ftsim;
    if (op === "timer") {
      const callback = this.timers.get(msg.timer);
      this.timers.delete(msg.timer);
      if (callback) callback();
    } else if (op === "suspect" || op === "restore") {
      const handler = this.notices.get(op);
      if (handler) handler(msg.node);
    } else if (msg.body.type === "init") {
      this.init(msg);
    } else {
      this.deliver(msg);
    }
  }

  init(msg) {
    const body = msg.body;
    if (!body.ftsim) {
      throw new Error("ftsim_node: init without ftsim's extension: run this node under ftsim");
    }
    this.reset();
    this.nowNs = msg.now_ns || 0;
    this.id = body.node_id;
    this.nodeIds = body.node_ids.slice();
    this.recovered = !!body.ftsim.recovered;
    this.storage = { ...(body.ftsim.storage || {}) };
    this.params = { ...(body.ftsim.params || {}) };
    // The seed arrives as a JSON number that may exceed 2^53: its text is not kept by
    // JSON.parse, so the generator starts from the (deterministic) rounded value.
    this.rng = new Random(body.ftsim.seed);
    if (this.recovered) this.newIncarnation();
    this.setup(this);
    this.reply(msg, { type: "init_ok" });
  }

  // After a crash, rpc ids start past every id an earlier life used, so a late reply to a
  // request sent before the crash never reaches a callback of this life. The count of lives
  // is kept in storage (synced), under INCARNATION.
  newIncarnation() {
    const lives = Number(this.storage[INCARNATION] || 0) + 1;
    this.write(INCARNATION, lives);
    this.sync();
    this.nextMsgId = lives * MSG_IDS_PER_LIFE;
  }

  deliver(msg) {
    const body = msg.body;
    const callback = this.callbacks.get(body.in_reply_to);
    if (callback) {
      this.callbacks.delete(body.in_reply_to);
      callback(msg);
      return;
    }
    const handler = this.handlers.get(body.type);
    try {
      if (!handler) throw new RPCError(10, `unsupported message type ${JSON.stringify(body.type)}`);
      handler(msg);
    } catch (error) {
      if (!(error instanceof RPCError)) throw error;
      if (body.msg_id !== undefined) {
        this.reply(msg, { type: "error", code: error.code, text: error.text });
      }
    }
  }

  emit(obj) {
    this.out.push(JSON.stringify(obj) + "\n");
  }

  reset() {
    this.id = null;
    this.nodeIds = [];
    this.nowNs = 0;
    this.recovered = false;
    this.storage = {};
    this.params = {};
    this.rng = new Random(0);
    this.handlers = new Map();
    this.notices = new Map();
    this.callbacks = new Map();
    this.timers = new Map();
    this.nextMsgId = 0;
    this.nextTimer = 0;
  }
}

module.exports = { Node, RPCError, Random };
