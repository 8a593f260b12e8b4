// Placing the diagram's text labels (message kinds, observations) so that none overlaps
// another: each label tries a few spots near what it names (above its line or mark, then
// below, then along a message's arrow) and is left out where every spot would overlap a label
// already placed, so zooming in shows more of them. Labels are placed in the order given
// (the page puts those of the events a violation names first). `overlaps` counts the
// overlapping pairs among the labels drawn, from their laid-out boxes, for .ci/check-html.
// Loaded before diagram.js in the same script element; defines only FtsimLabels.
var FtsimLabels = (function () {
  'use strict';
  var CELL = 64;
  var canvas = document.createElement('canvas').getContext('2d');
  var widths = {};
  // The width of `text` in `font`, as the browser lays it out.
  function width(text, font) {
    var key = font + '|' + text;
    if (!(key in widths)) {
      canvas.font = font;
      widths[key] = canvas.measureText(text).width;
    }
    return widths[key];
  }

  // How far `font`'s text reaches above and below its baseline.
  var fonts = {};
  function metrics(font) {
    if (!(font in fonts)) {
      canvas.font = font;
      var m = canvas.measureText('Hg'), size = parseFloat(font.replace(/^\D*/, '')) || 11;
      fonts[font] = {
        ascent: m.fontBoundingBoxAscent || size * 0.95,
        descent: m.fontBoundingBoxDescent || size * 0.3
      };
    }
    return fonts[font];
  }

  // A set of boxes [x0, y0, x1, y1], indexed by CELL-wide columns for quick tests.
  function Boxes() { this.cols = {}; }
  Boxes.prototype.each = function (b, f) {
    for (var c = Math.floor(b[0] / CELL); c <= Math.floor(b[2] / CELL); c++) f(this.cols[c] || (this.cols[c] = []));
  };
  Boxes.prototype.hits = function (b) {
    var hit = false;
    this.each(b, function (col) {
      for (var i = 0; i < col.length && !hit; i++) {
        var o = col[i];
        hit = b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
      }
    });
    return hit;
  };
  Boxes.prototype.add = function (b) { this.each(b, function (col) { col.push(b); }); };

  // Places `labels`, each { spots: [[x, y, anchor]...], text, font, draw }, in order; calls
  // draw(x, y, anchor) at the first spot of each where it overlaps nothing placed before. An
  // entry { box: [x0, y0, x1, y1] } instead keeps labels off a mark.
  function place(labels) {
    var boxes = new Boxes();
    labels.forEach(function (l) {
      if (l.box) { boxes.add(l.box); return; }
      var w = width(l.text, l.font) + 2, m = metrics(l.font);
      for (var i = 0; i < l.spots.length; i++) {
        var s = l.spots[i], x0 = s[2] === 'middle' ? s[0] - w / 2 : s[2] === 'end' ? s[0] - w : s[0];
        var b = [x0 - 1, s[1] - m.ascent - 1, x0 + w, s[1] + m.descent];
        if (!boxes.hits(b)) {
          boxes.add(b);
          l.draw(s[0], s[1], s[2]);
          return;
        }
      }
    });
  }

  // How many pairs of `nodes` (laid-out SVG text) overlap by more than a pixel each way.
  function overlaps(nodes) {
    var boxes = Array.prototype.map.call(nodes, function (t) {
      var r = t.getBoundingClientRect();
      return [r.left, r.top, r.right, r.bottom];
    }).filter(function (b) { return b[2] > b[0]; });
    boxes.sort(function (a, b) { return a[0] - b[0]; });
    var count = 0;
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length && boxes[j][0] < boxes[i][2] - 1; j++) {
        var a = boxes[i], b = boxes[j];
        if (Math.min(a[2], b[2]) - Math.max(a[0], b[0]) > 1 && Math.min(a[3], b[3]) - Math.max(a[1], b[1]) > 1) count++;
      }
    }
    return count;
  }

  return { place: place, overlaps: overlaps };
})();
