/** The operator page (served at /). Everything on it arrives over /api/stream; buttons POST commands. */
export const operatorHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mask gate — operator</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body class="operator">
<header>
  <h1>Mask gate — operator</h1>
  <span id="conn" class="conn">connecting…</span>
</header>
<main>
  <section class="card" aria-labelledby="h-gate">
    <h2 id="h-gate">Gate</h2>
    <div id="gate-state" class="state-name" data-state="">…</div>
    <div id="gate-message" class="state-msg"></div>
    <div class="leds">
      <span id="led-green" class="led green"><i></i>green</span>
      <span id="led-red" class="led red"><i></i>red</span>
      <span id="led-amber" class="led amber"><i></i>amber</span>
      <span id="relay">relay: …</span>
    </div>
    <div class="controls">
      <button id="maintenance-toggle" type="button" aria-pressed="false">Maintenance: off</button>
      <button id="open-once" type="button">Open once</button>
    </div>
    <div id="command-result" class="command-result" role="status"></div>
  </section>
  <section class="card" aria-labelledby="h-today">
    <h2 id="h-today">Today</h2>
    <dl class="counts">
      <div><dt>Cleared</dt><dd id="count-cleared">0</dd></div>
      <div><dt>Alerts</dt><dd id="count-alerts">0</dd></div>
      <div><dt>Escalations</dt><dd id="count-escalations">0</dd></div>
      <div><dt>Forced passages</dt><dd id="count-forced">0</dd></div>
    </dl>
    <p>Compliance today: <strong id="compliance-today">–</strong></p>
  </section>
  <section class="card" aria-labelledby="h-health">
    <h2 id="h-health">Health</h2>
    <dl class="health">
      <dt>Frame rate</dt><dd id="health-fps">–</dd>
      <dt>Detector latency</dt><dd id="health-latency">–</dd>
      <dt>Camera</dt><dd id="health-camera">–</dd>
      <dt>Detector</dt><dd id="health-detector">–</dd>
      <dt>Voice</dt><dd id="health-voice">–</dd>
      <dt>Uptime</dt><dd id="health-uptime">–</dd>
      <dt>Faults</dt><dd id="health-faults">none</dd>
      <dt>Viewers</dt><dd id="health-viewers">–</dd>
    </dl>
  </section>
  <section class="card" aria-labelledby="h-ignored">
    <h2 id="h-ignored">Ignored faces</h2>
    <p class="muted">Faces in view that cannot open, alert or hold the gate.</p>
    <ul id="ignored-faces" class="ignored"><li class="none">none</li></ul>
  </section>
  <section class="card live" aria-labelledby="h-live">
    <h2 id="h-live">Live view</h2>
    <img id="live" alt="Live camera view with detected faces">
  </section>
  <section class="card chart" aria-labelledby="h-chart">
    <h2 id="h-chart">Hourly compliance (today)</h2>
    <div id="chart"></div>
  </section>
  <section class="card wide" aria-labelledby="h-events">
    <h2 id="h-events">Recent events</h2>
    <table id="events">
      <thead><tr><th>Time</th><th>Event</th><th>Detail</th><th>Snapshot</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<script src="/assets/common.js"></script>
<script src="/assets/operator.js"></script>
</body>
</html>
`;
