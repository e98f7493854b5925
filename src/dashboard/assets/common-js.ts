/**
 * Helpers both pages share (served as /assets/common.js): the SSE connection, JSON POSTs, DOM building.
 * Plain ES5-style script without template literals, so it can live in a TypeScript string.
 */
export const commonJs = `'use strict';
(function () {
  var MG = {};

  /** Opens /api/stream; reopens it if the browser gives up (a 401 or a daemon restart closes it for good). */
  MG.connect = function (only, handlers, onStatus) {
    var es = null;
    function open() {
      es = new EventSource('/api/stream' + (only ? '?only=' + encodeURIComponent(only) : ''));
      Object.keys(handlers).forEach(function (name) {
        es.addEventListener(name, function (ev) {
          var data;
          try { data = JSON.parse(ev.data); } catch (e) { return; }
          handlers[name](data);
        });
      });
      es.onopen = function () { onStatus(true); };
      es.onerror = function () {
        onStatus(false);
        if (es.readyState === 2) setTimeout(open, 3000);
      };
    }
    open();
  };

  MG.post = function (path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
        return j;
      });
    });
  };

  MG.el = function (tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  };

  MG.text = function (id, text) {
    var e = document.getElementById(id);
    if (e) e.textContent = text;
    return e;
  };

  MG.time = function (t) {
    var d = new Date(t);
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
  };

  /**
   * The live view reconnects by itself after the stream breaks (a daemon restart). It starts after the page's
   * load event: an endless MJPEG image would otherwise keep the page loading forever.
   */
  MG.liveView = function (img) {
    function load() { img.src = '/live.mjpeg?r=' + Date.now(); }
    img.addEventListener('error', function () { setTimeout(load, 2000); });
    if (document.readyState === 'complete') load();
    else window.addEventListener('load', load);
    return load;
  };

  MG.connStatus = function (ok) {
    var c = document.getElementById('conn');
    if (!c) return;
    c.textContent = ok ? 'live' : 'reconnecting…';
    c.className = 'conn' + (ok ? ' live' : '');
  };

  window.MG = MG;
})();
`;
