#!/usr/bin/env node
// Maelstrom's echo: answer every echo with the same text.
"use strict";
const { Node } = require("../../../libraries/js/ftsim_node");

new Node((node) => {
  node.on("echo", (msg) => node.reply(msg, { type: "echo_ok", echo: msg.body.echo }));
}).main();
