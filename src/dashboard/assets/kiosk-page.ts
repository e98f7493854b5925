/** The doorway monitor (served at /kiosk). Starts neutral; the first SSE `state` event sets the message. */
export const kioskHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mask gate</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body class="kiosk tone-neutral" data-display="">
<main>
  <div id="kiosk-title" class="kiosk-title">Please look at the camera</div>
  <div id="kiosk-subtitle" class="kiosk-subtitle">Connecting…</div>
  <img id="live" class="live-view" alt="Live camera view">
</main>
<span id="conn" class="conn">connecting…</span>
<script src="/assets/common.js"></script>
<script src="/assets/kiosk.js"></script>
</body>
</html>
`;

/** After this long without the daemon, the monitor says "Out of order" instead of a stale "Welcome". */
export const KIOSK_STALE_MS = 4000;

export const kioskJs = `'use strict';
(function () {
  var staleTimer = null;
  var reloadLive = MG.liveView(document.getElementById('live'));
  var wasDown = false;

  function show(tone, title, subtitle, display) {
    document.body.className = 'kiosk tone-' + tone;
    document.body.setAttribute('data-display', display);
    MG.text('kiosk-title', title);
    MG.text('kiosk-subtitle', subtitle);
  }

  MG.connect('state', {
    state: function (v) { show(v.kiosk.tone, v.kiosk.title, v.kiosk.subtitle, v.indication ? v.indication.display : 'out_of_order'); }
  }, function (ok) {
    MG.connStatus(ok);
    if (ok) {
      clearTimeout(staleTimer);
      staleTimer = null;
      if (wasDown) reloadLive();
      wasDown = false;
    } else if (!staleTimer) {
      wasDown = true;
      staleTimer = setTimeout(function () { show('warn', 'Out of order', 'Please see a member of staff', 'out_of_order'); }, KIOSK_STALE_MS);
    }
  });
})();
`.replace('KIOSK_STALE_MS', String(KIOSK_STALE_MS));
