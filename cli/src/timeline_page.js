// The lanes of `troupe show --html`, drawn from the JSON in #trace-data.
// One lane per actor (lane 0: messages from outside any actor), virtual time
// left to right. A long trace stays usable by drawing only what is in view:
// events are found by binary search on time, plain sends and receipts are
// thinned to at most MAX_MARKS in view (failures, restarts, faults, resizes,
// notes and stops are always drawn), and arrows appear once at most
// MAX_ARROWS messages are in view (zoom in to see them).
(function () {
  'use strict';
  var MAX_MARKS = 20000;
  var MAX_ARROWS = 3000;
  var LANE = 18;
  var D = JSON.parse(document.getElementById('trace-data').textContent);
  var K = {};
  D.kinds.forEach(function (name, i) { K[name] = i; });
  var ev = D.events;  // [t_ns, kind, lane, value, senderLane, message, type, detail?]
  var lanes = D.actors;  // [id, path, parentLane]
  var endT = ev.length ? ev[ev.length - 1][0] : 1;
  var startT = ev.length ? ev[0][0] : 0;
  if (endT <= startT) endT = startT + 1;

  // Groups of kinds that the checkboxes show or hide.
  var GROUPS = [
    ['messages', ['sent', 'received', 'handed_over'], '#7a9cc6'],
    ['lifecycle', ['spawned', 'started', 'stopped'], '#888'],
    ['failures', ['failed', 'budget_exceeded', 'escalated', 'decided', 'not_restarted'], '#d62728'],
    ['restarts', ['restart_scheduled', 'restarted'], '#ff7f0e'],
    ['faults', ['fault'], '#9467bd'],
    ['resizes', ['scaled'], '#2ca02c'],
    ['dead letters', ['dead_letter'], '#8c564b'],
    ['notes', ['note'], '#e377c2'],
    ['timers', ['timer'], '#bbb'],
    ['shutdown', ['shutdown'], '#17becf']
  ];
  var groupOf = [], colourOf = [];
  GROUPS.forEach(function (g, gi) {
    g[1].forEach(function (name) {
      if (K[name] !== undefined) { groupOf[K[name]] = gi; colourOf[K[name]] = g[2]; }
    });
  });
  var shown = GROUPS.map(function (g) { return g[0] !== 'timers'; });
  var ALWAYS = ['failed', 'budget_exceeded', 'escalated', 'restarted', 'fault', 'scaled', 'note',
                'stopped', 'dead_letter', 'not_restarted'].map(function (n) { return K[n]; });
  function important(kind) { return ALWAYS.indexOf(kind) >= 0; }

  // Each receipt's send, by (receiver lane, message number). A message a
  // stopped pool worker handed to its successor keeps its first send.
  var sendOf = {};
  for (var i = 0; i < ev.length; i++) {
    if (ev[i][1] === K.sent && ev[i][5] > 0) sendOf[ev[i][2] + ':' + ev[i][5]] = i;
    if (ev[i][1] === K.handed_over && ev[i][5] > 0 && ev[i][3] > 0) {
      var first = sendOf[ev[i][4] + ':' + ev[i][3]];
      if (first !== undefined) sendOf[ev[i][2] + ':' + ev[i][5]] = first;
    }
  }

  var labels = document.getElementById('labels');
  var canvas = document.getElementById('timeline');
  var box = document.getElementById('canvas-box');
  var status = document.getElementById('status');
  var tip = document.getElementById('tip');
  var ctx = canvas.getContext('2d');
  var visibleLanes = [];  // lane indexes in display order
  var rowOf = {};         // lane -> row
  var view = {t0: startT, t1: endT};

  // An actor spawned again under a path (a restarted subtree, a new worker)
  // gets a lane of its own, named with its incarnation: "/storm/s0 (2)".
  var incarnations = {};
  lanes.forEach(function (a) {
    var n = (incarnations[a[1]] || 0) + 1;
    incarnations[a[1]] = n;
    a.push(n > 1 ? a[1] + ' (' + n + ')' : a[1]);
  });
  function laneName(l) { return lanes[l] ? lanes[l][3] || ('actor ' + lanes[l][0]) : '?'; }
  function typeName(e) { return e[6] >= 0 ? D.types[e[6]] : ''; }
  function describe(idx) {
    var e = ev[idx];
    var text = (e[0] / 1e6).toFixed(3) + ' ms  ' + D.kinds[e[1]] + '  ' + laneName(e[2]);
    if (e[1] === K.sent || e[1] === K.received) {
      text += '  ' + typeName(e) + ' #' + e[5] + (e[4] >= 0 ? ' from ' + laneName(e[4]) : '');
    } else if (e[1] === K.handed_over) {
      text += '  ' + typeName(e) + ' #' + e[5] + ' was #' + e[3] + ' of ' + laneName(e[4]);
    }
    if (e.length > 7) text += '  "' + e[7] + '"';
    if (e[1] !== K.sent && e[1] !== K.received && e[1] !== K.handed_over) text += '  value=' + e[3];
    return text;
  }

  function applyFilter() {
    var text = document.getElementById('actor-filter').value;
    var match = function () { return true; };
    if (text.length > 1 && text[0] === '/' && text[text.length - 1] === '/') {
      try {
        var re = new RegExp(text.slice(1, -1));
        match = function (p) { return re.test(p); };
      } catch (err) {
        status.textContent = 'not a regular expression: ' + err.message;
      }
    } else if (text) {
      match = function (p) { return p.indexOf(text) >= 0; };
    }
    visibleLanes = [];
    rowOf = {};
    for (var l = 0; l < lanes.length; l++) {
      if (match(laneName(l))) { rowOf[l] = visibleLanes.length; visibleLanes.push(l); }
    }
    labels.innerHTML = '';
    visibleLanes.forEach(function (l) {
      var div = document.createElement('div');
      div.className = 'lane-label';
      div.setAttribute('data-actor', laneName(l));
      div.textContent = laneName(l);
      div.title = laneName(l);
      labels.appendChild(div);
    });
    document.documentElement.setAttribute('data-lanes', String(visibleLanes.length));
    draw();
  }

  function x(t) { return (t - view.t0) / (view.t1 - view.t0) * canvas.width; }
  function y(l) { return rowOf[l] * LANE + LANE / 2; }
  function firstAt(t) {  // the first event at or after t
    var lo = 0, hi = ev.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (ev[mid][0] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function draw() {
    canvas.width = Math.max(300, box.clientWidth);
    canvas.height = Math.max(LANE, visibleLanes.length * LANE);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = '#eee';
    for (var r = 0; r < visibleLanes.length; r++) {
      ctx.beginPath(); ctx.moveTo(0, r * LANE + LANE / 2); ctx.lineTo(canvas.width, r * LANE + LANE / 2); ctx.stroke();
    }
    var from = firstAt(view.t0), to = firstAt(view.t1 + 1);
    var inView = to - from, messages = 0;
    for (var i = from; i < to; i++) if (ev[i][1] === K.received) messages++;
    var step = Math.max(1, Math.ceil(inView / MAX_MARKS));
    var arrows = shown[0] && messages <= MAX_ARROWS;
    var drawn = 0;
    if (arrows) {
      ctx.strokeStyle = 'rgba(60,90,160,0.55)';
      ctx.fillStyle = 'rgba(60,90,160,0.8)';
      for (i = from; i < to; i++) {
        var e = ev[i];
        if (e[1] !== K.received || rowOf[e[2]] === undefined) continue;
        var s = sendOf[e[2] + ':' + e[5]];
        if (s === undefined) continue;
        var senderLane = ev[s][4] >= 0 ? ev[s][4] : 0;
        if (rowOf[senderLane] === undefined) continue;
        arrow(x(ev[s][0]), y(senderLane), x(e[0]), y(e[2]));
        drawn++;
      }
    }
    document.documentElement.setAttribute('data-arrows', String(drawn));
    for (i = from; i < to; i++) {
      e = ev[i];
      if (rowOf[e[2]] === undefined || !shown[groupOf[e[1]]]) continue;
      if (!important(e[1]) && (i - from) % step !== 0) continue;
      mark(e, x(e[0]), y(e[2]));
    }
    if (D.focus >= 0 && rowOf[ev[D.focus][2]] !== undefined) {
      var f = ev[D.focus], fx = x(f[0]), fy = y(f[2]);
      ctx.strokeStyle = '#c00'; ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(fx, 0); ctx.lineTo(fx, canvas.height); ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(fx, fy, 7, 0, 2 * Math.PI); ctx.stroke();
      ctx.lineWidth = 1;
    }
    status.textContent = (view.t0 / 1e6).toFixed(3) + ' to ' + (view.t1 / 1e6).toFixed(3) +
        ' ms: ' + inView + ' events' + (step > 1 ? ' (messages thinned: 1 in ' + step + ')' : '') +
        (shown[0] && !arrows ? '; ' + messages + ' messages in view: zoom in for arrows' : '') +
        '; ' + visibleLanes.length + ' of ' + lanes.length + ' lanes';
  }

  function arrow(x1, y1, x2, y2) {
    ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
    var a = Math.atan2(y2 - y1, x2 - x1);
    ctx.beginPath(); ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - 6 * Math.cos(a - 0.4), y2 - 6 * Math.sin(a - 0.4));
    ctx.lineTo(x2 - 6 * Math.cos(a + 0.4), y2 - 6 * Math.sin(a + 0.4));
    ctx.closePath(); ctx.fill();
  }

  function mark(e, px, py) {
    ctx.fillStyle = colourOf[e[1]] || '#333';
    if (e[1] === K.failed || e[1] === K.budget_exceeded || e[1] === K.escalated) {
      ctx.fillRect(px - 4, py - 4, 8, 8);               // a square: something broke
    } else if (e[1] === K.restarted || e[1] === K.scaled || e[1] === K.fault) {
      ctx.beginPath(); ctx.moveTo(px, py - 6); ctx.lineTo(px + 5, py + 4); ctx.lineTo(px - 5, py + 4);
      ctx.closePath(); ctx.fill();                      // a triangle: a change
    } else if (e[1] === K.note) {
      ctx.fillRect(px - 1, py - 7, 3, 14);
    } else {
      ctx.beginPath(); ctx.arc(px, py, e[1] === K.received ? 2.5 : 2, 0, 2 * Math.PI); ctx.fill();
    }
  }

  function zoomTo(t0, t1) {
    var min = 1000;  // 1 microsecond at most per canvas width
    if (t1 - t0 < min) { var mid = (t0 + t1) / 2; t0 = mid - min / 2; t1 = mid + min / 2; }
    view.t0 = t0; view.t1 = t1;
    draw();
  }
  function showFailure() {
    if (D.focus < 0) return;
    var f = ev[D.focus];
    var span = Math.max((endT - startT) / 50, 1000);
    zoomTo(f[0] - span, f[0] + span);
    var label = labels.children[rowOf[f[2]]];
    if (label) label.scrollIntoView({block: 'center'});
    document.getElementById('failure-line').innerHTML = '';
    var p = document.createElement('span');
    p.className = 'failure-marker';
    p.id = 'failure';
    p.textContent = 'the failure (' + D.invariant + (D.actor ? ' at ' + D.actor : '') + '): ' +
        describe(D.focus);
    document.getElementById('failure-line').appendChild(p);
  }

  // Controls.
  var kinds = document.getElementById('kind-filters');
  GROUPS.forEach(function (g, gi) {
    var label = document.createElement('label');
    var check = document.createElement('input');
    check.type = 'checkbox'; check.checked = shown[gi];
    check.setAttribute('data-group', g[0]);
    check.addEventListener('change', function () { shown[gi] = check.checked; draw(); });
    label.appendChild(check);
    label.appendChild(document.createTextNode(' ' + g[0]));
    label.style.color = g[2];
    kinds.appendChild(label);
  });
  document.getElementById('actor-filter').addEventListener('input', applyFilter);
  document.getElementById('fit').addEventListener('click', function () { zoomTo(startT, endT); });
  document.getElementById('zoom-failure').addEventListener('click', showFailure);
  var link = document.getElementById('to-failure');
  if (link) link.addEventListener('click', function (evt) { evt.preventDefault(); showFailure(); });
  canvas.addEventListener('wheel', function (w) {
    w.preventDefault();
    var at = view.t0 + (w.offsetX / canvas.width) * (view.t1 - view.t0);
    var k = w.deltaY < 0 ? 0.8 : 1.25;
    zoomTo(at - (at - view.t0) * k, at + (view.t1 - at) * k);
  }, {passive: false});
  var drag = null;
  canvas.addEventListener('mousedown', function (m) { drag = {x: m.clientX, t0: view.t0, t1: view.t1}; });
  window.addEventListener('mouseup', function () { drag = null; });
  canvas.addEventListener('mousemove', function (m) {
    if (drag) {
      var dt = (m.clientX - drag.x) / canvas.width * (drag.t1 - drag.t0);
      view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt; draw();
      return;
    }
    var row = Math.floor(m.offsetY / LANE), lane = visibleLanes[row];
    var t = view.t0 + (m.offsetX / canvas.width) * (view.t1 - view.t0);
    var near = -1, best = 6;
    for (var i = firstAt(t - 8 / canvas.width * (view.t1 - view.t0)); i < ev.length && ev[i][0] <= t + 8 / canvas.width * (view.t1 - view.t0); i++) {
      if (ev[i][2] !== lane) continue;
      var d = Math.abs(x(ev[i][0]) - m.offsetX);
      if (d < best) { best = d; near = i; }
    }
    if (near < 0) { tip.style.display = 'none'; return; }
    tip.textContent = describe(near);
    tip.style.left = (m.clientX + 12) + 'px'; tip.style.top = (m.clientY + 12) + 'px';
    tip.style.display = 'block';
  });
  canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  window.addEventListener('resize', draw);

  applyFilter();
  if (D.focus >= 0) {
    // The failure is marked on its lane and named under the controls.
    document.documentElement.setAttribute('data-failure-marker', String(D.focus));
    showFailure();
    zoomTo(startT, endT);
  }
  document.documentElement.setAttribute('data-ready', '1');
})();
