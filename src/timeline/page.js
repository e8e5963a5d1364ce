// The report page's script: draws the run from the JSON in #timeline-data on canvases,
// with level of detail (dense observations become per-lane count cells; faults,
// violations, role changes and suspicions are always drawn one by one), lanes grouped
// by role and zone when there are many, zoom and pan on the time axis, a brush on the
// overview, jump-to-violation, a message diagram and request panels for the window in
// view. No network, no libraries. window.hasimReport exposes the view for tests.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('timeline-data').textContent);
  var END = Math.max(D.end, 1);
  var LEFT = 170, RIGHT = 16;
  var COLOUR = { up: '#43a047', down: '#e53935', paused: '#fb8c00', bg: '#eceff1', suspected: '#37474f' };
  var STATUS = [COLOUR.down, COLOUR.up, COLOUR.paused];
  var STATUS_NAME = ['down', 'up', 'paused'];
  var PALETTE = ['#1e88e5', '#8e24aa', '#00897b', '#6d4c41', '#3949ab', '#c0ca33'];

  function undelta(a, stride) {
    var t = 0;
    for (var i = 0; i < a.length; i += stride) { t += a[i]; a[i] = t; }
    return a;
  }
  D.lanes.forEach(function (l) { undelta(l.s, 2); undelta(l.r, 2); undelta(l.x, 2); });
  undelta(D.marks, 4); undelta(D.req, 3); undelta(D.msgs, 7);
  var MARKS = D.marks.length / 4, REQS = D.req.length / 3, MSGS = D.msgs.length / 7;

  function roleColour(name) {
    if (name === 'leader' || name === 'primary') { return PALETTE[0]; }
    if (name === 'candidate') { return PALETTE[1]; }
    var h = 7;
    for (var i = 0; i < name.length; i++) { h = (Math.imul(h, 31) + name.charCodeAt(i)) >>> 0; }
    return PALETTE[2 + (h % 4)];
  }
  function bandColour(kind) {
    if (kind === 'partition') { return '#7e57c2'; }
    if (kind === 'cut' || kind === 'link_down' || kind === 'isolate') { return '#5c6bc0'; }
    if (kind === 'loss_spike' || kind === 'latency_spike') { return '#f06292'; }
    return '#8d6e63';
  }
  function important(verb) { return verb !== 'observe'; }
  function markColour(verb) {
    if (verb === 'crash') { return COLOUR.down; }
    if (verb === 'restart' || verb === 'start') { return COLOUR.up; }
    if (verb === 'pause' || verb === 'resume') { return COLOUR.paused; }
    if (verb === 'violation') { return '#b71c1c'; }
    if (verb === 'observe') { return '#263238'; }
    return '#6a1b9a';
  }

  // Times print like the trace's durations: 7.010596681s, 12.5ms.
  function fmt(ns) {
    var a = Math.abs(ns), unit, div;
    if (a === 0) { return '0s'; }
    if (a >= 1e9) { unit = 's'; div = 1e9; } else if (a >= 1e6) { unit = 'ms'; div = 1e6; } else if (a >= 1e3) { unit = 'us'; div = 1e3; } else { unit = 'ns'; div = 1; }
    var text = (ns / div).toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
    return text + unit;
  }
  function markLine(i) {
    var node = D.marks[4 * i + 1], verb = D.verbs[D.marks[4 * i + 2]];
    return fmt(D.marks[4 * i]) + (node >= 0 ? ' ' + D.lanes[node].n : '') + ' ' + verb + ' ' + D.texts[D.marks[4 * i + 3]];
  }

  // Marks by lane (a violation's node is -1: it spans all lanes), time-sorted.
  var laneMarks = D.lanes.map(function () { return []; });
  var globalMarks = [], importantCount = 0, violations = [];
  for (var i = 0; i < MARKS; i++) {
    var node = D.marks[4 * i + 1], verb = D.verbs[D.marks[4 * i + 2]];
    if (important(verb)) { importantCount++; }
    if (verb === 'violation') { violations.push(i); }
    if (node >= 0 && node < D.lanes.length) { laneMarks[node].push(i); } else { globalMarks.push(i); }
  }

  // Groups: by role and zone once the lanes are too many to read one by one; a group
  // of more than GROUP_MAX (one role, no zones) is cut into blocks of nodes in id order.
  var grouped = D.lanes.length > 40, GROUP_MAX = 64;
  var groups = [], groupOf = {};
  D.lanes.forEach(function (l, n) {
    var key = grouped ? l.g + (l.z ? ' · ' + l.z : '') : l.n;
    if (!(key in groupOf)) { groupOf[key] = groups.length; groups.push({ key: key, members: [], open: !grouped }); }
    groups[groupOf[key]].members.push(n);
  });
  groups = [].concat.apply([], groups.map(function (g) {
    if (g.members.length <= GROUP_MAX) { return [g]; }
    var blocks = [];
    for (var i = 0; i < g.members.length; i += 50) {
      var part = g.members.slice(i, i + 50);
      blocks.push({ key: g.key + ' ' + D.lanes[part[0]].n + '…' + D.lanes[part[part.length - 1]].n, members: part, open: false });
    }
    return blocks;
  }));
  function rows() {
    var out = [];
    groups.forEach(function (g, gi) {
      if (grouped) { out.push({ group: gi }); }
      if (g.open) { g.members.forEach(function (n) { out.push({ lane: n }); }); }
    });
    return out;
  }

  var view = { from: 0, to: END };
  var stats = {};
  var main = document.getElementById('timeline');
  var over = document.getElementById('overview');
  var series = document.getElementById('series');
  var diagram = document.getElementById('diagram');
  var panel = document.getElementById('panel');
  var width = Math.max(800, Math.min(1600, (document.documentElement.clientWidth || 1200) - 48));
  var plot = width - LEFT - RIGHT;
  function x(t) { return LEFT + plot * (t - view.from) / (view.to - view.from); }
  function time(px) { return view.from + (px - LEFT) * (view.to - view.from) / plot; }
  function setup(canvas, h) {
    var r = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * r); canvas.height = Math.round(h * r);
    canvas.style.width = width + 'px'; canvas.style.height = h + 'px';
    var c = canvas.getContext('2d');
    c.setTransform(r, 0, 0, r, 0, 0);
    c.font = '11px sans-serif';
    c.clearRect(0, 0, width, h);
    c.fillStyle = 'white'; c.fillRect(0, 0, width, h);
    return c;
  }
  // The first index in a stride-k array whose time is >= t.
  function lower(a, k, t, lo, hi) {
    lo = lo || 0; hi = hi === undefined ? a.length / k : hi;
    while (lo < hi) { var m = (lo + hi) >> 1; if (a[k * m] < t) { lo = m + 1; } else { hi = m; } }
    return lo;
  }
  function lowerIdx(list, t) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (D.marks[4 * list[m]] < t) { lo = m + 1; } else { hi = m; } }
    return lo;
  }
  // Calls f(from, to, value) for each stretch of a [t, value] change series within the view.
  function stretches(a, initial, f) {
    var value = initial, from = 0;
    for (var i = 0; i <= a.length; i += 2) {
      var to = i < a.length ? a[i] : END;
      // A stretch begun at the run's end (a role taken as a violation stopped it) has
      // no length but is drawn: it is what the violation is about.
      if (to >= view.from && from <= view.to && (to > from || to === END)) { f(Math.max(from, view.from), Math.min(to, view.to), value); }
      if (i < a.length) { value = a[i + 1]; from = a[i]; }
      if (from > view.to) { break; }
    }
  }
  function tickStep(span) {
    var raw = span / 8, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * mag >= raw) { return steps[i] * mag; } }
    return 10 * mag;
  }
  function axis(c, top, bottom) {
    var step = tickStep(view.to - view.from);
    c.fillStyle = '#555'; c.textAlign = 'center';
    for (var t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
      var px = x(t);
      c.strokeStyle = '#cfd8dc'; c.lineWidth = 0.5;
      c.beginPath(); c.moveTo(px, top); c.lineTo(px, bottom); c.stroke();
      c.fillText(fmt(Math.round(t)), px, top - 3);
    }
    c.textAlign = 'left';
  }

  var layout = [];
  function glyph(c, verb, px, y, h) {
    var r = Math.max(2.5, h / 2), cy = y + h / 2;
    c.fillStyle = c.strokeStyle = markColour(verb); c.lineWidth = 2;
    c.beginPath();
    if (verb === 'crash') { c.moveTo(px - r, cy - r); c.lineTo(px + r, cy + r); c.moveTo(px - r, cy + r); c.lineTo(px + r, cy - r); c.stroke(); return; }
    if (verb === 'restart' || verb === 'start' || verb === 'pause' || verb === 'resume') { c.moveTo(px, y); c.lineTo(px - r, y + h); c.lineTo(px + r, y + h); c.closePath(); c.fill(); return; }
    c.moveTo(px, cy - r); c.lineTo(px + r, cy); c.lineTo(px, cy + r); c.lineTo(px - r, cy); c.closePath(); c.fill();
  }
  // Marks of some lanes on one row: important ones one by one, observations as dots
  // when sparse, else as per-column count cells.
  var CELL = 3;
  function drawMarks(c, lanes, y, h) {
    var observed = {}, sparse = [], count = 0;
    lanes.forEach(function (n) {
      var list = laneMarks[n];
      for (var k = lowerIdx(list, view.from); k < list.length; k++) {
        var i = list[k], t = D.marks[4 * i];
        if (t > view.to) { break; }
        var verb = D.verbs[D.marks[4 * i + 2]];
        if (important(verb)) { glyph(c, verb, x(t), y, h); stats.faults++; stats.kinds[verb] = (stats.kinds[verb] || 0) + 1; continue; }
        var col = Math.floor((x(t) - LEFT) / CELL);
        observed[col] = (observed[col] || 0) + 1; count++; sparse.push(t);
      }
    });
    var cols = Object.keys(observed);
    var dense = cols.length < count;
    if (!dense) {
      c.fillStyle = '#263238';
      sparse.forEach(function (t) { c.beginPath(); c.arc(x(t), y + h / 2, Math.max(1.5, h / 4), 0, 7); c.fill(); });
      stats.observe += count;
    } else {
      cols.forEach(function (col) {
        var n = observed[col], a = Math.min(1, 0.25 + Math.log(1 + n) / 4);
        c.fillStyle = 'rgba(38,50,56,' + a.toFixed(2) + ')';
        c.fillRect(LEFT + col * CELL, y + h * 0.25, CELL - 0.5, h * 0.5);
      });
      stats.cells += cols.length; stats.observe_in_cells += count;
    }
  }
  function drawLane(c, n, y, h) {
    var l = D.lanes[n];
    c.fillStyle = COLOUR.bg; c.fillRect(LEFT, y, plot, h);
    // Before its first change a node is down: the engine starts it.
    stretches(l.s, 0, function (a, b, s) { c.fillStyle = STATUS[s]; c.fillRect(x(a), y, Math.max(1, x(b) - x(a)), h); });
    var strip = Math.max(2, h / 3);
    stretches(l.r, -1, function (a, b, r) {
      if (r < 0) { return; }
      c.fillStyle = roleColour(D.roles[r]); c.fillRect(x(a), y, Math.max(1, x(b) - x(a)), strip);
      stats.roles++;
    });
    stretches(l.x, 0, function (a, b, k) {
      if (k <= 0) { return; }
      c.fillStyle = COLOUR.suspected; c.fillRect(x(a), y + h - strip, Math.max(1, x(b) - x(a)), strip);
      stats.suspicions++;
    });
    drawMarks(c, [n], y, h);
  }
  // A group's row: per column, the share of members down, whether any holds a role,
  // how many are suspected; their marks on the one row.
  function drawGroup(c, g, y, h) {
    var cols = Math.ceil(plot / 2), down = new Float64Array(cols), susp = new Float64Array(cols), role = new Array(cols);
    var span = (view.to - view.from) / cols;
    function add(arr, a, b, w) {
      var i0 = Math.floor((a - view.from) / span), i1 = Math.min(cols - 1, Math.floor((b - view.from) / span));
      for (var i = Math.max(0, i0); i <= i1; i++) {
        var lo = Math.max(a, view.from + i * span), hi = Math.min(b, view.from + (i + 1) * span);
        if (hi > lo) { arr[i] += w * (hi - lo) / span; } else if (i0 === i1) { arr[i] += w * 1e-9; }
      }
    }
    g.members.forEach(function (n) {
      var l = D.lanes[n];
      stretches(l.s, 0, function (a, b, s) { if (s !== 1) { add(down, a, b, 1); } });
      stretches(l.x, 0, function (a, b, k) { if (k > 0) { add(susp, a, b, 1); stats.suspicions++; } });
      stretches(l.r, -1, function (a, b, r) {
        if (r < 0) { return; }
        stats.roles++;
        var i0 = Math.max(0, Math.floor((a - view.from) / span)), i1 = Math.min(cols - 1, Math.floor((b - view.from) / span));
        for (var i = i0; i <= i1; i++) { role[i] = role[i] || D.roles[r]; }
      });
    });
    var m = g.members.length, strip = Math.max(2, h / 3);
    c.fillStyle = COLOUR.up; c.fillRect(LEFT, y, plot, h);
    for (var i = 0; i < cols; i++) {
      var px = LEFT + i * 2;
      if (down[i] > 0) { c.fillStyle = 'rgba(229,57,53,' + Math.min(1, 0.3 + down[i] / m).toFixed(2) + ')'; c.fillRect(px, y, 2, h); }
      if (role[i]) { c.fillStyle = roleColour(role[i]); c.fillRect(px, y, 2, strip); }
      if (susp[i] > 0) { c.fillStyle = 'rgba(55,71,79,' + Math.min(1, 0.3 + susp[i] / m).toFixed(2) + ')'; c.fillRect(px, y + h - strip, 2, strip); }
    }
    drawMarks(c, g.members, y, h);
  }

  function draw() {
    stats = { lanes: 0, rows: 0, faults: 0, violations: 0, observe: 0, observe_in_cells: 0, cells: 0, roles: 0, suspicions: 0, kinds: {} };
    var list = rows();
    var h = list.length > 60 ? 9 : 14, pitch = h + 3, top = 26;
    var height = top + pitch * list.length + 12;
    var c = setup(main, height);
    axis(c, top - 8, height - 8);
    layout = [];
    list.forEach(function (row, k) {
      var y = top + pitch * k;
      layout.push({ y: y, h: h, row: row });
      c.fillStyle = '#263238'; c.textAlign = 'right';
      if (row.group !== undefined) {
        var g = groups[row.group];
        c.font = 'bold 11px sans-serif';
        c.fillText((g.open ? '▾ ' : '▸ ') + g.key + ' (' + g.members.length + ')', LEFT - 6, y + h - 1);
        c.font = '11px sans-serif';
        drawGroup(c, g, y, h);
      } else {
        c.fillText(D.lanes[row.lane].n, LEFT - 6, y + h - 1);
        drawLane(c, row.lane, y, h);
        stats.lanes++;
      }
      c.textAlign = 'left';
      stats.rows++;
    });
    // Bands: a partition across all lanes, the rest on their nodes' rows.
    D.bands.forEach(function (b) {
      if (b.t < view.from || b.f > view.to) { return; }
      var a = x(Math.max(b.f, view.from)), w = Math.max(1, x(Math.min(b.t, view.to)) - a);
      c.fillStyle = bandColour(b.k);
      if (b.n.length === 0) { c.globalAlpha = 0.18; c.fillRect(a, top - 2, w, pitch * list.length); }
      else {
        c.globalAlpha = 0.45;
        layout.forEach(function (r) {
          var hit = r.row.lane !== undefined ? b.n.indexOf(r.row.lane) >= 0 : groups[r.row.group].members.some(function (n) { return b.n.indexOf(n) >= 0; });
          if (hit) { c.fillRect(a, r.y, w, r.h); }
        });
      }
      c.globalAlpha = 1;
    });
    globalMarks.forEach(function (i) {
      var t = D.marks[4 * i];
      if (t < view.from || t > view.to) { return; }
      var verb = D.verbs[D.marks[4 * i + 2]];
      c.strokeStyle = markColour(verb); c.lineWidth = 2;
      c.beginPath(); c.moveTo(x(t), top - 6); c.lineTo(x(t), top + pitch * list.length); c.stroke();
      c.fillStyle = markColour(verb); c.beginPath(); c.arc(x(t), top - 6, 4, 0, 7); c.fill();
      stats.faults++; stats.kinds[verb] = (stats.kinds[verb] || 0) + 1;
      if (verb === 'violation') { stats.violations++; }
    });
    stats.from = view.from; stats.to = view.to;
    document.getElementById('range').textContent = fmt(Math.round(view.from)) + ' to ' + fmt(Math.round(view.to)) + ' (' + fmt(Math.round(view.to - view.from)) + ')';
    drawOverview();
    drawSeries();
    drawDiagram();
    document.getElementById('render-check').textContent = Object.keys(stats).filter(function (k) { return k !== 'kinds'; }).map(function (k) {
      return k + '=' + (typeof stats[k] === 'number' ? Math.round(stats[k]) : stats[k]);
    }).join(' ') + ' data_lanes=' + D.lanes.length + ' data_faults=' + importantCount + ' data_violations=' + violations.length;
  }

  // The overview: the whole run, marks per column, violations in red, the view boxed.
  function drawOverview() {
    var h = 34, c = setup(over, h), cols = Math.ceil(plot / 2), counts = new Uint32Array(cols), max = 1;
    function ox(t) { return LEFT + plot * t / END; }
    for (var i = 0; i < MARKS; i++) {
      var k = Math.min(cols - 1, Math.floor(cols * D.marks[4 * i] / END));
      counts[k]++; if (counts[k] > max) { max = counts[k]; }
    }
    c.fillStyle = '#90a4ae';
    for (var j = 0; j < cols; j++) { if (counts[j]) { var bh = 4 + 24 * Math.log(1 + counts[j]) / Math.log(1 + max); c.fillRect(LEFT + 2 * j, h - bh, 2, bh); } }
    for (var m = 0; m < MARKS; m++) {
      var verb = D.verbs[D.marks[4 * m + 2]];
      if (important(verb)) { c.fillStyle = markColour(verb); c.fillRect(ox(D.marks[4 * m]) - 1, verb === 'violation' ? 0 : h - 10, 2, verb === 'violation' ? h : 10); }
    }
    c.fillStyle = '#555'; c.fillText('whole run: drag to select a window', 4, 14);
    var a = ox(view.from), b = ox(view.to);
    c.fillStyle = 'rgba(30,136,229,0.18)'; c.fillRect(a, 0, Math.max(2, b - a), h);
    c.strokeStyle = '#1e88e5'; c.lineWidth = 1; c.strokeRect(a, 0.5, Math.max(2, b - a), h - 1);
    if (brush) { c.fillStyle = 'rgba(255,193,7,0.35)'; c.fillRect(Math.min(brush.a, brush.b), 0, Math.abs(brush.b - brush.a), h); }
  }

  // Requests in view, in buckets: the share ok / failed / unknown, and latency p50 / p99.
  function drawSeries() {
    var B = 100, ph = 80, top = 22, h = top + 2 * (ph + 34) + 10, c = setup(series, h);
    var lo = lower(D.req, 3, view.from), hi = lower(D.req, 3, view.to + 1);
    var cells = [], span = (view.to - view.from) / B, maxLat = 0;
    for (var b = 0; b < B; b++) { cells.push({ ok: 0, failed: 0, unknown: 0, lat: [] }); }
    for (var i = lo; i < hi; i++) {
      var cell = cells[Math.min(B - 1, Math.floor((D.req[3 * i] - view.from) / span))], o = D.req[3 * i + 1], l = D.req[3 * i + 2];
      if (o === 0) { cell.ok++; } else if (o === 1) { cell.failed++; } else { cell.unknown++; }
      if (o === 0 && l >= 0) { cell.lat.push(l); }
    }
    cells.forEach(function (cell) {
      cell.lat.sort(function (p, q) { return p - q; });
      function q(p) { return cell.lat.length ? cell.lat[Math.max(0, Math.ceil(cell.lat.length * p) - 1)] : null; }
      cell.p50 = q(0.5); cell.p99 = q(0.99);
      if (cell.p99 !== null && cell.p99 > maxLat) { maxLat = cell.p99; }
    });
    function frame(y, title, yTop) {
      c.fillStyle = '#263238'; c.font = 'bold 11px sans-serif'; c.fillText(title, LEFT, y - 6); c.font = '11px sans-serif';
      c.strokeStyle = '#b0bec5'; c.strokeRect(LEFT, y, plot, ph);
      c.fillStyle = '#555'; c.textAlign = 'right'; c.fillText(yTop, LEFT - 6, y + 10); c.fillText('0', LEFT - 6, y + ph); c.textAlign = 'left';
    }
    var bw = plot / B, y0 = top;
    frame(y0, 'requests ended: ok (green) / failed (red) / unknown (orange), share per bucket; ' + (hi - lo) + ' in view', '100%');
    if (REQS === 0) { c.fillStyle = '#777'; c.fillText('this model reports no client requests', LEFT + 10, y0 + ph / 2); }
    stats.requests = hi - lo;
    cells.forEach(function (cell, k) {
      var all = cell.ok + cell.failed + cell.unknown;
      if (!all) { return; }
      var yy = y0 + ph;
      [[cell.ok, '#66bb6a'], [cell.failed, '#e53935'], [cell.unknown, '#fb8c00']].forEach(function (p) {
        var hh = ph * p[0] / all; yy -= hh; c.fillStyle = p[1]; c.fillRect(LEFT + k * bw, yy, Math.max(1, bw - 0.5), hh);
      });
    });
    var y1 = y0 + ph + 34;
    frame(y1, 'latency of successful requests: p50 (blue) / p99 (red)', maxLat > 0 ? fmt(Math.round(maxLat)) : '–');
    var plotted = 0;
    [['p50', '#1565c0'], ['p99', '#c62828']].forEach(function (p) {
      c.strokeStyle = c.fillStyle = p[1]; c.lineWidth = 1.5; c.beginPath();
      var drawing = false;
      cells.forEach(function (cell, k) {
        var v = cell[p[0]];
        if (v === null || maxLat <= 0) { drawing = false; return; }
        var px = LEFT + (k + 0.5) * bw, py = y1 + ph * (1 - v / maxLat);
        if (drawing) { c.lineTo(px, py); } else { c.moveTo(px, py); drawing = true; }
        c.fillRect(px - 1.5, py - 1.5, 3, 3); plotted++;
      });
      c.stroke();
    });
    stats.latency_points = plotted;
  }

  // The message diagram of the window: a column per node, time downwards, an arrow per
  // message labelled with its name; drops end in a red cross, duplicates are dashed.
  var DIAGRAM_MAX = 600;
  var arrows = [];
  function drawDiagram() {
    arrows = [];
    var lo = lower(D.msgs, 7, view.from), hi = lower(D.msgs, 7, view.to + 1), n = hi - lo;
    var note = document.getElementById('diagram-note');
    var gap = D.msg_gap && D.msg_gap[0] <= view.to && D.msg_gap[1] >= view.from
      ? ' Messages sent from ' + fmt(D.msg_gap[0]) + ' to ' + fmt(D.msg_gap[1]) + ' are not carried by this page (' + D.msg_total + ' sent in all, ' + MSGS + ' carried).' : '';
    stats.arrows = 0; stats.drops = 0; stats.dups = 0; stats.messages_in_view = n;
    if (n === 0 || n > DIAGRAM_MAX) {
      setup(diagram, 1);
      note.textContent = (n === 0 ? 'No messages sent in this window.' : n + ' messages sent in this window: select a narrower one (at most ' + DIAGRAM_MAX + ') to draw them.') + gap;
      return;
    }
    var busy = {};
    for (var i = lo; i < hi; i++) { busy[D.msgs[7 * i + 2]] = 1; busy[D.msgs[7 * i + 3]] = 1; }
    var nodes = Object.keys(busy).map(Number).sort(function (a, b) { return a - b; }).slice(0, 40);
    var col = {}; nodes.forEach(function (v, k) { col[v] = k; });
    var top = 30, h = Math.min(1400, Math.max(260, 16 * n)), c = setup(diagram, top + h + 10);
    var cw = plot / Math.max(1, nodes.length);
    function cx(v) { return LEFT + cw * (col[v] + 0.5); }
    function ty(t) { return top + h * Math.min(1, Math.max(0, (t - view.from) / (view.to - view.from))); }
    c.textAlign = 'center';
    nodes.forEach(function (v) {
      c.fillStyle = '#263238'; c.fillText(D.lanes[v] ? D.lanes[v].n : 'n' + v, cx(v), top - 8);
      c.strokeStyle = '#cfd8dc'; c.beginPath(); c.moveTo(cx(v), top); c.lineTo(cx(v), top + h); c.stroke();
    });
    c.textAlign = 'right'; c.fillStyle = '#555';
    var step = tickStep(view.to - view.from);
    for (var t = Math.ceil(view.from / step) * step; t <= view.to; t += step) { c.fillText(fmt(Math.round(t)), LEFT - 6, ty(t) + 4); }
    c.textAlign = 'center';
    var skipped = 0;
    for (var m = lo; m < hi; m++) {
      var s = D.msgs[7 * m], dur = D.msgs[7 * m + 1], from = D.msgs[7 * m + 2], to = D.msgs[7 * m + 3];
      var text = D.texts[D.msgs[7 * m + 4]], kind = D.msgs[7 * m + 5];
      if (!(from in col) || !(to in col)) { skipped++; continue; }
      var x0 = cx(from), y0 = ty(s), x1 = cx(to), y1 = dur >= 0 ? ty(s + dur) : top + h;
      if (kind === 2) { x1 = x0 + (x1 - x0) * (dur > 0 ? 1 : 0.45); y1 = dur > 0 ? y1 : y0 + 8; }
      c.strokeStyle = kind === 2 ? '#c62828' : kind === 1 ? '#1e88e5' : kind === 3 ? '#90a4ae' : '#455a64';
      c.setLineDash(kind === 1 || kind === 3 ? [4, 3] : []); c.lineWidth = 1;
      c.beginPath(); c.moveTo(x0, y0); c.lineTo(x1, y1); c.stroke(); c.setLineDash([]);
      if (kind === 2) {
        c.beginPath(); c.moveTo(x1 - 4, y1 - 4); c.lineTo(x1 + 4, y1 + 4); c.moveTo(x1 - 4, y1 + 4); c.lineTo(x1 + 4, y1 - 4); c.stroke();
        stats.drops++;
      } else {
        var a = Math.atan2(y1 - y0, x1 - x0);
        c.fillStyle = c.strokeStyle; c.beginPath(); c.moveTo(x1, y1);
        c.lineTo(x1 - 7 * Math.cos(a - 0.4), y1 - 7 * Math.sin(a - 0.4)); c.lineTo(x1 - 7 * Math.cos(a + 0.4), y1 - 7 * Math.sin(a + 0.4)); c.fill();
        if (kind === 1) { stats.dups++; }
      }
      stats.arrows++;
      arrows.push({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, m: m });
      var name = text.split(' ')[0] + (kind === 1 ? ' (dup)' : kind === 2 ? ' (' + D.texts[D.msgs[7 * m + 6]] + ')' : '');
      c.fillStyle = '#263238'; c.fillText(name, (x0 + x1) / 2, (y0 + y1) / 2 - 3);
    }
    c.textAlign = 'left';
    note.textContent = n + ' messages sent in this window' + (stats.drops ? ', ' + stats.drops + ' dropped' : '') + (stats.dups ? ', ' + stats.dups + ' duplicated' : '') +
      (skipped ? '; ' + skipped + ' between nodes past the first 40 columns not drawn' : '') + '.' + gap;
  }

  // A message's whole story on hover: sent when, from whom to whom, how it ended.
  diagram.addEventListener('mousemove', function (e) {
    var best = null, bestD = 64;
    arrows.forEach(function (a) { var d = (a.x - e.offsetX) * (a.x - e.offsetX) + (a.y - e.offsetY) * (a.y - e.offsetY); if (d < bestD) { best = a.m; bestD = d; } });
    if (best === null) { return; }
    var s = D.msgs[7 * best], dur = D.msgs[7 * best + 1], kind = D.msgs[7 * best + 5];
    var name = function (v) { return D.lanes[v] ? D.lanes[v].n : 'n' + v; };
    var end = kind === 3 ? 'still in flight at the end' : (kind === 2 ? 'dropped (' + D.texts[D.msgs[7 * best + 6]] + ')' : kind === 1 ? 'duplicate delivered' : 'delivered') + (dur >= 0 ? ' at ' + fmt(s + dur) : '');
    panel.textContent = fmt(s) + ' ' + name(D.msgs[7 * best + 2]) + ' -> ' + name(D.msgs[7 * best + 3]) + ' ' + D.texts[D.msgs[7 * best + 4]] + ': ' + end;
  });

  // Zoom, pan, brush.
  function zoom(from, to) {
    var span = Math.max(1000, Math.min(END, to - from));
    from = Math.max(0, Math.min(from, END - span));
    view = { from: from, to: from + span };
    draw();
    return view;
  }
  function reset() { return zoom(0, END); }
  var nextViolation = 0;
  function jumpToViolation(k) {
    if (!violations.length) { return null; }
    k = k === undefined ? nextViolation : k;
    var i = violations[k % violations.length], t = D.marks[4 * i];
    nextViolation = (k + 1) % violations.length;
    var span = Math.min(END, Math.max(1e6, Math.min(1e9, END / 300)));
    panel.textContent = markLine(i);
    return zoom(t - 0.8 * span, t + 0.2 * span);
  }
  var brush = null, drag = null;
  over.addEventListener('mousedown', function (e) { var px = e.offsetX; brush = { a: px, b: px }; drawOverview(); });
  window.addEventListener('mousemove', function (e) {
    if (brush) { var r = over.getBoundingClientRect(); brush.b = e.clientX - r.left; drawOverview(); }
    if (drag) { var dt = (e.clientX - drag.x) * (drag.to - drag.from) / plot; zoom(drag.from - dt, drag.to - dt); }
  });
  window.addEventListener('mouseup', function () {
    if (brush) {
      var a = Math.min(brush.a, brush.b), b = Math.max(brush.a, brush.b), t0 = (a - LEFT) * END / plot, t1 = (b - LEFT) * END / plot;
      brush = null;
      if (b - a > 3) { zoom(t0, t1); } else { var half = (view.to - view.from) / 2; zoom(t0 - half, t0 + half); }
    }
    drag = null;
  });
  main.addEventListener('mousedown', function (e) {
    if (e.offsetX < LEFT) {
      var row = rowAt(e.offsetY);
      if (row && row.group !== undefined) { groups[row.group].open = !groups[row.group].open; draw(); }
      return;
    }
    drag = { x: e.clientX, from: view.from, to: view.to };
  });
  main.addEventListener('wheel', function (e) {
    if (e.offsetX < LEFT) { return; }
    e.preventDefault();
    var t = time(e.offsetX), f = e.deltaY > 0 ? 1.25 : 0.8;
    zoom(t - (t - view.from) * f, t + (view.to - t) * f);
  }, { passive: false });
  main.addEventListener('dblclick', reset);
  function rowAt(y) {
    for (var k = 0; k < layout.length; k++) { if (y >= layout[k].y - 1 && y <= layout[k].y + layout[k].h + 1) { return layout[k].row; } }
    return null;
  }
  function valueAt(a, initial, t) {
    var v = initial;
    for (var i = 0; i < a.length && a[i] <= t; i += 2) { v = a[i + 1]; }
    return v;
  }
  main.addEventListener('mousemove', function (e) {
    if (drag) { return; }
    var row = rowAt(e.offsetY), t = time(e.offsetX), near = 5 * (view.to - view.from) / plot;
    var best = null, bestD = near;
    globalMarks.forEach(function (i) { var d = Math.abs(D.marks[4 * i] - t); if (d <= bestD) { best = i; bestD = d; } });
    if (!row) { if (best !== null) { panel.textContent = markLine(best); } return; }
    var lanes = row.lane !== undefined ? [row.lane] : groups[row.group].members, inWindow = 0;
    lanes.forEach(function (n) {
      var list = laneMarks[n];
      for (var k = lowerIdx(list, t - near); k < list.length && D.marks[4 * list[k]] <= t + near; k++) {
        inWindow++;
        var d = Math.abs(D.marks[4 * list[k]] - t);
        if (d <= bestD) { best = list[k]; bestD = d; }
      }
    });
    if (best !== null) { panel.textContent = markLine(best) + (inWindow > 1 ? '   (+' + (inWindow - 1) + ' more marks within 5px)' : ''); return; }
    if (row.lane !== undefined) {
      var l = D.lanes[row.lane], r = valueAt(l.r, -1, t), s = valueAt(l.x, 0, t);
      panel.textContent = fmt(Math.round(t)) + ' ' + l.n + ' (' + l.g + (l.z ? ', ' + l.z : '') + '): ' + STATUS_NAME[valueAt(l.s, 0, t)] + (r >= 0 ? ', ' + D.roles[r] : '') + (s > 0 ? ', suspected by ' + s : '');
    } else {
      var g = groups[row.group], down = 0, susp = 0;
      g.members.forEach(function (n) { if (valueAt(D.lanes[n].s, 0, t) !== 1) { down++; } if (valueAt(D.lanes[n].x, 0, t) > 0) { susp++; } });
      panel.textContent = fmt(Math.round(t)) + ' ' + g.key + ': ' + down + ' of ' + g.members.length + ' not up, ' + susp + ' suspected (click the name to ' + (g.open ? 'collapse' : 'expand') + ')';
    }
  });
  document.getElementById('reset').addEventListener('click', reset);
  document.getElementById('zoom-in').addEventListener('click', function () { var s = (view.to - view.from) / 4; zoom(view.from + s, view.to - s); });
  document.getElementById('zoom-out').addEventListener('click', function () { var s = (view.to - view.from) / 2; zoom(view.from - s, view.to + s); });
  var jump = document.getElementById('jump');
  if (violations.length) { jump.addEventListener('click', function () { jumpToViolation(); }); } else { jump.disabled = true; jump.textContent = 'no violation'; }
  var toggle = document.getElementById('groups');
  if (grouped) {
    toggle.addEventListener('click', function () {
      var open = !groups.every(function (g) { return g.open; });
      groups.forEach(function (g) { g.open = open; }); draw();
    });
  } else { toggle.style.display = 'none'; }
  var dropped = D.dropped.reduce(function (s, p) { return s + p[1]; }, 0);
  if (dropped) { document.getElementById('dropped').textContent = dropped + ' observations past the first ' + MARKS + ' marks are counted, not listed: ' + D.dropped.map(function (p) { return (p[0] >= 0 ? D.lanes[p[0]].n : 'run') + ' ' + p[1]; }).join(', '); }

  window.hasimReport = {
    view: function () { return { from: view.from, to: view.to }; },
    zoom: zoom, reset: reset, jumpToViolation: jumpToViolation,
    stats: function () { return JSON.parse(JSON.stringify(stats)); },
    groups: function () { return groups.map(function (g) { return { key: g.key, members: g.members.length, open: g.open }; }); },
    setGroupOpen: function (k, open) { groups[k].open = open; draw(); },
    data: D
  };
  draw();
})();
