// ftsim debug's page. The address holds the path (?path=0,3,1.2); each position is asked of
// the server, which replays the path. Everything the protocol prints is set as text
// (textContent, createTextNode), never as markup: this script parses no HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

// The current path, the line "forward" follows, and the lines left for another branch.
let path = [];
let trail = [];
let branches = [];
let position = null;
let busy = false;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function pathText(p) {
  return p.join(",");
}

function pathOfAddress() {
  const text = new URLSearchParams(location.search).get("path") || "";
  return text === "" ? [] : text.split(",");
}

function startsWith(longer, shorter) {
  return shorter.length <= longer.length && shorter.every((s, i) => longer[i] === s);
}

function storageKey() {
  return "ftsim-debug-branches:" + (position ? position.scenario.file : "");
}

function saveBranches() {
  try {
    sessionStorage.setItem(storageKey(), JSON.stringify(branches));
  } catch (e) {
    // A browser without storage keeps the branches for this page only.
  }
}

function loadBranches() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || "[]");
    if (Array.isArray(saved)) branches = saved.filter((b) => Array.isArray(b));
  } catch (e) {
    branches = [];
  }
}

// Keeps `trail` the line through `next`; a line it leaves is kept as a branch.
function follow(next) {
  if (startsWith(trail, next)) return;
  if (!startsWith(next, trail) && trail.length > 0) {
    const known = branches.some((b) => pathText(b) === pathText(trail));
    if (!known) branches.unshift(trail);
    branches = branches.filter((b) => pathText(b) !== pathText(next)).slice(0, 50);
    saveBranches();
  }
  trail = next;
}

async function ask(url) {
  const response = await fetch(url, { cache: "no-store" });
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: "the server's answer is not JSON (" + response.status + ")" };
  }
  return { ok: response.ok, body };
}

function showError(message, followed) {
  const box = $("error");
  clear(box);
  box.appendChild(document.createTextNode(message));
  if (followed !== undefined && followed !== null) {
    box.appendChild(document.createTextNode(" "));
    const prefix = path.slice(0, followed);
    box.appendChild(
      el("button", { id: "follow-prefix", onclick: () => go(prefix) },
        "go to the " + followed + " step(s) that can be taken"));
  }
  box.hidden = false;
}

// Shows the position `next` leads to, and makes it the address (`push`: a new history entry).
async function go(next, push = true) {
  if (busy) return;
  busy = true;
  try {
    const { ok, body } = await ask("/api/position?path=" + encodeURIComponent(pathText(next)));
    if (!ok) {
      path = next;
      showError(body.error || "the server refused the path", body.followed);
      return;
    }
    $("error").hidden = true;
    path = next;
    position = body;
    if (branches.length === 0) loadBranches();
    follow(next);
    const address = "?path=" + pathText(next);
    if (push && location.search !== address) history.pushState(null, "", address);
    render();
  } catch (e) {
    showError("the server cannot be reached: " + e);
  } finally {
    busy = false;
  }
}

async function onward(until) {
  if (busy) return;
  const seed = Math.max(0, parseInt($("seed").value || "1", 10) || 0);
  busy = true;
  let answer;
  try {
    answer = await ask("/api/onward?path=" + encodeURIComponent(pathText(path)) +
      "&until=" + until + "&seed=" + seed);
  } catch (e) {
    showError("the server cannot be reached: " + e);
    return;
  } finally {
    busy = false;
  }
  $("seed").value = String(seed + 1);
  if (!answer.ok) {
    showError(answer.body.error || "the server refused", answer.body.followed);
    return;
  }
  const walked = answer.body;
  if (until === "broken" && !walked.broke) {
    showError("no property broke in " + walked.runs + " random run(s) from here (seed " +
      seed + "); try another seed");
    return;
  }
  await go(walked.path === "" ? [] : walked.path.split(","));
}

function render() {
  const p = position;
  $("title").textContent = p.scenario.name;
  $("subtitle").textContent = p.scenario.protocol + " on " + p.scenario.nodes + " nodes, " +
    p.scenario.file;
  document.title = "ftsim debug: " + p.scenario.name;
  $("step-count").textContent = "(" + p.steps.length + " steps)";
  $("back").disabled = path.length === 0;
  $("restart").disabled = path.length === 0;
  $("forward").disabled = !(trail.length > path.length && startsWith(trail, path));
  $("to-end").disabled = p.broken !== null && p.moves.length === 0;
  $("to-broken").disabled = p.broken !== null && p.moves.length === 0;
  const repro = $("repro");
  if (p.broken) {
    repro.classList.remove("disabled");
    repro.href = "/api/repro?path=" + encodeURIComponent(pathText(path));
  } else {
    repro.classList.add("disabled");
    repro.removeAttribute("href");
  }
  renderVerdict(p);
  renderDiagram(p);
  renderSteps(p);
  renderMoves(p);
  renderProperties(p);
  renderNodes(p);
  renderInFlight(p);
  renderBranches();
}

function renderVerdict(p) {
  const box = $("verdict");
  clear(box);
  if (p.broken) {
    const b = p.broken;
    const what = b.panicked ? "the protocol panicked" :
      b.property + (b.liveness ? " (eventually) fails if the run stops here" : " is broken");
    box.className = "banner bad";
    box.appendChild(document.createTextNode("\u2717 " + what + " at step " + p.steps.length +
      ": " + b.message));
  } else if (p.moves.length === 0) {
    box.className = "banner ok";
    box.appendChild(document.createTextNode("The run has ended: nothing more can happen, " +
      "and no property is broken."));
  } else if (p.may_stop) {
    box.className = "banner ok";
    box.appendChild(document.createTextNode("Nothing more must happen here (only faults " +
      "are enabled), and no property is broken."));
  } else {
    box.className = "banner";
    box.hidden = true;
    return;
  }
  box.hidden = false;
}

const COLOR = { deliver: "#1565c0", lose: "#8e8e93", crash: "#c62828", recover: "#2e7d32",
  timer: "#6a1b9a", notice: "#00838f", start: "#1d1d1f" };

// The space-time diagram: a column per node, a row per step (row 0: the start); a delivery
// is an arrow from its send to its arrival, a message in flight ends in the row below.
function renderDiagram(p) {
  const box = $("diagram");
  clear(box);
  const n = p.nodes.length;
  const colW = Math.max(70, Math.min(140, 640 / Math.max(n, 1)));
  const rowH = 26, left = 44, top = 30;
  const x = (node) => left + colW / 2 + node * colW;
  const y = (row) => top + row * rowH;
  const rows = p.steps.length + 2;
  box.setAttribute("width", left + colW * n + 140);
  box.setAttribute("height", y(rows) + 8);
  const defs = svg("defs");
  for (const [kind, color] of Object.entries(COLOR)) {
    const marker = svg("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: "10",
      refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
    defs.appendChild(marker);
  }
  box.appendChild(defs);
  const down = downtime(p);
  for (let node = 0; node < n; node++) {
    box.appendChild(svg("text", { x: x(node), y: 14, "text-anchor": "middle" },
      "node " + node + (p.nodes[node].byzantine ? " (B)" : "")));
    for (let row = 0; row < rows - 1; row++) {
      const crashed = down[node][row];
      box.appendChild(svg("line", { x1: x(node), y1: y(row), x2: x(node), y2: y(row + 1),
        stroke: crashed ? "#d0d0d5" : "#9a9aa0", "stroke-width": crashed ? 1 : 2,
        "stroke-dasharray": crashed ? "3 3" : "" }));
    }
  }
  p.steps.forEach((s, i) => drawStep(box, p, s, i + 1, x, y));
  for (const m of p.in_flight) {
    box.appendChild(svg("line", { x1: x(m.from), y1: y(m.sent_at), x2: x(m.to),
      y2: y(rows - 1), stroke: "#b0b0b8", "stroke-dasharray": "4 3",
      "marker-end": "url(#arrow-lose)" }))
      .appendChild(svg("title", {}, "in flight: " + m.message + " from node " + m.from +
        " to node " + m.to));
  }
  box.appendChild(svg("text", { x: 4, y: y(rows - 1) + 4, fill: "#8e8e93" }, "next"));
  const boxEl = $("diagram-box");
  boxEl.scrollTop = boxEl.scrollHeight;
}

// For each node and row, whether the node is down during that row's interval.
function downtime(p) {
  const n = p.nodes.length;
  const rows = p.steps.length + 2;
  const down = Array.from({ length: n }, () => new Array(rows).fill(false));
  const up = new Array(n).fill(true);
  p.steps.forEach((s, i) => {
    if (s.kind === "crash") up[s.node] = false;
    if (s.kind === "recover") up[s.node] = true;
    for (let node = 0; node < n; node++) down[node][i + 1] = !up[node];
  });
  for (let node = 0; node < n; node++) down[node][rows - 1] = !up[node];
  return down;
}

function drawStep(box, p, s, row, x, y) {
  const last = row === p.steps.length;
  const broke = last && p.broken && !p.broken.liveness;
  const color = COLOR[s.kind] || "#1d1d1f";
  const group = svg("g", { class: "step", "data-step": row });
  group.appendChild(svg("title", {}, row + ". " + s.words));
  box.appendChild(svg("text", { x: 4, y: y(row) + 4, fill: "#8e8e93" }, String(row)));
  if (s.kind === "deliver" || s.kind === "lose") {
    const toX = s.kind === "lose" ? (x(s.from) + x(s.node)) / 2 : x(s.node);
    group.appendChild(svg("line", { x1: x(s.from), y1: y(s.sent_at), x2: toX, y2: y(row),
      stroke: color, "stroke-width": last ? 2.5 : 1.5,
      "stroke-dasharray": s.kind === "lose" ? "5 3" : "",
      "marker-end": "url(#arrow-" + s.kind + ")" }));
    if (s.kind === "lose") {
      group.appendChild(svg("text", { x: toX - 4, y: y(row) + 4, fill: color }, "\u00d7"));
    }
  }
  if (s.node !== null && s.kind !== "lose") {
    const cx = x(s.node), cy = y(row);
    if (s.kind === "crash") {
      group.appendChild(svg("path", { d: `M${cx - 6},${cy - 6} L${cx + 6},${cy + 6} ` +
        `M${cx + 6},${cy - 6} L${cx - 6},${cy + 6}`, stroke: color, "stroke-width": 3 }));
    } else {
      group.appendChild(svg("circle", { cx, cy, r: last ? 6 : 4, fill: color }));
    }
  }
  if (broke) {
    const at = s.node === null ? x(0) : x(s.node);
    group.appendChild(svg("circle", { cx: at, cy: y(row), r: 11, fill: "none",
      stroke: "#c62828", "stroke-width": 3, class: "violation" }));
    group.appendChild(svg("text", { x: at + 14, y: y(row) + 4, fill: "#c62828",
      "font-weight": "bold" }, "\u2717 " + p.broken.property));
  }
  box.appendChild(group);
}

function kindLabel(kind) {
  return el("span", { class: "kind " + kind }, kind);
}

function renderSteps(p) {
  const list = $("steps");
  clear(list);
  p.steps.forEach((s, i) => {
    const last = i + 1 === p.steps.length;
    const cls = (last ? "last" : "") + (last && p.broken ? " broke" : "");
    list.appendChild(el("li", { class: cls, title: "go back to after this step",
      onclick: () => go(path.slice(0, i + 1)) }, kindLabel(s.kind), s.words));
  });
}

function renderMoves(p) {
  const list = $("moves");
  clear(list);
  $("move-count").textContent = "(" + p.moves.length + (p.moves_cut ?
    ", " + p.moves_cut + " branches not listed" : "") + ")";
  if (p.moves.length === 0) {
    list.appendChild(el("li", {}, p.broken ? "None: the run ends at its violation." :
      "None: nothing more can happen."));
  }
  for (const m of p.moves) {
    list.appendChild(el("li", {}, el("button", { class: "move", "data-step": m.step,
      "data-kind": m.kind, onclick: () => go(path.concat([m.step])) }, kindLabel(m.kind),
      m.words)));
  }
}

function renderProperties(p) {
  const list = $("properties");
  clear(list);
  const words = { holds: "holds", broken: "broken", met: "met if the run stopped here",
    "not-yet": "not met yet", "not-followed": "judged in runs only" };
  for (const prop of p.properties) {
    const item = el("li", { "data-status": prop.status },
      el("span", { class: "status " + prop.status }, words[prop.status] || prop.status),
      el("code", {}, prop.name), " (" + prop.kind + ")");
    if (prop.message) item.appendChild(el("div", { class: "tag" }, prop.message));
    list.appendChild(item);
  }
}

// A node's state with the lines the last step changed marked (a longest common subsequence
// of lines with its state before the step).
function stateLines(now, before) {
  const a = now.split("\n");
  const pre = el("pre", {});
  const changed = new Array(a.length).fill(before !== null && before !== undefined);
  if (before !== null && before !== undefined) {
    const b = before.split("\n");
    if (a.length * b.length <= 250000) {
      const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
      for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
          dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
        }
      }
      let i = 0, j = 0;
      while (i < a.length && j < b.length) {
        if (a[i] === b[j]) { changed[i] = false; i++; j++; }
        else if (dp[i + 1][j] >= dp[i][j + 1]) i++;
        else j++;
      }
    }
  }
  a.forEach((line, i) => {
    pre.appendChild(changed[i] ? el("span", { class: "changed" }, line) :
      document.createTextNode(line + "\n"));
  });
  return pre;
}

function renderNodes(p) {
  const box = $("nodes");
  clear(box);
  for (const node of p.nodes) {
    const head = "node " + node.id + (node.up ? "" : " (crashed)") +
      (node.byzantine ? " (Byzantine)" : "") + (node.before !== null ? " \u2190 changed" : "");
    const card = el("div", { class: "node" + (node.up ? "" : " down"), "data-node": node.id },
      el("h3", {}, head), stateLines(node.state, node.before));
    if (node.stable !== "()" && node.stable !== "") {
      card.appendChild(el("div", { class: "tag" }, "stable storage:"));
      card.appendChild(el("pre", {}, node.stable));
    }
    card.appendChild(el("div", { class: "tag" }, node.timers.length === 0 ? "no timer armed" :
      "timers armed: " + node.timers.join(", ")));
    box.appendChild(card);
  }
}

function renderInFlight(p) {
  const list = $("in-flight");
  clear(list);
  $("flight-count").textContent = "(" + p.in_flight.length + ")";
  for (const m of p.in_flight) {
    list.appendChild(el("li", {}, "node " + m.from + " \u2192 node " + m.to + ": ",
      el("code", {}, m.message), " (sent at step " + m.sent_at + ")"));
  }
}

function renderBranches() {
  const list = $("branches");
  clear(list);
  if (branches.length === 0) {
    list.appendChild(el("li", { class: "tag" }, "None yet: a move other than the one " +
      "forward would take starts a branch, and the line left is kept here."));
  }
  branches.forEach((b) => {
    const shared = b.findIndex((s, i) => path[i] !== s);
    list.appendChild(el("li", {}, el("button", { class: "branch",
      onclick: () => go(b) }, b.length + " steps, parting from this line at step " +
      (shared === -1 ? b.length : shared + 1))));
  });
}

function back() {
  if (path.length > 0) go(path.slice(0, -1));
}

function forward() {
  if (trail.length > path.length && startsWith(trail, path)) go(trail.slice(0, path.length + 1));
}

window.addEventListener("DOMContentLoaded", () => {
  $("restart").addEventListener("click", () => go([]));
  $("back").addEventListener("click", back);
  $("forward").addEventListener("click", forward);
  $("to-end").addEventListener("click", () => onward("end"));
  $("to-broken").addEventListener("click", () => onward("broken"));
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "ArrowLeft") back();
    if (e.key === "ArrowRight") forward();
  });
  window.addEventListener("popstate", () => go(pathOfAddress(), false));
  go(pathOfAddress(), false);
});
