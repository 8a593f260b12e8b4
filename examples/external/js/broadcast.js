#!/usr/bin/env node
// Maelstrom's broadcast with gossip: every 50 ms each node sends each neighbour the values it
// has not acknowledged yet, so lost messages and partitions only delay delivery.
"use strict";
const { Node } = require("../../../libraries/js/ftsim_node");

new Node((node) => {
  const messages = new Set();
  let neighbours = [];
  const acked = new Map(); // per neighbour, the values it acknowledged

  node.on("topology", (msg) => {
    neighbours = msg.body.topology[node.id] || [];
    for (const n of neighbours) if (!acked.has(n)) acked.set(n, new Set());
    node.reply(msg, { type: "topology_ok" });
  });
  node.on("broadcast", (msg) => {
    messages.add(msg.body.message);
    node.reply(msg, { type: "broadcast_ok" });
  });
  node.on("read", (msg) => {
    node.reply(msg, { type: "read_ok", messages: [...messages].sort((a, b) => a - b) });
  });
  node.on("gossip", (msg) => {
    for (const v of msg.body.messages) messages.add(v);
    node.reply(msg, { type: "gossip_ok", messages: msg.body.messages });
  });
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
}).main();
