import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secret';
import { DashboardServer } from '../../src/dashboard/dashboard-server';
import { memoryLogger } from '../../src/log';
import { http, readMjpegParts } from './http-client';
import { startRig, until, W, H, sceneFrame, type Rig } from './rig';

const CAMERA_PASSWORD = 'CamPass-7q3';
const MQTT_PASSWORD = 'MqttPass-k81';
const TOKEN = 'dash-token-5f0b1e2a9c';

const unusedDeps = () => ({
  gate: { state: 'idle', snapshot: null, send: () => {} },
  eventLog: { countsToday: () => { throw new Error('unused'); }, hourlyCompliance: () => [], recentEvents: () => [], snapshots: null },
  health: { health: () => { throw new Error('unused'); } },
  log: memoryLogger(),
});

describe('binding', () => {
  test.each(['0.0.0.0', '::', '192.168.1.20'])('refuses to listen on %s without a token, whatever the config says', async (host) => {
    // A config object that never went through the schema: the server must refuse on its own.
    const server = new DashboardServer({ ...unusedDeps(), config: { enabled: true, host, port: 0, token: null } } as never);
    const error = await server.start().then(
      async () => {
        await server.stop();
        return null;
      },
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/refusing to listen on .* without dashboard.token/);
    expect(() => server.url).toThrow(/not listening/);
  });

  test('binds to loopback by default', async () => {
    expect(loadConfig({ env: {} }).dashboard.host).toBe('127.0.0.1');
  });
});

describe('with a token', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ dashboard: '{ host: 127.0.0.1, port: 0, token: { env: DASH_TOKEN } }', env: { DASH_TOKEN: TOKEN } });
  });
  afterAll(() => rig.stop());

  const GETS = ['/', '/kiosk', '/assets/app.css', '/assets/operator.js', '/live.mjpeg', '/api/state', '/api/stats', '/api/events', '/api/health', '/api/stream', '/api/snapshots/20250301T081502123Z-9f2c4e1a'];

  test('every page, asset and API answers 401 without the token, or with a wrong one', async () => {
    for (const p of GETS) {
      for (const headers of <Record<string, string>[]>[{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}x` }, { Cookie: 'mask_gate_session=forged' }]) {
        const r = await http(rig.server.url, p, { headers });
        expect([p, r.status]).toEqual([p, 401]);
        expect(JSON.parse(r.text).error).toMatch(/expected the dashboard token/);
      }
    }
    const r = await http(rig.server.url, '/api/maintenance', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: rig.server.url }, body: '{"on":true}' });
    expect(r.status).toBe(401);
    expect(rig.gate.state).toBe('idle');
    expect(rig.commands).toEqual([]);
  });

  test('the bearer token opens everything', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    for (const p of GETS.filter((x) => !x.startsWith('/api/snapshots'))) {
      const r = await http(rig.server.url, p, { headers: auth, headersOnly: true });
      expect([p, r.status]).toEqual([p, 200]);
    }
    expect(JSON.parse((await http(rig.server.url, '/api/state', { headers: auth })).text).state).toBe('idle');
  });

  test('?token= once sets an HttpOnly SameSite=Strict cookie (not the token) and reloads without it', async () => {
    const r = await http(rig.server.url, `/kiosk?token=${TOKEN}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/kiosk');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0]!;
    expect((await http(rig.server.url, '/kiosk', { headers: { Cookie: pair } })).status).toBe(200);
    expect((await http(rig.server.url, '/api/state', { headers: { Cookie: pair } })).status).toBe(200);
    expect((await http(rig.server.url, `/kiosk?token=nope`)).status).toBe(401);
  });

  test('commands need the bearer token, or the cookie from a same-origin JSON request', async () => {
    const cookie = String((await http(rig.server.url, `/?token=${TOKEN}`)).headers['set-cookie']).split(';')[0]!;
    const post = (headers: Record<string, string>, body = '{"on":true}') => http(rig.server.url, '/api/maintenance', { method: 'POST', headers, body });
    // A foreign page in the operator's browser: refused even though the browser would carry the cookie.
    expect((await post({ Cookie: cookie, 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ Cookie: cookie, 'Content-Type': 'text/plain' })).status).toBe(403);
    expect((await post({ Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: rig.server.url }, 'on=true')).status).toBe(403);
    expect(rig.gate.state).toBe('idle');
    // GET never changes anything.
    expect((await http(rig.server.url, '/api/maintenance', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const ok = await post({ Cookie: cookie, 'Content-Type': 'application/json', Origin: rig.server.url });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ ok: true, state: 'maintenance', maintenance: true });
    const off = await post({ Authorization: `Bearer ${TOKEN}` }, '{"on":false}');
    expect(off.status).toBe(200);
    expect(rig.gate.state).toBe('idle');
    const bad = await post({ Authorization: `Bearer ${TOKEN}` }, '{"on":"yes"}');
    expect([bad.status, JSON.parse(bad.text).error]).toEqual([400, expect.stringMatching(/expected \{"on": true\}/)]);
    expect((await post({ Authorization: `Bearer ${TOKEN}` }, 'x'.repeat(10_000))).status).toBe(413);
  });
});

describe('without a token, on loopback', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.stop());

  test('is open to loopback names, but not to a DNS-rebinding Host', async () => {
    expect((await http(rig.server.url, '/api/state')).status).toBe(200);
    expect((await http(rig.server.url, '/api/state', { headers: { Host: `localhost:${new URL(rig.server.url).port}` } })).status).toBe(200);
    expect((await http(rig.server.url, '/api/state', { headers: { Host: 'evil.example' } })).status).toBe(403);
    const rebind = await http(rig.server.url, '/api/open-once', { method: 'POST', headers: { Host: 'evil.example', Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: '{}' });
    expect(rebind.status).toBe(403);
    const csrf = await http(rig.server.url, '/api/open-once', { method: 'POST', headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: '{}' });
    expect(csrf.status).toBe(403);
    expect(rig.commands).toEqual([]);
  });

  test('the snapshot endpoint serves snapshots by id and refuses path traversal', async () => {
    const store = rig.eventLog.snapshots!;
    const id = await store.save(sceneFrame('mask', 1), W, H, [[250, 70, 390, 250]]);
    const ok = await http(rig.server.url, `/api/snapshots/${id}`);
    expect([ok.status, ok.headers['content-type']]).toEqual([200, 'image/jpeg']);
    // Files an attacker would like: next to the snapshot dir, and the system's.
    writeFileSync(path.join(rig.dir, 'secret.jpg'), 'SECRET-NEXT-DOOR');
    for (const p of [
      '/api/snapshots/..%2F..%2Fetc%2Fpasswd',
      '/api/snapshots/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/snapshots/..%2Fsecret',
      '/api/snapshots/..%252Fsecret',
      '/api/snapshots/..%5Csecret',
      `/api/snapshots/${id}%00.jpg`,
      `/api/snapshots/${id}%2F..%2F..%2Fsecret`,
      '/api/snapshots/%E0%A4%A',
      '/api/snapshots/',
    ]) {
      const r = await http(rig.server.url, p);
      expect([p, r.status]).toEqual([p, 400]);
      expect(r.text).not.toMatch(/root:|SECRET-NEXT-DOOR/);
    }
    // Unencoded dot segments are resolved by URL parsing before routing: they reach no snapshot at all.
    for (const p of ['/api/snapshots/../../etc/passwd', '/api/snapshots/../../../secret.jpg']) {
      const r = await http(rig.server.url, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.text).not.toMatch(/root:|SECRET-NEXT-DOOR/);
    }
    expect((await http(rig.server.url, '/api/snapshots/20250301T081502123Z-9f2c4e1a')).status).toBe(404);
  });
});

describe('credentials', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      extraConfig: [
        `camera: { source: "rtsp://admin:${CAMERA_PASSWORD}@10.0.0.5:554/stream1" }`,
        'mqtt: { enabled: false, username: gate, password: { env: MQTT_PW } }',
      ].join('\n'),
      dashboard: '{ host: 127.0.0.1, port: 0, token: { env: DASH_TOKEN } }',
      env: { MQTT_PW: MQTT_PASSWORD, DASH_TOKEN: TOKEN },
      // A careless health source: the raw camera URI and an error quoting it and the MQTT password.
      health: () => ({
        health: () => ({
          fps: 25,
          detectMs: { p50: 20, p95: 30 },
          camera: { status: 'reconnecting', reason: `rtsp://admin:${CAMERA_PASSWORD}@10.0.0.5:554/stream1: 401 (mqtt ${MQTT_PASSWORD})`, uri: `rtsp://admin:${CAMERA_PASSWORD}@10.0.0.5:554/stream1` },
          detector: { provider: 'cpu', threads: 4 },
          voice: { status: 'ok', sink: 'aplay', reason: null },
          uptimeS: 5,
        }),
      }),
    });
  });
  afterAll(() => rig.stop());

  test('never appear in the API, the event stream or the logs', async () => {
    expect(rig.config.mqtt.password).toBeInstanceOf(Secret);
    // A camera fault whose reason quotes the URI: it reaches the gate, the event log and the pages.
    rig.gate.send({ type: 'FAULT', source: 'camera', reason: `cannot open rtsp://admin:${CAMERA_PASSWORD}@10.0.0.5:554/stream1` });
    await until(() => rig.gate.state === 'fault', 2000, 'fault state');
    rig.feeder.start();
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const bodies: string[] = [];
    for (const p of ['/api/state', '/api/stats', '/api/events?limit=50', '/api/health', '/api/stream', '/', '/kiosk']) {
      const r = await http(rig.server.url, p, { headers: auth });
      expect([p, r.status]).toEqual([p, 200]);
      bodies.push(r.text);
    }
    await readMjpegParts(rig.server.url, 1, auth);
    const all = bodies.join('\n');
    // The content is there, redacted: proof the check looks at the right fields.
    expect(all).toContain('rtsp://***@10.0.0.5:554/stream1');
    expect(all).toContain('cannot open rtsp://***@10.0.0.5');
    rig.gate.send({ type: 'FAULT_CLEARED', source: 'camera' });
    await rig.server.stop();
    const logs = rig.log.lines.join('\n');
    expect(logs).toContain('dashboard listening');
    for (const secret of [CAMERA_PASSWORD, MQTT_PASSWORD, TOKEN]) {
      expect(all).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
