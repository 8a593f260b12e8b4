#!/usr/bin/env node
// Maelstrom's broadcast with gossip: every 50 ms each node sends each neighbour the values it
// has not acknowledged yet, so lost messages and partitions only delay delivery.
//
// With --no-retry it forwards each new value once and never again (the naive version that
// Maelstrom's fault-tolerant broadcast catches under partitions).
"use strict";
const { Node } = require("../../../libraries/js/ftsim_node");

const RETRY = !process.argv.includes("--no-retry");

new Node((node) => {
  const messages = new Set();
  let neighbours = [];
  const acked = new Map(); // per neighbour, the values it acknowledged

  // Adds values; without retries, forwards the new ones once to every neighbour but `source`.
  const learn = (values, source) => {
    const fresh = values.filter((v) => !messages.has(v)).sort((a, b) => a - b);
    for (const v of fresh) messages.add(v);
    if (RETRY || fresh.length === 0) return;
    for (const n of neighbours) {
      if (n !== source) node.send(n, { type: "gossip", messages: fresh });
    }
  };

  node.on("topology", (msg) => {
    neighbours = msg.body.topology[node.id] || [];
    for (const n of neighbours) if (!acked.has(n)) acked.set(n, new Set());
    node.reply(msg, { type: "topology_ok" });
  });
  node.on("broadcast", (msg) => {
    learn([msg.body.message]);
    node.reply(msg, { type: "broadcast_ok" });
  });
  node.on("read", (msg) => {
    node.reply(msg, { type: "read_ok", messages: [...messages].sort((a, b) => a - b) });
  });
  node.on("gossip", (msg) => {
    learn(msg.body.messages, msg.src);
    if (msg.body.msg_id !== undefined) {
      node.reply(msg, { type: "gossip_ok", messages: msg.body.messages });
    }
  });
  if (RETRY) {
    node.every(0.05, () => {
      for (const n of neighbours) {
        const done = acked.get(n);
        const missing = [...messages].filter((v) => !done.has(v)).sort((a, b) => a - b);
        if (missing.length === 0) continue;
        node.rpc(n, { type: "gossip", messages: missing }, (reply) => {
          for (const v of reply.body.messages) done.add(v);
        });
      }
    });
  }
}).main();
