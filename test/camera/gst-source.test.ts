import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CameraError } from '../../src/camera/errors';
import type { Frame } from '../../src/camera/frame';
import { GstFrameSource } from '../../src/camera/gst-source';
import { openCamera } from '../../src/camera/open';
import type { CameraSupervisor, CameraStatus } from '../../src/camera/supervisor';
import { CameraSection, type CameraConfig } from '../../src/config/sections/camera';
import { memoryLogger } from '../../src/log';
import { alive, childPids, makeMjpegAvi, makeVp8Mkv, tempDir, waitFor, within } from '../fixtures/camera-media';

const tmp = tempDir('gst');
const cameras: CameraSupervisor[] = [];
afterEach(async () => {
  await Promise.all(cameras.splice(0).map((c) => c.stop()));
});
afterAll(() => tmp.cleanup());

async function camera(source: string, over: Partial<CameraConfig> = {}, extra: { backoff?: { initialMs: number; maxMs: number } } = {}) {
  const log = memoryLogger();
  const cam = await openCamera(CameraSection.parse({ source, width: 64, height: 48, fps: 15, loop: false, paced: false, noFrameTimeoutMs: 3000, ...over }), { logger: log, ...extra });
  cameras.push(cam);
  const statuses: CameraStatus[] = [];
  cam.on('status', (s) => statuses.push(s));
  return { cam, log, statuses };
}

async function drain(cam: { next(): Promise<Frame | null> }, max = 10_000): Promise<Frame[]> {
  const out: Frame[] = [];
  for (let f = await within(10_000, cam.next(), 'next frame'); f && out.length < max; f = await within(10_000, cam.next(), 'next frame')) out.push(f);
  return out;
}

describe('file:// replays', () => {
  it.each([
    ['an MJPEG AVI', 'clip.avi', makeMjpegAvi],
    ['a VP8 Matroska file', 'clip.mkv', makeVp8Mkv],
  ])('gives every frame of %s as RGB at the working size, stamped with media time', async (_what, name, make) => {
    const file = await make(path.join(tmp.dir, name), { frames: 12, fps: 15, width: 160, height: 120, pattern: 'pattern=solid-color foreground-color=0xffff0000' });
    const { cam } = await camera(`file://${file}`);
    await cam.start();
    const frames = await drain(cam);
    expect(frames.map((f) => f.seq)).toEqual([...Array(12).keys()]);
    expect(frames.map((f) => f.index)).toEqual([...Array(12).keys()]);
    expect(frames.map((f) => f.tMs)).toEqual([...Array(12).keys()].map((i) => Math.round((i * 1000) / 15)));
    for (const f of frames) {
      expect([f.width, f.height, f.data.length]).toEqual([64, 48, 64 * 48 * 3]);
    }
    // Red in the file is red here: RGB order, not BGR.
    const [r, g, b] = frames[5]!.data.subarray((24 * 64 + 32) * 3);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    expect(cam.status.state).toBe('ended');
  });

  it('drops nothing for a slow consumer, and loops with time still increasing', async () => {
    const file = await makeMjpegAvi(path.join(tmp.dir, 'slow.avi'), { frames: 8 });
    const { cam } = await camera(`file://${file}`, { loop: true });
    await cam.start();
    const frames: Frame[] = [];
    while (frames.length < 20) {
      frames.push((await within(10_000, cam.next()))!);
      await new Promise((r) => setTimeout(r, 25)); // slower than the file's 15 fps would need when fast
    }
    expect(frames.map((f) => f.seq)).toEqual([...Array(20).keys()]);
    expect(frames.map((f) => f.index)).toEqual([...Array(20).keys()].map((i) => i % 8));
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.tMs).toBeGreaterThan(frames[i - 1]!.tMs);
  });

  it('plays in real time when paced', async () => {
    const file = await makeMjpegAvi(path.join(tmp.dir, 'paced.avi'), { frames: 16, fps: 20 }); // 750 ms of video
    const { cam } = await camera(`file://${file}`, { paced: true });
    await cam.start();
    const t0 = Date.now();
    const frames = await drain(cam);
    expect(frames).toHaveLength(16);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
  });

  it('reports a corrupt file clearly, without retrying it', async () => {
    const file = path.join(tmp.dir, 'corrupt.mkv');
    writeFileSync(file, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
    const { cam } = await camera(`file://${file}`);
    const err = await within(10_000, cam.start()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CameraError);
    expect((err as CameraError).code).toBe('unreadable');
    expect((err as CameraError).message).toContain(file);
    expect((err as CameraError).message).toMatch(/not a video this machine can decode/);
    expect(cam.status.state).toBe('failed');
  });

  it('reports a missing file by name', async () => {
    const { cam } = await camera(`file://${tmp.dir}/missing.mkv`);
    await expect(cam.start()).rejects.toThrow(`video file ${tmp.dir}/missing.mkv does not exist`);
  });
});

describe('live sources', () => {
  it('test:// always gives the newest frame: a slow consumer skips frames and never builds a queue', async () => {
    const { cam } = await camera('test://', { fps: 30 });
    await cam.start();
    const got: Frame[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200)); // a slow detector
      const f = (await within(5000, cam.next()))!;
      got.push(f);
      // Fresh, not queued: with a queue, the fifth frame taken would be ~800 ms old.
      expect(Date.now() - f.tMs).toBeLessThan(250);
    }
    const gaps = got.slice(1).map((f, i) => f.seq - got[i]!.seq);
    expect(Math.min(...gaps)).toBeGreaterThan(1);
    expect(got[0]!.data.length).toBe(64 * 48 * 3);
  });

  it('stopping while the camera is still opening settles start() at once', async () => {
    const src = new GstFrameSource({
      info: { uri: 'test://', live: true, width: 32, height: 24, fps: 30 },
      logger: memoryLogger(),
      loop: false,
      startTimeoutMs: 60_000,
      plan: { description: 'videotestsrc is-live=true ! video/x-raw,format=RGB,width=32,height=24 ! appsink name=sink', secretProperties: [], live: true, hardware: false },
    });
    const started = src.start().then(
      () => 'first frame came first',
      (e: Error) => e.message,
    );
    await src.stop();
    expect(await within(5000, started, 'start() after stop()')).toMatch(/stopped before the first frame|first frame came first/);
    expect(await src.next()).toBeNull();
    expect(alive(src.pid)).toBe(false);
  });

  it('a missing v4l2 device is a clear camera-lost reason, retried', async () => {
    const { cam, statuses, log } = await camera('v4l2:///dev/video97', {}, { backoff: { initialMs: 100, maxMs: 200 } });
    await cam.start();
    expect(cam.status).toMatchObject({ state: 'reconnecting', code: 'not-found', reason: 'v4l2:///dev/video97: camera device /dev/video97 does not exist (webcam unplugged? see ls /dev/video*)' });
    await waitFor('a second attempt', () => statuses.filter((s) => s.state === 'reconnecting').length >= 2);
    expect(log.lines.some((l) => l.includes('camera reconnect attempt 1'))).toBe(true);
  });

  it('end of stream on a live pipeline is camera-lost', async () => {
    const log = memoryLogger();
    const info = { uri: 'test://eos', live: true, width: 32, height: 24, fps: 30 };
    const src = new GstFrameSource({
      info,
      logger: log,
      loop: false,
      startTimeoutMs: 5000,
      plan: {
        description: 'videotestsrc num-buffers=5 is-live=true ! video/x-raw,format=RGB,width=32,height=24,framerate=30/1 ! appsink name=sink max-buffers=1 drop=true sync=false',
        secretProperties: [],
        live: true,
        hardware: false,
      },
    });
    const ended = new Promise<CameraError | null>((r) => src.on('end', r));
    await src.start();
    const e = await within(5000, ended);
    expect(e).toMatchObject({ code: 'ended' });
    await expect(src.next()).rejects.toThrow('the stream ended');
    await waitFor('the camera process to exit', () => !alive(src.pid));
  });

  it('a camera process that dies mid-stream is reconnected, and stopping leaves no process behind', async () => {
    const { cam, statuses } = await camera('test://', {}, { backoff: { initialMs: 100, maxMs: 200 } });
    await cam.start();
    await within(5000, cam.next());
    // The camera process is not part of the public API; find it in the process table.
    const findPid = () => childPids(process.pid, 'gst-child');
    const [first] = findPid();
    expect(first).toBeDefined();
    process.kill(first!, 'SIGKILL');
    await waitFor('camera-lost', () => statuses.some((s) => s.state === 'reconnecting'));
    expect(statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ code: 'crashed', reason: expect.stringContaining('signal SIGKILL') });
    await waitFor('online again', () => cam.status.state === 'online');
    const after = await within(5000, cam.next());
    expect(after).not.toBeNull();
    const [second] = findPid();
    expect(second).not.toBe(first);
    await cam.stop();
    await waitFor('no camera process left', () => !alive(second));
  });
});

describe('the camera process', () => {
  it('goes away by itself when the gate process dies without stopping it', async () => {
    const { spawn } = await import('node:child_process');
    const root = path.resolve(__dirname, '../..');
    const gate = spawn(process.execPath, ['-r', path.join(root, 'src/camera/dev-ts-register.cjs'), path.join(root, 'test/fixtures/camera-orphan.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await within(
        20_000,
        new Promise<void>((resolve) => gate.stdout!.on('data', (d: Buffer) => d.toString().includes('STREAMING') && resolve())),
        'the stand-in gate to stream',
      );
      const [camPid] = childPids(gate.pid!, 'gst-child');
      expect(alive(camPid)).toBe(true);
      gate.kill('SIGKILL');
      await waitFor('the orphaned camera process to exit', () => !alive(camPid), 10_000);
    } finally {
      gate.kill('SIGKILL');
    }
  });
});
