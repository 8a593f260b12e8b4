// Tests of ftsim_node.js: a node driven input by input as ftsim drives it.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { Node, RPCError, Random } = require("./ftsim_node");

function init({ nodeId = "n0", seed = 7, recovered = false, storage = {}, params = {} } = {}) {
  return {
    src: "ftsim",
    dest: nodeId,
    now_ns: 0,
    body: {
      type: "init", msg_id: 0, node_id: nodeId, node_ids: ["n0", "n1"],
      ftsim: { seed, recovered, storage, params },
    },
  };
}

// What the node emits for each input (without the loop's "done").
function run(setup, inputs) {
  const node = new Node(setup);
  return inputs.map((input) => {
    node.step(input);
    const lines = node.out.map((l) => JSON.parse(l));
    node.out.length = 0;
    return lines;
  });
}

test("init is answered", () => {
  const steps = run(() => {}, [init()]);
  assert.deepStrictEqual(steps[0], [
    { src: "n0", dest: "ftsim", body: { type: "init_ok", in_reply_to: 0 } },
  ]);
});

test("handlers reply and unknown types get Maelstrom's error 10", () => {
  const setup = (node) => node.on("echo", (m) => node.reply(m, { type: "echo_ok", echo: m.body.echo }));
  const echo = { src: "c1", dest: "n0", body: { type: "echo", echo: "hi", msg_id: 4 } };
  const odd = { src: "c1", dest: "n0", body: { type: "odd", msg_id: 5 } };
  const steps = run(setup, [init(), echo, odd]);
  assert.deepStrictEqual(steps[1][0].body, { type: "echo_ok", echo: "hi", in_reply_to: 4 });
  assert.strictEqual(steps[2][0].body.code, 10);
});

test("timers are requests and fire as inputs", () => {
  const seen = [];
  const setup = (node) => {
    node.setTimer(0.005, () => seen.push(node.nowNs));
    node.cancelTimer(node.setTimer(1, () => seen.push("never")));
  };
  const steps = run(setup, [
    init(),
    { ftsim: "timer", timer: 1, now_ns: 5000000 },
    { ftsim: "timer", timer: 2, now_ns: 9 },
  ]);
  assert.deepStrictEqual(steps[0][0], { ftsim: "set_timer", timer: 1, delay_ns: 5000000 });
  assert.deepStrictEqual(steps[0][2], { ftsim: "cancel_timer", timer: 2 });
  assert.deepStrictEqual(seen, [5000000]);
});

test("rpc callbacks take the reply; RPCError answers the request", () => {
  const replies = [];
  const setup = (node) => {
    node.rpc("n1", { type: "ping" }, (r) => replies.push(r));
    node.on("read", () => {
      throw new RPCError(20, "key does not exist");
    });
  };
  const reply = { src: "n1", dest: "n0", body: { type: "pong", in_reply_to: 1 } };
  const read = { src: "c1", dest: "n0", body: { type: "read", msg_id: 3 } };
  const steps = run(setup, [init(), reply, read]);
  assert.deepStrictEqual(steps[0][0].body, { type: "ping", msg_id: 1 });
  assert.deepStrictEqual(replies, [reply]);
  assert.strictEqual(steps[2][0].body.code, 20);
});

test("after a crash, rpc ids start past those of earlier lives", () => {
  const replies = [];
  const setup = (node) => node.rpc("n1", { type: "ping" }, (r) => replies.push(r));
  const late = { src: "n1", dest: "n0", body: { type: "pong", in_reply_to: 1 } };
  const key = "ftsim_node.incarnation";
  const steps = run(setup, [init({ recovered: true, storage: { [key]: 1 } }), late]);
  assert.deepStrictEqual(steps[0].slice(0, 2), [
    { ftsim: "write", key, value: 2 },
    { ftsim: "sync" },
  ]);
  assert.strictEqual(steps[0][2].body.msg_id, 2 * 2 ** 32 + 1);
  assert.deepStrictEqual(replies, []); // the reply to the earlier life's request 1 is not ours
  assert.strictEqual(run(setup, [init()])[0][0].body.msg_id, 1);
});

test("randomness comes from the seed; storage and params from init", () => {
  const seen = [];
  const setup = (node) => {
    seen.push([node.random(), node.recovered, { ...node.storage }, node.params]);
    node.write("term", 3);
  };
  const steps = run(setup, [
    init({ seed: 3 }),
    init({ seed: 3, recovered: true, storage: { term: 2 }, params: { rounds: 2 } }),
    init({ seed: 4 }),
  ]);
  assert.strictEqual(seen[0][0], seen[1][0]);
  assert.notStrictEqual(seen[0][0], seen[2][0]);
  const lives = { "ftsim_node.incarnation": 1 };
  assert.deepStrictEqual(seen[1].slice(1), [true, { term: 2, ...lives }, { rounds: 2 }]);
  assert.deepStrictEqual(steps[0][0], { ftsim: "write", key: "term", value: 3 });
  const r = new Random(1);
  for (let i = 0; i < 1000; i++) {
    const x = r.below(10);
    assert.ok(x >= 0 && x < 10);
  }
});

test("init without the extension is refused", () => {
  const plain = init();
  delete plain.body.ftsim;
  assert.throws(() => run(() => {}, [plain]), /ftsim's extension/);
});
