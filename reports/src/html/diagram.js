// The space-time diagram of one traced run, drawn from the model the page embeds
// (reports/src/html/model.rs). Everything from the protocol arrives as JSON data and reaches
// the page only through textContent and setAttribute, never as markup.
//
// The x axis is either event order (one column per engine event, not to scale) or virtual time
// (to scale); both are linear in the zoom factor `k`, so zooming keeps the point under the
// cursor still. Rows never scale. The page opens zoomed and scrolled so that the violation and
// every event it names are on the first screen. When done it sets data-render="ok" on the body
// (any error goes to data-error) with what .ci/check-html verifies: data-violation-visible,
// data-culprits-visible, data-culprits, data-culprits-lit, data-lit-events and
// data-label-overlaps (how many pairs of the labels drawn overlap: labels.js places them).
(function () {
  'use strict';
  var body = document.body;
  window.addEventListener('error', function (e) {
    body.setAttribute('data-error', String(e.message));
  });
  var M = JSON.parse(document.getElementById('model').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var ROW = 56, TOP = 46, PAD_L = 24, PAD_R = 220, BASE_COL = 24;
  var svg = document.getElementById('diagram');
  var names = document.getElementById('names');
  var scroller = document.getElementById('scroll');
  var details = document.getElementById('details');

  var col = {}, byE = {};
  M.events.forEach(function (ev, i) { col[ev.e] = i; byE[ev.e] = ev; });
  var n = M.events.length;
  var t0 = n ? M.events[0].t : 0;
  var span = Math.max(1, n ? M.events[n - 1].t - t0 : 1);
  var traitor = {};
  M.traitors.forEach(function (t) { traitor[t] = true; });
  // Each state is kept as a change to its process's previous one: rebuild the texts.
  var states = {}, lastState = {};
  M.states.forEach(function (s) {
    var before = lastState[s[1]] || '';
    var text = before.slice(0, s[2]) + s[4] + before.slice(before.length - s[3]);
    lastState[s[1]] = text;
    (states[s[1]] = states[s[1]] || []).push([s[0], s[1], text]);
  });

  var view = { mode: 'order', k: 1, step: null, selected: null };
  // Where the window is too small for the header and the diagram, the header's folds (what
  // the run is, then the legend) close, then a long verdict scrolls within three lines, so
  // that the diagram is on the first screen; its rows are as tall as the room under the
  // header allows (up to 56px, at least 30px).
  function roomBelowHeader() { return window.innerHeight - (scroller.getBoundingClientRect().top + window.scrollY) - 4; }
  var need = Math.min(TOP + 64 + Math.max(0, M.nodes - 1) * 40, window.innerHeight * 0.55);
  document.querySelectorAll('details.fold').forEach(function (d) { if (roomBelowHeader() < need) d.open = false; });
  if (roomBelowHeader() < TOP + 64 + Math.max(0, M.nodes - 1) * 30) body.classList.add('tight');
  var room = roomBelowHeader();
  if (M.nodes > 1) ROW = Math.max(30, Math.min(ROW, Math.floor((room - TOP - 64) / (M.nodes - 1))));
  var height = TOP + 30 + Math.max(0, M.nodes - 1) * ROW + 34;

  function colW() { return BASE_COL * view.k; }
  // To scale, the run is as wide as in event order at the same zoom.
  function pxPerNs() { return BASE_COL * view.k * Math.max(1, n - 1) / span; }
  function xT(t) { return PAD_L + (t - t0) * pxPerNs(); }
  function xE(e) {
    if (!(e in col)) e = nearestEvent(e);
    return view.mode === 'order' ? PAD_L + col[e] * colW() : xT(byE[e].t);
  }
  function nearestEvent(e) {
    var best = n ? M.events[0].e : 0;
    M.events.forEach(function (ev) { if (ev.e <= e) best = ev.e; });
    return best;
  }
  function contentWidth() { return Math.max(1, n - 1) * colW(); }
  function y(node) { return TOP + 30 + node * ROW; }
  function future(e) { return view.step !== null && e > M.events[view.step].e; }
  function on(id) { var b = document.getElementById(id); return !b || b.checked; }

  function el(tag, attrs, parent, title) {
    var x = document.createElementNS(NS, tag);
    for (var a in attrs) x.setAttribute(a, attrs[a]);
    if (title) {
      var t = document.createElementNS(NS, 'title');
      t.textContent = title;
      x.appendChild(t);
    }
    if (parent) parent.appendChild(x);
    return x;
  }
  function cls(base, lit, e) {
    return base + (lit === false ? ' dim' : '') + (e !== undefined && future(e) ? ' future' : '');
  }
  function unitText(ns) {
    var v = ns / M.unit_ns;
    return (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 10 ? v.toFixed(2) : v.toFixed(3)) + M.unit;
  }
  // A tick's time with as many decimals as its step needs.
  function tickText(ns, step) {
    var digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step / M.unit_ns))));
    return (ns / M.unit_ns).toFixed(digits) + M.unit;
  }
  function eventTitle(e) {
    var ev = byE[e];
    return ev ? '#' + ev.e + ' at ' + unitText(ev.t) + (ev.n !== null ? ' n' + ev.n : '') + ': ' + ev.text.join('; ') : '';
  }

  // ---- drawing ----------------------------------------------------------------------------
  function drawNames() {
    names.textContent = '';
    names.setAttribute('height', height);
    for (var i = 0; i < M.nodes; i++) {
      var t = el('text', { x: 8, y: y(i) + 5, 'class': 'node' + (traitor[i] ? ' traitor' : '') }, names);
      t.textContent = 'n' + i;
      // The protocol's name for the node ("s0", "client 3"), which its text uses.
      var role = M.labels && M.labels[i], below = 19;
      if (role) {
        var r = el('text', { x: 8, y: y(i) + 17, 'class': 'role' }, names, 'n' + i + ' is ' + role);
        r.textContent = role.length > 13 ? role.slice(0, 12) + '…' : role;
        below = 29;
      }
      if (traitor[i]) el('text', { x: 8, y: y(i) + below, 'class': 'traitor-tag' }, names).textContent = 'traitor';
    }
  }

  function drawAxis(g) {
    var w = contentWidth();
    if (view.mode === 'order') {
      var every = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find(function (s) { return s * colW() >= 56; }) || 10000;
      for (var i = 0; i < n; i += every) {
        var x = PAD_L + i * colW();
        el('line', { x1: x, x2: x, y1: TOP - 6, y2: height - 20, 'class': 'tick' }, g);
        el('text', { x: x, y: TOP - 10, 'class': 'time' }, g, eventTitle(M.events[i].e)).textContent = '#' + M.events[i].e;
      }
      el('text', { x: PAD_L, y: 14, 'class': 'axis-title' }, g).textContent = 'event order: one column per event, not to scale (ticks are event numbers)';
    } else {
      var step = 1, target = 80 / pxPerNs();
      while (step < target) step *= (String(step)[0] === '2' ? 2.5 : 2);
      for (var t = 0; t <= span + 1; t += step) {
        var xt = xT(t0 + t);
        el('line', { x1: xt, x2: xt, y1: TOP - 6, y2: height - 20, 'class': 'tick' }, g);
        el('text', { x: xt, y: TOP - 10, 'class': 'time' }, g).textContent = tickText(t0 + t, step);
      }
      el('text', { x: PAD_L, y: 14, 'class': 'axis-title' }, g).textContent = 'virtual time, to scale (' + M.unit + ')';
    }
    return w;
  }

  function drawBands(g, right) {
    M.partitions.forEach(function (p) {
      var x0 = xE(p.start), x1 = Math.max(xE(p.stop), x0 + 2);
      p.sides.forEach(function (side, si) {
        side.forEach(function (node) {
          el('rect', { x: x0, y: y(node) - ROW / 2 + 3, width: x1 - x0, height: ROW - 6, 'class': cls('side side' + (si % 4), undefined, p.start) }, g,
            p.text + ' — n' + node + ' is on side ' + (si + 1) + ' of ' + p.sides.length);
        });
      });
    });
    M.traitors.forEach(function (t) {
      el('rect', { x: 0, y: y(t) - ROW / 2 + 3, width: right, height: ROW - 6, 'class': 'traitor-band' }, g, 'n' + t + ' is Byzantine (a traitor)');
    });
  }

  function drawLifelines(g, right) {
    for (var node = 0; node < M.nodes; node++) {
      var downs = M.downs.filter(function (d) { return d.n === node; });
      var x = 4, up = true;
      downs.forEach(function (d) {
        var a = xE(d.from), b = d.to === null ? right : xE(d.to);
        el('line', { x1: x, x2: a, y1: y(node), y2: y(node), 'class': 'life' + (traitor[node] ? ' traitor' : '') }, g);
        el('line', { x1: a, x2: b, y1: y(node), y2: y(node), 'class': 'life down' }, g, 'n' + node + ' is down');
        x = b;
        up = d.to !== null;
      });
      if (up) el('line', { x1: x, x2: right, y1: y(node), y2: y(node), 'class': 'life' + (traitor[node] ? ' traitor' : '') }, g);
    }
    M.events.forEach(function (ev) {
      if (ev.n !== null) return;
      var x = xE(ev.e);
      el('line', { x1: x, x2: x, y1: TOP, y2: height - 20, 'class': cls('global', undefined, ev.e), 'data-e': ev.e }, g, eventTitle(ev.e));
    });
  }

  // Where a message's label may go: above its arrow's middle, below it, then further along.
  function alongArrow(x0, y0, x1, y1) {
    var spots = [];
    [0.5, 0.35, 0.65, 0.22, 0.78].forEach(function (t) {
      var x = x0 + (x1 - x0) * t, yy = y0 + (y1 - y0) * t;
      spots.push([x, yy - 3, 'middle'], [x, yy + 11, 'middle']);
    });
    return spots;
  }

  // Labels are queued while drawing and placed together at the end (see labels.js): those of
  // the events the violation names first, then those in the causal past, then the rest.
  function drawMessages(g, labels, queue) {
    var showLabels = on('layer-labels');
    M.messages.forEach(function (m) {
      var x0 = view.mode === 'time' ? xT(m.depart) : xE(m.send), y0 = y(m.from), y1 = y(m.to);
      var head = 'm' + m.id + ' n' + m.from + '→n' + m.to + ': ' + m.text;
      m.deliveries.forEach(function (d, k) {
        var x1 = xE(d[0]);
        var line = el('line', { x1: x0, y1: y0, x2: x1, y2: y1, 'marker-end': 'url(#arrow)', 'data-msg': m.id,
          'class': cls('msg' + (k > 0 ? ' dup' : '') + (m.tampered ? ' tampered' : ''), d[1], d[0]) }, g, head + (k > 0 ? ' (duplicate)' : ''));
        if (showLabels && colW() >= 12 && k === 0 && Math.abs(x1 - x0) > 44 && !future(d[0])) {
          line.setAttribute('data-label', m.kind);
          queue.push({ rank: d[1] === false ? 4 : 2, text: m.kind, font: '10px system-ui,sans-serif', spots: alongArrow(x0, y0, x1, y1),
            draw: function (x, yy) {
              el('text', { x: x, y: yy, 'class': cls('label mlabel', d[1]), 'data-msg': m.id }, labels).textContent = m.kind;
            } });
        }
      });
      if (m.drop && on('layer-drops')) {
        var d = m.drop, x1, yy;
        if (d.at_receiver) { x1 = xE(d.e); yy = y1; } else { x1 = x0 + Math.max(18, 1.5 * colW()); yy = y0 + (y1 - y0) * 0.35; }
        var grp = el('g', { 'class': cls('dropped', d.lit, d.e), 'data-msg': m.id }, g, head + ' — dropped: ' + d.reason);
        el('line', { x1: x0, y1: y0, x2: x1, y2: yy, 'class': 'msg lost' }, grp);
        el('path', { d: cross(x1, yy, 5), 'class': 'cross' }, grp);
      }
    });
  }

  function cross(x, yy, h) {
    return 'M' + (x - h) + ' ' + (yy - h) + 'L' + (x + h) + ' ' + (yy + h) + 'M' + (x - h) + ' ' + (yy + h) + 'L' + (x + h) + ' ' + (yy - h);
  }

  function drawMarks(g, queue) {
    var named = {};
    if (M.violation) M.violation.culprits.forEach(function (c) { named[c[0]] = true; });
    var showTimers = on('layer-timers'), showLabels = on('layer-labels');
    M.marks.forEach(function (mk) {
      var x = xE(mk.e), yy = y(mk.n), title = eventTitle(mk.e), c = function (b) { return cls(b, mk.lit, mk.e); };
      var a = { 'data-e': mk.e, 'data-n': mk.n };
      switch (mk.k) {
        case 'crash': a['class'] = c('crash'); a.d = cross(x, yy, 8); el('path', a, g, title); queue.push({ rank: -2, box: [x - 9, yy - 9, x + 9, yy + 9] }); break;
        case 'recover': a['class'] = c('recover'); a.cx = x; a.cy = yy; a.r = 7; el('circle', a, g, title); break;
        case 'suspect': case 'trust': a['class'] = c(mk.k); a.d = 'M' + x + ' ' + (yy + 4) + 'l5 8l-10 0z'; el('path', a, g, title); break;
        case 'timer': if (showTimers) { a['class'] = c('timer'); a.x1 = x; a.x2 = x; a.y1 = yy - 6; a.y2 = yy + 6; el('line', a, g, title); } break;
        case 'persist': a['class'] = c('persist'); a.x = x - 3; a.y = yy + 6; a.width = 6; a.height = 6; el('rect', a, g, title); break;
        case 'tamper': a['class'] = c('tamper'); a.d = 'M' + x + ' ' + (yy - 14) + 'l6 6l-6 6l-6-6z'; el('path', a, g, title); break;
        case 'dup': a['class'] = c('dupmark'); a.x = x + 3; a.y = yy + 16; el('text', a, g, title).textContent = '×2'; break;
        case 'omission': a['class'] = c('omission'); a.x = x - 1; a.y = yy - 12; a.width = 3; a.height = 24; el('rect', a, g, title); break;
        case 'clock': a['class'] = c('clock'); a.d = 'M' + (x - 5) + ' ' + (yy - 12) + 'a5 5 0 1 0 10 0a5 5 0 1 0 -10 0M' + x + ' ' + (yy - 15) + 'v3h2'; el('path', a, g, title); break;
        case 'slow': a['class'] = c('slowmark'); a.x = x - 7; a.y = yy + 7; a.width = 14; a.height = 4; el('rect', a, g, title); break;
        case 'lost': a['class'] = c('lostmark'); a.d = cross(x, yy + 9, 4); el('path', a, g, title); break;
        case 'obs':
          var grp = el('g', { 'class': c('obs'), 'data-e': mk.e, 'data-n': mk.n }, g, title);
          el('circle', { cx: x, cy: yy, r: 4.5 }, grp);
          if (showLabels && (colW() >= 10 || named[mk.e])) {
            var label = mk.label.length > 26 ? mk.label.slice(0, 25) + '…' : mk.label;
            queue.push({ rank: named[mk.e] ? 0 : mk.lit === false ? 3 : 1, text: label, font: '11px system-ui,sans-serif',
              spots: [[x + 4, yy - 9, 'start'], [x + 4, yy - 20, 'start'], [x + 4, yy + 20, 'start'], [x + 4, yy - 31, 'start'], [x - 4, yy - 9, 'end']],
              draw: obsLabel(grp, label) });
          }
          break;
      }
    });
  }

  function obsLabel(grp, label) {
    return function (x, yy, anchor) {
      el('text', { x: x, y: yy, 'class': 'label', 'text-anchor': anchor }, grp).textContent = label;
    };
  }

  function drawSteps(g) {
    M.events.forEach(function (ev) {
      if (ev.n === null) return;
      el('circle', { cx: xE(ev.e), cy: y(ev.n), r: 3, 'class': cls('step', ev.lit, ev.e), 'data-e': ev.e, 'data-n': ev.n }, g, eventTitle(ev.e));
    });
  }

  function drawViolation(g, queue) {
    var v = M.violation;
    if (!v || !n) return;
    var x = xE(v.event);
    var grp = el('g', { 'class': 'violation', id: 'violation-rule', 'data-e': v.event }, g, v.property + ': ' + v.message);
    el('line', { x1: x, x2: x, y1: TOP - 4, y2: height - 14 }, grp);
    var text = v.property + ' violated (#' + v.event + ')';
    queue.push({ rank: -1, text: text, font: '700 12px system-ui,sans-serif', spots: [[x + 5, TOP + 8, 'start']],
      draw: function () { el('text', { x: x + 5, y: TOP + 8, 'class': 'label' }, grp).textContent = text; } });
    v.culprits.forEach(function (c) {
      el('circle', { cx: xE(c[0]), cy: y(c[1]), r: 11, 'class': 'culprit', 'data-event': c[0], 'data-e': c[0], 'data-n': c[1] }, g,
        'named by the violation: ' + eventTitle(c[0]));
    });
  }

  function drawCursor(g) {
    if (view.step === null) return;
    var ev = M.events[view.step], x = xE(ev.e);
    el('line', { x1: x, x2: x, y1: TOP - 6, y2: height - 10, 'class': 'cursor' }, g);
    if (ev.n !== null) el('circle', { cx: x, cy: y(ev.n), r: 8, 'class': 'cursor-ring' }, g);
  }

  function render() {
    var right = PAD_L + contentWidth() + PAD_R;
    svg.textContent = '';
    svg.setAttribute('width', Math.ceil(right));
    svg.setAttribute('height', height);
    el('path', { d: 'M0 0L10 5L0 10z', fill: '#3465a4' }, el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('defs', {}, svg)));
    var layers = {};
    ['bands', 'axis', 'lines', 'msgs', 'steps', 'marks', 'labels', 'violation', 'cursor'].forEach(function (name) {
      layers[name] = el('g', { 'class': 'layer-' + name }, svg);
    });
    drawBands(layers.bands, right);
    drawAxis(layers.axis);
    drawLifelines(layers.lines, right - PAD_R + 60);
    var queue = [];
    if (on('layer-msgs')) drawMessages(layers.msgs, layers.labels, queue);
    drawSteps(layers.steps);
    drawMarks(layers.marks, queue);
    drawViolation(layers.violation, queue);
    queue.sort(function (a, b) { return a.rank - b.rank; });
    FtsimLabels.place(queue);
    drawCursor(layers.cursor);
    if (view.selected) highlightSelection();
  }

  var pending = false;
  function rerender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); });
  }

  // ---- zoom, pan, modes ---------------------------------------------------------------------
  function fitK() { return Math.max(0.01, (scroller.clientWidth - PAD_L - PAD_R) / (BASE_COL * Math.max(1, n - 1))); }
  function zoomTo(k, screenX) {
    k = Math.min(12, Math.max(Math.min(fitK(), 1) / 2, k));
    var sx = screenX === undefined ? scroller.clientWidth / 2 : screenX;
    var contentX = scroller.scrollLeft + sx, ratio = k / view.k;
    view.k = k;
    render();
    scroller.scrollLeft = PAD_L + (contentX - PAD_L) * ratio - sx;
  }
  document.getElementById('zoom-in').onclick = function () { zoomTo(view.k * 1.4); };
  document.getElementById('zoom-out').onclick = function () { zoomTo(view.k / 1.4); };
  document.getElementById('zoom-fit').onclick = function () { zoomTo(fitK()); scroller.scrollLeft = 0; };
  scroller.addEventListener('wheel', function (ev) {
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) return; // horizontal: pan
    ev.preventDefault();
    var r = scroller.getBoundingClientRect();
    zoomTo(view.k * (ev.deltaY < 0 ? 1.15 : 1 / 1.15), ev.clientX - r.left);
  }, { passive: false });
  var drag = null;
  scroller.addEventListener('pointerdown', function (ev) {
    drag = { x: ev.clientX, left: scroller.scrollLeft, moved: false };
  });
  window.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag.x) > 4) drag.moved = true;
    if (drag.moved) scroller.scrollLeft = drag.left - (ev.clientX - drag.x);
  });
  window.addEventListener('pointerup', function () { setTimeout(function () { drag = null; }, 0); });
  document.querySelectorAll('input[name="xmode"]').forEach(function (r) {
    r.onchange = function () {
      var centre = centreEvent();
      view.mode = r.value;
      render();
      scrollTo(xE(centre));
    };
  });
  function centreEvent() {
    var x = scroller.scrollLeft + scroller.clientWidth / 2, best = n ? M.events[0].e : 0, bd = Infinity;
    M.events.forEach(function (ev) { var d = Math.abs(xE(ev.e) - x); if (d < bd) { bd = d; best = ev.e; } });
    return best;
  }
  function scrollTo(x) { scroller.scrollLeft = Math.max(0, x - scroller.clientWidth / 2); }
  var explain = document.getElementById('explain');
  if (explain) explain.onchange = function () { body.classList.toggle('causal', explain.checked); };
  ['layer-msgs', 'layer-drops', 'layer-labels', 'layer-timers'].forEach(function (id) {
    var box = document.getElementById(id);
    if (box) box.onchange = rerender;
  });

  // ---- selection, details, stepping ---------------------------------------------------------
  function clear() { details.textContent = ''; }
  function add(tag, text, parent) {
    var x = document.createElement(tag);
    if (text !== undefined) x.textContent = text;
    (parent || details).appendChild(x);
    return x;
  }
  function stateAt(node, e) {
    var list = states[node] || [], found = null;
    for (var i = 0; i < list.length && list[i][0] <= e; i++) found = list[i];
    return found;
  }
  // The index of the bracket closing the one at `i` (strings skipped), or the end.
  function matching(s, i) {
    var depth = 0, quote = false;
    for (var j = i; j < s.length; j++) {
      var c = s[j];
      if (quote) { if (c === '\\') j++; else if (c === '"') quote = false; continue; }
      if (c === '"') quote = true;
      else if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') { if (--depth === 0) return j; }
    }
    return s.length - 1;
  }
  // Indents a Debug rendering: a line per field and element; short groups stay on one line.
  function pretty(s) {
    var out = '', depth = 0, quote = false, pad = function () { return '\n' + '  '.repeat(depth); };
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (quote) { out += c; if (c === '\\') { out += s[++i] || ''; } else if (c === '"') quote = false; continue; }
      if (c === '"') { quote = true; out += c; }
      else if (c === '{' || c === '[' || c === '(') {
        var end = matching(s, i);
        if (end - i <= 60) { out += s.slice(i, end + 1); i = end; } else { depth++; out += c + pad(); if (s[i + 1] === ' ') i++; }
      } else if (c === '}' || c === ']' || c === ')') { depth = Math.max(0, depth - 1); out = out.replace(/\s+$/, ''); out += pad() + c; }
      else if (c === ',') { out += ',' + pad(); if (s[i + 1] === ' ') i++; }
      else out += c;
    }
    return out;
  }
  function showEvent(e, node) {
    var ev = byE[e];
    if (!ev) return;
    view.selected = { e: e };
    clear();
    add('h3', 'event #' + ev.e + ' · ' + unitText(ev.t) + (ev.n !== null ? ' · n' + ev.n : ''));
    var v = M.violation;
    if (v && v.event === e) add('p', 'the violation of ' + v.property).className = 'note bad';
    else if (v && v.related.indexOf(e) >= 0) add('p', 'named by the violation of ' + v.property).className = 'note bad';
    var ul = add('ul');
    ev.text.forEach(function (line) { add('li', line, ul); });
    var who = node !== undefined && node !== null ? node : ev.n;
    if (who !== null && who !== undefined) {
      var st = stateAt(who, e);
      add('h4', 'state of n' + who + ' after #' + e + (st && st[0] !== e ? ' (unchanged since #' + st[0] + ')' : ''));
      add('pre', st ? pretty(st[2]) : 'no state recorded before this event');
    }
    highlightSelection();
  }
  function showMessage(id) {
    var m = M.messages.find(function (x) { return x.id === id; });
    if (!m) return;
    view.selected = { msg: id };
    clear();
    add('h3', 'message m' + m.id + ' · n' + m.from + ' → n' + m.to);
    add('pre', pretty(m.text));
    var ul = add('ul');
    add('li', 'sent at #' + m.send + ' (' + unitText(byE[m.send].t) + '), leaves at ' + unitText(m.depart), ul);
    m.deliveries.forEach(function (d, k) { add('li', (k ? 'delivered again at #' : 'delivered at #') + d[0] + ' (' + unitText(byE[d[0]].t) + ')', ul); });
    if (m.drop) add('li', 'dropped at #' + m.drop.e + ': ' + m.drop.reason, ul);
    if (m.tampered) add('li', 'a traitor replaced what its correct code sent: ' + m.tampered, ul);
    highlightSelection();
  }
  function highlightSelection() {
    svg.querySelectorAll('.selected').forEach(function (x) { x.classList.remove('selected'); });
    var s = view.selected;
    if (!s) return;
    var q = s.msg !== undefined ? '[data-msg="' + s.msg + '"]' : '.step[data-e="' + s.e + '"]';
    svg.querySelectorAll(q).forEach(function (x) { x.classList.add('selected'); });
  }
  svg.addEventListener('click', function (ev) {
    if (drag && drag.moved) return;
    var m = ev.target.closest('[data-msg]');
    if (m) { showMessage(+m.getAttribute('data-msg')); return; }
    var e = ev.target.closest('[data-e]');
    if (e) {
      var at = +e.getAttribute('data-e');
      if (view.step !== null) { view.step = col[at] !== undefined ? col[at] : view.step; render(); }
      showEvent(at, e.hasAttribute('data-n') ? +e.getAttribute('data-n') : undefined);
    }
  });
  function step(delta) {
    if (!n) return;
    view.step = view.step === null ? (delta > 0 ? 0 : n - 1) : Math.min(n - 1, Math.max(0, view.step + delta));
    body.classList.add('stepping');
    render();
    var ev = M.events[view.step], x = xE(ev.e);
    if (x < scroller.scrollLeft + 40 || x > scroller.scrollLeft + scroller.clientWidth - 60) scrollTo(x);
    showEvent(ev.e);
    document.getElementById('step-pos').textContent = (view.step + 1) + ' / ' + n;
  }
  document.getElementById('step-next').onclick = function () { step(1); };
  document.getElementById('step-prev').onclick = function () { step(-1); };
  document.getElementById('step-off').onclick = function () {
    view.step = null;
    body.classList.remove('stepping');
    document.getElementById('step-pos').textContent = '';
    render();
  };
  document.addEventListener('keydown', function (ev) {
    if (ev.target.tagName === 'INPUT' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'ArrowRight' || ev.key === 'n') { step(1); ev.preventDefault(); }
    else if (ev.key === 'ArrowLeft' || ev.key === 'p') { step(-1); ev.preventDefault(); }
    else if (ev.key === '+' || ev.key === '=') zoomTo(view.k * 1.4);
    else if (ev.key === '-') zoomTo(view.k / 1.4);
    else if (ev.key === 'f') document.getElementById('zoom-fit').onclick();
  });
  document.querySelectorAll('[data-goto]').forEach(function (a) {
    a.onclick = function (ev) {
      ev.preventDefault();
      var e = +a.getAttribute('data-goto');
      scrollTo(xE(e));
      showEvent(e);
    };
  });

  // ---- the first screen ---------------------------------------------------------------------
  // Zoom so that the violation and every event it names fit on screen (small runs fit whole),
  // then centre them.
  function firstScreen() {
    var W = scroller.clientWidth;
    view.k = fitK() >= 0.6 ? Math.min(2, fitK()) : 1;
    var v = M.violation, focus = [];
    if (v) focus = [v.event].concat(v.related).filter(function (e) { return e in col; });
    if (!focus.length) { render(); return; }
    var extent = function () {
      var xs = focus.map(xE);
      return [Math.min.apply(null, xs), Math.max.apply(null, xs)];
    };
    var ends = extent(), room = Math.max(120, W * 0.8 - 140);
    if (ends[1] - ends[0] > room) view.k = Math.max(fitK(), view.k * room / (ends[1] - ends[0]));
    render();
    ends = extent();
    scroller.scrollLeft = Math.max(0, (ends[0] + ends[1]) / 2 - W / 2 + 40);
    showEvent(v.event in col ? v.event : focus[focus.length - 1]);
  }
  function visible(node) {
    var r = node.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    return r.left >= s.left - 1 && r.right <= s.right + 1 && r.top >= 0 && r.bottom <= window.innerHeight;
  }
  // A link can ask for the x axis, an event to show, or a step: #x=time&e=23&step=40.
  var link = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('=');
    if (p.length === 2) link[p[0]] = p[1];
  });
  if (link.x === 'time' || link.x === 'order') {
    view.mode = link.x;
    document.querySelector('input[name="xmode"][value="' + link.x + '"]').checked = true;
  }
  drawNames();
  firstScreen();
  if (link.step !== undefined && +link.step in col) {
    view.step = col[+link.step] - 1;
    step(1);
  } else if (link.e !== undefined && +link.e in col) {
    scrollTo(xE(+link.e));
    showEvent(+link.e);
  }
  var rule = document.getElementById('violation-rule');
  var rings = svg.querySelectorAll('.culprit');
  body.setAttribute('data-violation-visible', rule ? (visible(rule.querySelector('line')) ? 'yes' : 'no') : 'none');
  body.setAttribute('data-culprits', Array.prototype.map.call(rings, function (r) { return r.getAttribute('data-event'); }).join(','));
  body.setAttribute('data-culprits-visible', Array.prototype.every.call(rings, visible) ? 'yes' : 'no');
  body.setAttribute('data-lit-events', M.events.filter(function (e) { return e.lit; }).length);
  body.setAttribute('data-culprits-lit', M.violation && M.violation.culprits.every(function (c) { return byE[c[0]] && byE[c[0]].lit; }) ? 'yes' : 'no');
  body.setAttribute('data-label-overlaps', FtsimLabels.overlaps(svg.querySelectorAll('text.label')));
  body.setAttribute('data-render-ms', Math.round(performance.now()));
  body.setAttribute('data-render', 'ok');
})();
