/** The operator page's script (served as /assets/operator.js): renders SSE events, sends commands. */
export const operatorJs = `'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var maintenanceOn = false;
  var reloadLive = MG.liveView(document.getElementById('live'));
  var wasDown = false;

  function pct(x) { return x === null || x === undefined ? '–' : Math.round(x * 100) + '%'; }
  function num(x, digits) { return x === null || x === undefined ? '–' : Number(x).toFixed(digits); }
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + 'h ' + (m < 10 ? '0' : '') + m + 'm' : m + 'm ' + (s % 60) + 's';
  }
  function led(id, mode) { document.getElementById(id).className = 'led ' + id.slice(4) + (mode === 'off' ? '' : ' on ' + mode); }

  function renderState(v) {
    var s = MG.text('gate-state', v.state);
    s.setAttribute('data-state', v.state);
    var m = MG.text('gate-message', v.kiosk.title);
    m.className = 'state-msg tone-' + v.kiosk.tone;
    if (v.indication) {
      led('led-green', v.indication.greenLed);
      led('led-red', v.indication.redLed);
      led('led-amber', v.indication.amberLed);
      MG.text('relay', 'relay: ' + v.indication.relay);
    }
    renderIgnored(v.ignoredFaces || [], v.decideMinFacePx);
    maintenanceOn = v.maintenance;
    var b = document.getElementById('maintenance-toggle');
    b.setAttribute('aria-pressed', String(v.maintenance));
    b.textContent = 'Maintenance: ' + (v.maintenance ? 'on' : 'off');
  }

  var IGNORED = {
    too_small: function (f, min) { return 'too far to decide: face ' + f.facePx + ' px, decision size ' + min + ' px'; },
    stationary: function () { return 'not moving: a picture or poster'; },
    ignore_zone: function (f) { return 'in ignore zone ' + (f.zone || ''); },
    outside_zone: function () { return 'outside the gate zone'; }
  };

  function renderIgnored(faces, min) {
    var items = faces.map(function (f) {
      var why = IGNORED[f.reason] ? IGNORED[f.reason](f, min) : f.reason;
      return MG.el('li', { 'data-reason': f.reason, 'data-id': f.id }, [MG.el('strong', {}, [f.id]), ' — ' + why]);
    });
    if (!items.length) items = [MG.el('li', { 'class': 'none' }, ['none'])];
    var list = document.getElementById('ignored-faces');
    list.replaceChildren.apply(list, items);
  }

  function renderStats(s) {
    MG.text('count-cleared', String(s.counts.cleared));
    MG.text('count-alerts', String(s.counts.alert));
    MG.text('count-escalations', String(s.counts.escalations));
    MG.text('count-forced', String(s.counts.forcedPassages));
    MG.text('compliance-today', pct(s.compliance));
    renderChart(s.hourly);
  }

  /** Stacked bars per hour (cleared green, alerts red), the compliance percentage above each bar. */
  function renderChart(hours) {
    var W = 720, H = 220, top = 22, bottom = 24, left = 28, bw = (W - left) / 24;
    var max = 1;
    hours.forEach(function (h) { max = Math.max(max, h.cleared + h.alert); });
    var scale = (H - top - bottom) / max;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Decisions per hour today, cleared and alerts');
    function add(parent, tag, attrs, text) {
      var e = document.createElementNS(SVG, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      parent.appendChild(e);
      return e;
    }
    add(svg, 'line', { x1: left, x2: W, y1: H - bottom, y2: H - bottom, 'class': 'grid' });
    add(svg, 'text', { x: 2, y: top + 4, 'class': 'axis' }, String(max));
    add(svg, 'text', { x: 2, y: H - bottom, 'class': 'axis' }, '0');
    hours.forEach(function (h) {
      var x = left + h.hour * bw + 2, w = bw - 4;
      var g = add(svg, 'g', { 'class': 'bar', 'data-hour': h.hour, 'data-cleared': h.cleared, 'data-alert': h.alert });
      add(g, 'title', {}, h.hour + ':00 — ' + h.cleared + ' cleared, ' + h.alert + ' alerts' + (h.compliance === null ? '' : ' (' + pct(h.compliance) + ')'));
      var yc = H - bottom - h.cleared * scale;
      add(g, 'rect', { x: x, y: yc, width: w, height: h.cleared * scale, 'class': 'cleared' });
      var ya = yc - h.alert * scale;
      add(g, 'rect', { x: x, y: ya, width: w, height: h.alert * scale, 'class': 'alert' });
      if (h.compliance !== null) add(g, 'text', { x: x + w / 2, y: ya - 4, 'text-anchor': 'middle', 'class': 'axis' }, pct(h.compliance));
      if (h.hour % 3 === 0) add(svg, 'text', { x: x, y: H - 6, 'class': 'axis' }, (h.hour < 10 ? '0' : '') + h.hour + ':00');
    });
    var box = document.getElementById('chart');
    box.replaceChildren(svg);
  }

  var KIND = { cleared: 'Cleared', alert: 'Alert', escalation: 'Escalation', forced_passage: 'Forced passage', fault: 'Fault', recovery: 'Recovered' };

  function renderEvents(p) {
    var rows = p.events.map(function (e) {
      var kind = e.kind === 'decision' ? e.outcome : e.kind;
      var detail;
      if (e.kind === 'decision') {
        detail = (e.reason ? e.reason.replace('_', ' ') + ' — ' : '') + e.people.map(function (q) { return q.label.replace('_', ' ') + ' ' + Math.round(q.confidence * 100) + '%'; }).join(', ');
        if (e.temperatureC !== null) detail += ' ' + e.temperatureC.toFixed(1) + ' °C';
      } else if (e.kind === 'fault' || e.kind === 'recovery') {
        detail = e.source + (e.reason ? ': ' + e.reason : '');
      } else {
        detail = e.reason ? e.reason.replace('_', ' ') : '';
      }
      var snap = e.snapshotUrl
        ? MG.el('a', { href: e.snapshotUrl, target: '_blank', rel: 'noopener' }, [MG.el('img', { 'class': 'thumb', src: e.snapshotUrl, alt: 'snapshot', loading: 'lazy' })])
        : '';
      return MG.el('tr', { 'data-kind': kind }, [
        MG.el('td', {}, [MG.time(e.t)]),
        MG.el('td', { 'class': 'kind-' + kind }, [KIND[kind] || kind]),
        MG.el('td', {}, [detail]),
        MG.el('td', {}, [snap])
      ]);
    });
    document.querySelector('#events tbody').replaceChildren.apply(document.querySelector('#events tbody'), rows);
  }

  function renderHealth(h) {
    MG.text('health-fps', h.fps === undefined ? '–' : num(h.fps, 1) + ' fps');
    MG.text('health-latency', h.detectMs ? 'p50 ' + num(h.detectMs.p50, 1) + ' ms, p95 ' + num(h.detectMs.p95, 1) + ' ms' : '–');
    var cam = MG.text('health-camera', h.camera ? h.camera.status + (h.camera.reason ? ' — ' + h.camera.reason : '') : (h.error || '–'));
    cam.className = h.camera ? 'status-' + h.camera.status : '';
    MG.text('health-detector', h.detector ? h.detector.provider + (h.detector.threads ? ', ' + h.detector.threads + ' threads' : '') : '–');
    var voice = MG.text('health-voice', h.voice ? (h.voice.status === 'ok' ? 'ok, ' + h.voice.sink : h.voice.status) + (h.voice.reason ? ' — ' + h.voice.reason : '') : '–');
    voice.className = !h.voice ? '' : h.voice.status === 'ok' ? 'status-online' : h.voice.status === 'no audio device' ? 'status-offline' : '';
    MG.text('health-uptime', h.uptimeS !== undefined ? duration(h.uptimeS) : '–');
    MG.text('health-faults', h.faults.length ? h.faults.map(function (f) { return f.source + ': ' + f.reason; }).join('; ') : 'none');
    MG.text('health-viewers', h.dashboard.pageClients + ' pages, ' + h.dashboard.liveViewers + ' live views');
  }

  function command(path, body, label) {
    var buttons = document.querySelectorAll('.controls button');
    buttons.forEach(function (b) { b.disabled = true; });
    var out = document.getElementById('command-result');
    MG.post(path, body).then(function (r) {
      out.className = 'command-result';
      out.textContent = label + ' sent — gate is ' + r.state;
    }, function (e) {
      out.className = 'command-result error';
      out.textContent = label + ' failed: ' + e.message;
    }).then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  document.getElementById('maintenance-toggle').addEventListener('click', function () {
    command('/api/maintenance', { on: !maintenanceOn }, maintenanceOn ? 'Maintenance off' : 'Maintenance on');
  });
  document.getElementById('open-once').addEventListener('click', function () {
    command('/api/open-once', {}, 'Open once');
  });

  MG.connect('', { state: renderState, stats: renderStats, events: renderEvents, health: renderHealth }, function (ok) {
    MG.connStatus(ok);
    if (ok && wasDown) reloadLive();
    wasDown = !ok;
  });
})();
`;
