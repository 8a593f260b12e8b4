// The sweep index's filter and groups: a button per status shows only the scenarios with that
// status (opening the protocol groups that have any and hiding the others); "all" shows every
// scenario again. A link to a group (#group-NAME, from the summary) opens it; a link can ask
// for a status (#show=outside). Records on <body> the page's widest layout with every group
// open (data-scroll-width, data-fits), for .ci/check-html.
(function () {
  'use strict';
  var buttons = document.querySelectorAll('[data-show]');
  var groups = document.querySelectorAll('details.group');
  function show(status) {
    buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-show') === status)); });
    groups.forEach(function (g) {
      var shown = 0;
      g.querySelectorAll('tr[data-status]').forEach(function (r) {
        var on = status === 'all' || r.getAttribute('data-status') === status ||
          (status === 'diagram' && r.hasAttribute('data-diagram'));
        r.hidden = !on;
        if (on) shown++;
      });
      g.hidden = shown === 0;
      if (status !== 'all') g.open = shown > 0;
    });
  }
  buttons.forEach(function (b) { b.onclick = function () { show(b.getAttribute('data-show')); }; });
  document.getElementById('open-all').onclick = function () { groups.forEach(function (g) { g.open = true; }); };
  document.getElementById('close-all').onclick = function () { groups.forEach(function (g) { g.open = false; }); };
  function openLinked() {
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash.indexOf('show=') === 0) { show(hash.slice(5)); return; }
    var g = document.getElementById(hash);
    if (g && g.tagName === 'DETAILS') g.open = true;
  }
  window.addEventListener('hashchange', openLinked);
  openLinked();
  var was = Array.prototype.map.call(groups, function (g) { return g.open; });
  groups.forEach(function (g) { g.open = true; });
  var wide = document.documentElement.scrollWidth;
  groups.forEach(function (g, i) { g.open = was[i]; });
  document.body.setAttribute('data-scroll-width', wide);
  document.body.setAttribute('data-fits', wide <= window.innerWidth ? 'yes' : 'no');
  document.body.setAttribute('data-render', 'ok');
})();
