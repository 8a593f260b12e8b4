// A client history, drawn from the JSON the page embeds (reports/src/html/history.rs): one
// row per client, each operation a bar from its invocation to its response (hatched to the
// right edge when it never returned), the culprit and the operations that pin the state
// ringed, the partial linearization as numbered badges joined by a line. Everything from the
// file arrives as JSON data and reaches the page only through textContent and setAttribute,
// never as markup.
//
// The x axis is the history's order compressed to ranks: one column per distinct position of
// the operations shown (all, or one key's). The page opens zoomed so that a typical bar has
// room for its label and the culprit fits, and scrolled so that the culprit is on screen.
// When done it sets on <body>, for .ci/check-history-html: data-render="ok" (any error goes
// to data-error), data-culprit-visible ("1" when the culprit's ring is in the viewport, "0"
// when not, "none" without a culprit), data-ops (the operations in the drawing: all, or one
// key's), data-bars (their bars made so far: those near the view), data-rings (the rings
// made so far: the culprit's and those of the operations pinning its state near the view)
// and data-render-ms.
(function () {
  'use strict';
  var body = document.body;
  window.addEventListener('error', function (e) {
    body.setAttribute('data-error', String(e.message));
  });
  var H = JSON.parse(document.getElementById('history').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var ROLES = ['plain', 'culprit', 'pinning', 'concurrent'];
  var ROLE_WORDS = {
    plain: '',
    culprit: 'the culprit: its response cannot be linearized',
    pinning: 'pins the state the explanation reasons about',
    concurrent: 'open during the culprit'
  };
  var TOP = 36, TRACK = 24, BAR = 16, GAP = 8, PAD_L = 16, PAD_R = 60, OPEN_TAIL = 56, CHAR_W = 6.4;
  var svg = document.getElementById('diagram');
  var names = document.getElementById('names');
  var scroller = document.getElementById('scroll');
  var details = document.getElementById('details');
  var keySelect = document.getElementById('key');
  var ops = H.ops.map(function (o, i) {
    return { i: i, lane: o[0], start: o[1], end: o[2], role: ROLES[o[3]] || 'plain', order: o[4], key: o[5], label: o[6], detail: o[7] };
  });
  var culprit = H.culprit === null || !ops[H.culprit] || ops[H.culprit].role !== 'culprit' ? null : ops[H.culprit];
  var view = { key: null, colW: 24, selected: null };
  var L = null, namesW = 90;

  function el(tag, attrs, parent) {
    var x = document.createElementNS(NS, tag);
    for (var a in attrs) if (attrs[a] !== null && attrs[a] !== undefined) x.setAttribute(a, attrs[a]);
    if (parent) parent.appendChild(x);
    return x;
  }
  function titled(x, text) {
    el('title', {}, x).textContent = text;
    return x;
  }
  function numeric(a, b) { return a - b; }

  // ---- layout -------------------------------------------------------------------------------
  // The operations shown (all, or one key's); the ranks of the x axis (the distinct positions
  // of their invocations and responses); each operation's track in its lane (a lane has more
  // than one where its operations overlap, as after one that never returned); each lane's top.
  function layout() {
    var shown = ops.filter(function (o) { return view.key === null || o.key === view.key; });
    var pos = [];
    shown.forEach(function (o) { pos.push(o.start); if (o.end !== null) pos.push(o.end); });
    pos.sort(numeric);
    var positions = [], rank = new Map();
    pos.forEach(function (p) { if (!rank.has(p)) { rank.set(p, positions.length); positions.push(p); } });
    var byLane = H.lanes.map(function () { return []; });
    shown.forEach(function (o) {
      o.r0 = rank.get(o.start);
      o.r1 = o.end === null ? Infinity : rank.get(o.end);
      byLane[o.lane].push(o);
    });
    var tops = [], tracks = [], y = TOP;
    byLane.forEach(function (list, lane) {
      list.sort(function (a, b) { return a.r0 - b.r0; });
      var ends = [];
      list.forEach(function (o) {
        var t = 0;
        while (t < ends.length && ends[t] >= o.r0) t++;
        ends[t] = o.r1;
        o.track = t;
      });
      tops[lane] = y;
      tracks[lane] = Math.max(1, ends.length);
      y += tracks[lane] * TRACK + GAP;
    });
    L = { shown: shown, positions: positions, tops: tops, tracks: tracks, height: y + 6 };
  }
  function xr(r) { return PAD_L + r * view.colW; }
  function openEnd() { return xr(Math.max(0, L.positions.length - 1)) + OPEN_TAIL; }
  function box(o) {
    var x0 = xr(o.r0), x1 = o.r1 === Infinity ? openEnd() : xr(o.r1);
    return { x: x0, y: L.tops[o.lane] + o.track * TRACK + (TRACK - BAR) / 2, w: Math.max(3, x1 - x0), h: BAR };
  }
  function shownCulprit() { return culprit && (view.key === null || culprit.key === view.key) ? culprit : null; }
  function keyName(o) { return o.key === null ? null : H.keys[o.key]; }
  function barText(o) { return (view.key === null && o.key !== null ? '[' + keyName(o) + '] ' : '') + o.label; }
  function where(o) {
    return 'invoked at #' + o.start + (o.end === null ? ', never returned' : ', returned at #' + o.end);
  }
  function tip(o) {
    var lines = [H.lanes[o.lane] + (o.key !== null ? ' · key ' + keyName(o) : '') + ': ' + o.label, where(o)];
    if (ROLE_WORDS[o.role]) lines.push(ROLE_WORDS[o.role]);
    if (o.order !== null) lines.push('linearized ' + ordinal(o.order));
    if (o.detail) lines.push(o.detail);
    return lines.join('\n');
  }
  function ordinal(n) {
    var s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th';
    return n + s;
  }

  // ---- drawing ------------------------------------------------------------------------------
  function drawNames() {
    var longest = H.lanes.reduce(function (m, s) { return Math.max(m, s.length); }, 4);
    var width = Math.min(150, Math.max(64, Math.round(longest * 7 + 18)));
    namesW = width;
    names.textContent = '';
    names.setAttribute('width', width);
    names.setAttribute('height', L.height);
    H.lanes.forEach(function (name, lane) {
      bandOf(lane, width, names);
      var text = name.length * 7 + 18 > width ? name.slice(0, Math.floor((width - 18) / 7) - 1) + '…' : name;
      titled(el('text', { x: 8, y: L.tops[lane] + TRACK / 2 + 4, 'class': 'lane-name' }, names), name).textContent = text;
    });
  }
  function bandOf(lane, width, parent) {
    if (lane % 2) el('rect', { x: 0, y: L.tops[lane] - GAP / 2, width: width, height: L.tracks[lane] * TRACK + GAP, 'class': 'lane-band' }, parent);
  }

  // The ticks between x = lo and x = hi, and the axis's title at the left of the view.
  function drawAxis(g, lo, hi) {
    var n = L.positions.length;
    var every = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000].find(function (s) { return s * view.colW >= 64; }) || 100000;
    var first = Math.max(0, Math.floor((lo - PAD_L) / view.colW / every) * every);
    for (var r = first; r < n && xr(r) <= hi; r += every) {
      var x = xr(r);
      el('line', { x1: x, x2: x, y1: TOP - 8, y2: L.height - 4, 'class': 'tick' }, g);
      el('text', { x: x, y: TOP - 12, 'class': 'time' }, g).textContent = '#' + L.positions[r];
    }
    el('text', { x: scroller.scrollLeft + PAD_L, y: 12, 'class': 'axis-title' }, g).textContent = 'history order, one column per invocation or response' +
      (view.key === null ? '' : ' of key ' + H.keys[view.key]) + ' (ticks: positions in the history)';
  }

  // A band across every lane over the culprit's interval: what was open during it.
  function drawCulpritSpan(g) {
    var c = shownCulprit();
    if (!c) return;
    var b = box(c);
    el('rect', { x: b.x, y: TOP - 6, width: b.w, height: L.height - TOP, 'class': 'culprit-span' }, g);
  }

  // One operation's bar, its label where it fits (beside its badge, if it has one) and its
  // ring; returns whether it is ringed.
  function drawOp(o, b, layers, badge) {
    var rect = el('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 3, 'class': 'bar ' + o.role + (o.end === null ? ' open' : ''), 'data-i': o.i }, layers.bars);
    titled(rect, tip(o));
    var lo = b.x + 4, hi = b.x + b.w - 4;
    if (badge) {
      var left = badge.x - badge.w / 2 - 3, right = badge.x + badge.w / 2 + 3;
      if (hi - right >= left - lo) lo = right; else hi = left;
    }
    var fit = Math.floor((hi - lo) / CHAR_W);
    if (fit >= 3) {
      var text = barText(o);
      el('text', { x: lo, y: b.y + 12, 'class': 'bar-label' }, layers.labels).textContent = text.length > fit ? text.slice(0, fit - 1) + '…' : text;
    }
    if (o.role !== 'culprit' && o.role !== 'pinning') return 0;
    el('rect', { x: b.x - 3, y: b.y - 3, width: b.w + 6, height: b.h + 6, rx: 5, 'class': 'ring ' + o.role, 'data-i': o.i,
      id: o === culprit ? 'culprit-ring' : null }, layers.rings);
    return 1;
  }

  // Where the partial linearization's badges go: each at the latest point of its operation's
  // bar before the next one's (where it could take effect), so that the line leads up to the
  // state the culprit saw.
  function orderPoints() {
    var list = L.shown.filter(function (o) { return o.order !== null; }).sort(function (a, b) { return a.order - b.order; });
    var points = [], next = Infinity;
    for (var k = list.length - 1; k >= 0; k--) {
      var o = list[k], b = box(o), inset = Math.min(9, b.w / 2);
      var x = Math.max(b.x + inset, Math.min(b.x + b.w - inset, next - 4));
      next = x;
      points[k] = { x: x, y: b.y + b.h / 2, w: 8 + 6 * String(o.order).length, o: o };
    }
    return points;
  }

  // The partial linearization: numbered badges (those between x = lo and x = hi) joined by a
  // line.
  function drawOrder(g, points, lo, hi) {
    if (!points.length) return;
    el('polyline', { points: points.map(function (p) { return p.x + ',' + p.y; }).join(' '), 'class': 'order-line' }, g);
    var last = { x: -Infinity, y: 0 };
    points.forEach(function (p) {
      if (p.x < lo || p.x > hi) return;
      var grp = titled(el('g', { 'class': 'badge-group', 'data-i': p.o.i }, g), 'linearized ' + ordinal(p.o.order) + ': ' + p.o.label);
      el('rect', { x: p.x - p.w / 2, y: p.y - 7, width: p.w, height: 14, rx: 7, 'class': 'badge' }, grp);
      // A number that would overlap the previous one's is left out (its title keeps it).
      if (Math.abs(p.x - last.x) < p.w + 2 && Math.abs(p.y - last.y) < 14) return;
      last = p;
      el('text', { x: p.x, y: p.y + 3.5, 'class': 'badge-text' }, grp).textContent = p.o.order;
    });
  }

  // Draws what is within a view's width either side of the view (bars are made only there:
  // a history of any length draws as fast as a short one), again as the view leaves it.
  function resize() {
    svg.setAttribute('width', Math.ceil(openEnd() + PAD_R));
    svg.setAttribute('height', L.height);
  }
  function render() {
    var right = openEnd() + PAD_R;
    resize();
    svg.textContent = '';
    var lo = scroller.scrollLeft - viewW(), hi = scroller.scrollLeft + 2 * viewW();
    drawn = [lo, hi];
    var layers = {};
    ['lanes', 'culprit', 'axis', 'bars', 'labels', 'order', 'rings'].forEach(function (name) {
      layers[name] = el('g', { 'class': 'layer-' + name }, svg);
    });
    H.lanes.forEach(function (name, lane) { bandOf(lane, right, layers.lanes); });
    drawCulpritSpan(layers.culprit);
    drawAxis(layers.axis, lo, hi);
    var points = orderPoints(), badges = {}, rings = 0, bars = 0;
    points.forEach(function (p) { badges[p.o.i] = p; });
    L.shown.forEach(function (o) {
      var b = box(o);
      if (b.x > hi || b.x + b.w < lo) return;
      bars++;
      rings += drawOp(o, b, layers, badges[o.i]);
    });
    drawOrder(layers.order, points, lo, hi);
    highlightSelection();
    body.setAttribute('data-ops', L.shown.length);
    body.setAttribute('data-bars', bars);
    body.setAttribute('data-rings', rings);
  }
  var drawn = null, pending = false;
  scroller.addEventListener('scroll', function () {
    var left = scroller.scrollLeft, w = viewW();
    if (pending || !drawn || (left >= drawn[0] + w / 2 && left + w <= drawn[1] - w / 2)) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); });
  });

  // ---- zoom, pan, filter --------------------------------------------------------------------
  // The lanes scroll both ways inside #scroll, whose names column sticks to its left: the
  // diagram's x from scrollLeft to scrollLeft + viewW() is in view.
  function viewW() { return Math.max(100, scroller.clientWidth - namesW); }
  function fitW() { return Math.max(0.02, (viewW() - PAD_L - PAD_R - OPEN_TAIL) / Math.max(1, L.positions.length - 1)); }
  // The ops the first screen is about: the culprit and what pins its state.
  function focusOps() {
    var c = shownCulprit();
    return c ? L.shown.filter(function (o) { return o === c || o.role === 'pinning'; }) : [];
  }
  // The zoom at which a typical bar has room for its label, but the culprit (and what pins
  // its state, unless that means zooming out more than 3 times) fits in most of the screen;
  // at least the zoom that fits the whole history, at most 80 px a column.
  function defaultW() {
    var spans = L.shown.filter(function (o) { return o.r1 !== Infinity; }).map(function (o) { return o.r1 - o.r0; }).sort(numeric);
    var median = spans.length ? Math.max(1, spans[spans.length >> 1]) : 1;
    var w = Math.min(40, 72 / median), c = shownCulprit();
    var span = function (list) {
      var lo = Math.min.apply(null, list.map(function (o) { return o.r0; }));
      var hi = Math.max.apply(null, list.map(function (o) { return o.r1 === Infinity ? o.r0 + 1 : o.r1; }));
      return Math.max(1, hi - lo);
    };
    if (c) {
      var culpritW = viewW() * 0.7 / span([c]), allW = viewW() * 0.8 / span(focusOps());
      w = Math.min(w, culpritW, allW >= w / 3 ? allW : Infinity);
    }
    return Math.min(80, Math.max(w, fitW()));
  }
  function zoomTo(w, screenX) {
    w = Math.min(120, Math.max(Math.min(fitW(), 1) / 2, w));
    var sx = screenX === undefined ? viewW() / 2 : screenX;
    var contentX = scroller.scrollLeft + sx, ratio = w / view.colW;
    view.colW = w;
    resize();
    scroller.scrollLeft = PAD_L + (contentX - PAD_L) * ratio - sx;
    render();
  }
  // Centres on the culprit and what pins its state where they fit, else on the culprit.
  function centre(extent, size, culpritLo, culpritHi) {
    if (extent[1] - extent[0] <= size * 0.9) return (extent[0] + extent[1]) / 2 - size / 2;
    return culpritLo + Math.min(culpritHi - culpritLo, size * 0.8) / 2 - size / 2;
  }
  // Scrolls the culprit's bar (or the start) into view, across and down.
  function focusCulprit() {
    var c = shownCulprit();
    if (!c) { scroller.scrollLeft = 0; render(); return; }
    var boxes = focusOps().map(box), b = box(c);
    var xs = [Math.min.apply(null, boxes.map(function (x) { return x.x; })), Math.max.apply(null, boxes.map(function (x) { return x.x + x.w; }))];
    var ys = [Math.min.apply(null, boxes.map(function (x) { return x.y; })), Math.max.apply(null, boxes.map(function (x) { return x.y + x.h; }))];
    scroller.scrollLeft = Math.max(0, centre(xs, viewW(), b.x, b.x + b.w));
    if (L.height > scroller.clientHeight) scroller.scrollTop = Math.max(0, centre(ys, scroller.clientHeight, b.y - 30, b.y + b.h + 30));
    render();
    var ring = document.getElementById('culprit-ring');
    if (ring && ring.getBoundingClientRect().bottom > window.innerHeight) window.scrollBy(0, ring.getBoundingClientRect().bottom - window.innerHeight + 24);
  }
  // The lanes take the height the header leaves (at least 180 px), so that the page itself
  // does not scroll.
  function sizeScroller() {
    var top = scroller.getBoundingClientRect().top + window.scrollY;
    scroller.style.maxHeight = Math.max(180, window.innerHeight - top - 6) + 'px';
  }
  function refit() {
    layout();
    drawNames();
    view.colW = defaultW();
    resize();
    focusCulprit();
  }
  document.getElementById('zoom-in').onclick = function () { zoomTo(view.colW * 1.4); };
  document.getElementById('zoom-out').onclick = function () { zoomTo(view.colW / 1.4); };
  document.getElementById('zoom-fit').onclick = function () { view.colW = fitW(); resize(); scroller.scrollLeft = 0; render(); };
  document.getElementById('to-culprit').onclick = function () { view.colW = defaultW(); resize(); focusCulprit(); };
  window.addEventListener('resize', sizeScroller);
  scroller.addEventListener('wheel', function (ev) {
    if (!(ev.ctrlKey || ev.metaKey || ev.altKey)) return; // plain wheel: scroll
    ev.preventDefault();
    var r = scroller.getBoundingClientRect();
    zoomTo(view.colW * (ev.deltaY < 0 ? 1.15 : 1 / 1.15), ev.clientX - r.left - namesW);
  }, { passive: false });
  var drag = null;
  scroller.addEventListener('pointerdown', function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, left: scroller.scrollLeft, top: scroller.scrollTop, moved: false };
  });
  window.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 4) drag.moved = true;
    if (!drag.moved) return;
    scroller.scrollLeft = drag.left - (ev.clientX - drag.x);
    scroller.scrollTop = drag.top - (ev.clientY - drag.y);
  });
  window.addEventListener('pointerup', function () { setTimeout(function () { drag = null; }, 0); });
  if (keySelect) keySelect.onchange = function () {
    view.key = keySelect.value === '' ? null : +keySelect.value;
    refit();
  };
  document.addEventListener('keydown', function (ev) {
    if (ev.target.tagName === 'SELECT' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '+' || ev.key === '=') zoomTo(view.colW * 1.4);
    else if (ev.key === '-') zoomTo(view.colW / 1.4);
    else if (ev.key === 'f') document.getElementById('zoom-fit').onclick();
    else if (ev.key === 'c') document.getElementById('to-culprit').onclick();
  });

  // ---- details ------------------------------------------------------------------------------
  function add(tag, text, parent) {
    var x = document.createElement(tag);
    if (text !== undefined) x.textContent = text;
    (parent || details).appendChild(x);
    return x;
  }
  function showOp(o) {
    view.selected = o.i;
    details.textContent = '';
    add('h3', o.label);
    if (ROLE_WORDS[o.role]) add('p', ROLE_WORDS[o.role]).className = 'note' + (o.role === 'culprit' ? ' bad' : '');
    var ul = add('ul');
    add('li', H.lanes[o.lane], ul);
    if (o.key !== null) add('li', 'key ' + keyName(o), ul);
    add('li', where(o), ul);
    if (o.order !== null) add('li', 'linearized ' + ordinal(o.order) + ' in the order shown', ul);
    if (o.detail) add('pre', o.detail);
    highlightSelection();
  }
  function highlightSelection() {
    svg.querySelectorAll('.selected').forEach(function (x) { x.classList.remove('selected'); });
    if (view.selected !== null) svg.querySelectorAll('.bar[data-i="' + view.selected + '"]').forEach(function (x) { x.classList.add('selected'); });
  }
  svg.addEventListener('click', function (ev) {
    if (drag && drag.moved) return;
    var t = ev.target.closest('[data-i]');
    if (t) showOp(ops[+t.getAttribute('data-i')]);
  });

  // ---- the first screen ---------------------------------------------------------------------
  // A link can ask for one key: #key=NAME.
  var wanted = /^#key=(.*)$/.exec(location.hash);
  if (wanted && keySelect) {
    var k = H.keys.indexOf(decodeURIComponent(wanted[1]));
    if (k >= 0) { view.key = k; keySelect.value = String(k); }
  }
  sizeScroller();
  refit();
  if (shownCulprit()) showOp(culprit);
  var ring = document.getElementById('culprit-ring');
  var visible = culprit ? '0' : 'none';
  if (ring) {
    var r = ring.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    var across = Math.min(r.right, s.left + scroller.clientWidth, window.innerWidth) - Math.max(r.left, s.left + namesW, 0);
    var down = r.top >= Math.max(s.top, 0) && r.bottom <= Math.min(s.top + scroller.clientHeight, window.innerHeight);
    visible = across >= Math.min(40, r.width) - 1 && down ? '1' : '0';
  }
  body.setAttribute('data-culprit-visible', visible);
  body.setAttribute('data-render-ms', Math.round(performance.now()));
  body.setAttribute('data-render', 'ok');
})();
