/** @jest-environment ./test/env/onnx-environment.js */
import path from 'node:path';
import { colourModelFolder, colourSequence, tempDirs } from '../faults/helpers/colour-world';
import { cliConfig, startCli } from '../faults/helpers/cli-daemon';

/**
 * The real daemon with an RTSP camera and an MQTT broker that both need credentials (and are both down, so
 * every connect, error and retry path logs). Neither secret may appear in any log line or API answer, in
 * any spelling. The dashboard's own API checks are test/dashboard/dashboard-security.test.ts.
 */
const tmp = tempDirs();
const RTSP_PASSWORD = 'rtsp-S3cret!pw';
const MQTT_PASSWORD = 'mqtt-Hunter2-pw';
const spellings = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')];

test('RTSP and MQTT credentials never appear in the logs (debug level) or the API', async () => {
  const dir = tmp();
  await colourSequence(path.join(dir, 'seq'), [['empty', 2]]);
  const config = cliConfig(dir, colourModelFolder(), {
    camera: { source: `rtsp://admin:${encodeURIComponent(RTSP_PASSWORD)}@127.0.0.1:1/stream1`, noFrameTimeoutMs: 500 },
    mqtt: { enabled: true, url: 'mqtt://127.0.0.1:1', username: 'gate', password: { env: 'MQTT_PASSWORD' }, reconnectMs: 200 },
    dashboard: { enabled: true, host: '127.0.0.1', port: 0 },
    log: { level: 'debug' },
  });
  const d = startCli(dir, config, { env: { MQTT_PASSWORD } });
  try {
    const [, url] = await waitForMatch(d, /dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/);
    // Both failure paths have run a few times: camera reconnects, MQTT connect errors.
    await d.until('camera and MQTT retries', (o) => /camera lost: rtsp:.*reconnect attempt 2/.test(o) && (o.match(/mqtt error/g) ?? []).length >= 2);
    const api = await Promise.all(['/api/health', '/api/state', '/api/stats', '/api/events'].map(async (p) => `${p} ${await (await fetch(url + p)).text()}`));
    const seen = d.output() + '\n' + api.join('\n');
    expect(api.join('\n')).toContain('rtsp://'); // the camera is reported, its credentials are not
    for (const s of [...spellings(RTSP_PASSWORD), ...spellings(MQTT_PASSWORD)]) expect(seen).not.toContain(s);
  } finally {
    d.child.kill('SIGTERM');
    await d.exited;
  }
  for (const s of [...spellings(RTSP_PASSWORD), ...spellings(MQTT_PASSWORD)]) expect(d.output()).not.toContain(s);
}, 40_000);

async function waitForMatch(d: ReturnType<typeof startCli>, re: RegExp): Promise<RegExpMatchArray> {
  await d.waitFor(re);
  return d.output().match(re)!;
}
