import { request } from 'node:http';
import { http } from './http-client';
import { startRig, until, type Rig } from './rig';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig.stop());

/** Opens a stream and tears the socket down mid-response, as a crashed browser tab would. */
function abortAfterHeaders(base: string, p: string): Promise<void> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: p }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
    req.end();
  });
}

test('clients that vanish mid-stream and a closed event log never stop the gate or the server', async () => {
  rig.feeder.start();
  rig.feeder.show('mask');
  for (let i = 0; i < 5; i++) {
    await abortAfterHeaders(rig.server.url, '/api/stream');
    await abortAfterHeaders(rig.server.url, '/live.mjpeg');
  }
  await until(() => rig.gate.state.startsWith('cleared'), 5000, 'cleared');

  // The event log goes away (disk gone): its queries fail as JSON errors, everything else still answers.
  await rig.eventLog.stop();
  const stats = await http(rig.server.url, '/api/stats');
  expect(stats.status).toBe(500);
  expect(JSON.parse(stats.text)).toEqual({ error: 'internal error' });
  expect(rig.log.lines.join('\n')).toMatch(/dashboard request failed.*\/api\/stats.*event log is not open/);
  const stream = await http(rig.server.url, '/api/stream?only=state,stats');
  expect(stream.status).toBe(200);
  expect(stream.text).toMatch(/event: state\ndata: \{"state":"cleared/);
  rig.feeder.show(null);
  await until(() => rig.gate.state === 'idle', 5000, 'idle after the person left');
  expect((await http(rig.server.url, '/api/state')).status).toBe(200);
  rig.feeder.stop();
});
