import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CameraError } from '../../src/camera/errors';
import { openCamera } from '../../src/camera/open';
import { forwardCameraFaults } from '../../src/camera/status-events';
import type { CameraStatus, CameraSupervisor } from '../../src/camera/supervisor';
import { recordCommand } from '../../src/cli/record';
import { CameraSection } from '../../src/config/sections/camera';
import type { GateEvent } from '../../machines/gate-events';
import { memoryLogger } from '../../src/log';
import { startRtspServer, tempDir, waitFor, within, type RtspServer } from '../fixtures/camera-media';

// End to end against a local gst-rtsp-server (Debian: gir1.2-gst-rtsp-server-1.0, python3-gi).
const USER = 'operator';
const PASSWORD = 'Pa:ss@w0rd-7731';

let server: RtspServer;
const tmp = tempDir('rtsp');
const cameras: CameraSupervisor[] = [];
beforeAll(async () => {
  server = await startRtspServer(0, { user: USER, password: PASSWORD });
});
afterEach(async () => {
  await Promise.all(cameras.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  await server?.kill();
  tmp.cleanup();
});

async function rtspCamera(url: string, log = memoryLogger()) {
  const cam = await openCamera(CameraSection.parse({ source: url, width: 96, height: 72, noFrameTimeoutMs: 1500 }), { logger: log, backoff: { initialMs: 200, maxMs: 800 } });
  cameras.push(cam);
  const statuses: CameraStatus[] = [];
  cam.on('status', (s) => statuses.push(s));
  return { cam, log, statuses };
}

/** Everything a camera said, in one string, to look for secrets in. */
const said = (log: { lines: string[] }, statuses: CameraStatus[], extra: string[] = []) => [...log.lines, ...statuses.map((s) => JSON.stringify(s)), ...extra].join('\n');

describe('rtsp:// against a local RTSP server', () => {
  it('streams with the credentials from the URI, and never logs the password', async () => {
    const { cam, log, statuses } = await rtspCamera(server.url(USER, PASSWORD));
    await within(15_000, cam.start(), 'rtsp start');
    expect(cam.status.state).toBe('online');
    const f = (await within(5000, cam.next()))!;
    expect([f.width, f.height, f.data.length]).toEqual([96, 72, 96 * 72 * 3]);
    expect(cam.info.uri).toBe(`rtsp://***@127.0.0.1:${server.port}/cam`);
    expect(cam.info.pipeline).toContain(`location=rtsp://127.0.0.1:${server.port}/cam`);
    const all = said(log, statuses, [cam.info.pipeline!]);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('a wrong password is an auth error that does not contain the password', async () => {
    const wrong = 'Wr0ng:pass@9913';
    const { cam, log, statuses } = await rtspCamera(server.url(USER, wrong));
    await within(15_000, cam.start(), 'rtsp start');
    expect(cam.status).toMatchObject({ state: 'reconnecting', code: 'auth' });
    expect(cam.status.reason).toMatch(/Unauthorized.*check the user and password/);
    expect(said(log, statuses)).not.toContain(wrong);
    expect(said(log, statuses)).not.toContain(encodeURIComponent(wrong));
  });

  it('reconnects when the camera is killed mid-stream and comes back', async () => {
    const { cam, statuses } = await rtspCamera(server.url(USER, PASSWORD));
    const events: GateEvent[] = [];
    forwardCameraFaults(cam, (e) => events.push(e));
    await within(15_000, cam.start(), 'rtsp start');
    const before = (await within(5000, cam.next()))!;

    const port = server.port;
    await server.kill();
    await waitFor('camera-lost', () => cam.status.state === 'reconnecting', 15_000);
    // Attempts fail while it is down, with growing delays.
    await waitFor('two failed attempts', () => statuses.filter((s) => s.state === 'reconnecting').length >= 2, 15_000);
    const retries = statuses.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs);
    expect(retries[1]).toBeGreaterThan(retries[0]!);

    server = await startRtspServer(port, { user: USER, password: PASSWORD });
    await waitFor('online again', () => cam.status.state === 'online', 20_000);
    const after = (await within(5000, cam.next()))!;
    expect(after.seq).toBeGreaterThan(before.seq);
    expect(events.map((e) => e.type)).toEqual(['FAULT', 'FAULT_CLEARED']);
  }, 60_000);

  it('records from RTSP into a sequence whose sequence.json hides the credentials', async () => {
    const out = path.join(tmp.dir, 'rec');
    const log = memoryLogger();
    const code = await recordCommand(['--source', server.url(USER, PASSWORD), '--seconds', '1', '--width', '96', '--height', '72', out], { logger: log });
    expect(code).toBe(0);
    const text = readFileSync(path.join(out, 'sequence.json'), 'utf8');
    const seq = JSON.parse(text) as { source: { uri: string; kind: string }; frames: unknown[] };
    expect(seq.source).toMatchObject({ kind: 'recorded', uri: `rtsp://***@127.0.0.1:${server.port}/cam` });
    expect(seq.frames.length).toBeGreaterThanOrEqual(5);
    expect(text + log.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('an unreachable camera is a clear, retried not-found', async () => {
    const { cam } = await rtspCamera('rtsp://127.0.0.1:9/none');
    await within(15_000, cam.start(), 'rtsp start');
    expect(cam.status.state).toBe('reconnecting');
    expect(cam.status.code).toBe<CameraError['code']>('not-found');
  });
});
