import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { cameraHealth, healthSource } from '../../src/dashboard/health';
import { LiveView, MJPEG_BOUNDARY, type LiveFrame } from '../../src/dashboard/live-view';
import type { RgbFrame } from '../../src/detector/types';
import type { FrameStats } from '../../src/pipeline/frame-loop';
import { memoryLogger } from '../../src/log';
import { annotateLive } from '../../src/dashboard/live-annotate';

/** Just enough of a ServerResponse: what was written, and a switch for a stalled socket. */
class FakeResponse extends EventEmitter {
  writes: (string | Buffer)[] = [];
  writableNeedDrain = false;
  headers: Record<string, string> = {};
  writeHead(_status: number, h: Record<string, string>) {
    this.headers = h;
    return this;
  }
  flushHeaders() {}
  write(chunk: string | Buffer) {
    this.writes.push(chunk);
    return true;
  }
  end() {
    this.emit('close');
  }
  get jpegs(): Buffer[] {
    return this.writes.filter((w): w is Buffer => Buffer.isBuffer(w));
  }
}

const frame = (seq: number, data = Buffer.alloc(64 * 48 * 3, 90)): LiveFrame => ({
  seq,
  frame: { data, width: 64, height: 48 },
  tracks: [
    { box: [10, 10, 40, 40], label: 'no_mask', confidence: 0.9, missed: 0 },
    { box: [0, 0, 5, 5], label: 'mask', confidence: 0.9, missed: 3 },
  ],
});

function rig(opts: { maxFps?: number } = {}) {
  let now = 0;
  const calls: { img: RgbFrame; resolve(b: Buffer): void; reject(e: unknown): void }[] = [];
  const log = memoryLogger();
  const view = new LiveView({
    log,
    maxFps: opts.maxFps ?? 5,
    now: () => now,
    encode: (img) => new Promise<Buffer>((resolve, reject) => calls.push({ img, resolve, reject })),
  });
  return { view, calls, log, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise((r) => setImmediate(r));

test('nothing is drawn or encoded while nobody watches', () => {
  const { view, calls } = rig();
  for (let i = 0; i < 50; i++) view.offer(frame(i));
  expect(calls).toHaveLength(0);
});

test('frames offered while an encode runs are dropped, not queued; the rate is capped', async () => {
  const { view, calls, advance } = rig({ maxFps: 5 });
  const res = new FakeResponse();
  view.add(res as unknown as ServerResponse);
  expect(res.headers['Content-Type']).toBe(`multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`);
  view.offer(frame(1));
  for (let i = 2; i < 30; i++) {
    advance(40);
    view.offer(frame(i));
  }
  expect(calls).toHaveLength(1);
  calls[0]!.resolve(Buffer.from([0xff, 0xd8, 1, 0xff, 0xd9]));
  await settle();
  expect(res.jpegs).toHaveLength(1);
  expect(String(res.writes[0])).toBe(`--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\n`);
  // Idle again, but 5 fps: a frame 100 ms after the last encode is dropped, one 200 ms after is taken.
  view.offer(frame(40));
  expect(calls).toHaveLength(2);
  calls[1]!.resolve(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await settle();
  advance(100);
  view.offer(frame(41));
  expect(calls).toHaveLength(2);
  advance(100);
  view.offer(frame(42));
  expect(calls).toHaveLength(3);
});

test('draws only tracks matched in this frame, on a copy of the camera buffer', () => {
  const { view, calls } = rig();
  view.add(new FakeResponse() as unknown as ServerResponse);
  const data = Buffer.alloc(64 * 48 * 3, 90);
  view.offer(frame(1, data));
  const img = calls[0]!.img;
  expect(img.data).not.toBe(data);
  expect(data.every((v) => v === 90)).toBe(true);
  // The matched no_mask box is outlined in red at its corner; the missed track's corner is untouched.
  const px = (x: number, y: number) => [...img.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
  expect(px(10, 30)).toEqual([230, 0, 0]);
  expect(px(1, 1)).toEqual([90, 90, 90]);
});

test('a stalled viewer skips frames while others get them; a closed one is forgotten', async () => {
  const { view, calls, advance } = rig();
  const fast = new FakeResponse();
  const stalled = new FakeResponse();
  view.add(fast as unknown as ServerResponse);
  view.add(stalled as unknown as ServerResponse);
  stalled.writableNeedDrain = true;
  view.offer(frame(1));
  calls[0]!.resolve(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await settle();
  expect(fast.jpegs).toHaveLength(1);
  expect(stalled.jpegs).toHaveLength(0);
  expect(view.skippedWrites).toBe(1);
  stalled.emit('close');
  expect(view.viewerCount).toBe(1);
  // A new viewer gets the newest frame at once.
  const late = new FakeResponse();
  view.add(late as unknown as ServerResponse);
  expect(late.jpegs).toHaveLength(1);
  advance(1000);
  fast.emit('close');
  late.emit('close');
  view.offer(frame(2));
  expect(calls).toHaveLength(1);
});

test('an encoder failure is logged, not thrown, and the next frame is tried again', async () => {
  const { view, calls, log, advance } = rig();
  const res = new FakeResponse();
  view.add(res as unknown as ServerResponse);
  view.offer(frame(1));
  calls[0]!.reject(new Error('vips: out of memory'));
  await settle();
  expect(log.lines.join('\n')).toMatch(/live view frame not encoded.*out of memory/);
  advance(1000);
  view.offer(frame(2));
  calls[1]!.resolve(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await settle();
  expect(res.jpegs).toHaveLength(1);
});

test("the frame loop's FrameStats is a LiveFrame, so the composition root can pass it straight through", () => {
  // Compile-time check: this file stops type-checking if FrameStats drifts away from what the view draws.
  const accept = (f: LiveFrame) => f.seq;
  const stats = { seq: 3, frame: { data: Buffer.alloc(3), width: 1, height: 1 }, tracks: [] } as unknown as FrameStats;
  expect(accept(stats)).toBe(3);
});

test("health: the supervisor's states map to online / reconnecting / offline; numbers come from the frame rate", () => {
  expect(['online', 'connecting', 'reconnecting', 'ended', 'failed', 'stopped', null].map((s) => cameraHealth(s as never))).toEqual(['online', 'reconnecting', 'reconnecting', 'offline', 'offline', 'offline', 'offline']);
  const h = healthSource({
    rate: { fps: () => 24.96, latencyP50: () => 21.04, latencyP95: () => 33.36 },
    camera: () => ({ state: 'reconnecting', source: 'rtsp://***@cam/1', reason: 'no frame for 5 s' }),
    detector: () => ({ provider: null, threads: 4 }),
    startedAt: 1000,
    now: () => 61_400,
  }).health();
  expect(h).toEqual({
    fps: 25,
    detectMs: { p50: 21, p95: 33.4 },
    camera: { status: 'reconnecting', reason: 'no frame for 5 s', uri: 'rtsp://***@cam/1' },
    detector: { provider: 'not loaded', threads: 4 },
    voice: { status: 'off', sink: 'none', reason: 'voice is not enabled' },
    uptimeS: 60,
  });
});

test("a turned face's box says so: its `mask` reading casts no vote, and must not look like a clear", () => {
  const { view, calls } = rig();
  view.add(new FakeResponse() as unknown as ServerResponse);
  const data = Buffer.alloc(240 * 160 * 3, 90);
  const track = { box: [60, 60, 140, 140] as [number, number, number, number], label: 'mask' as const, confidence: 0.8, missed: 0 };
  view.offer({ seq: 1, frame: { data, width: 240, height: 160 }, tracks: [{ ...track, turned: true }] });
  const drawn = calls[0]!.img.data;
  const plain = annotateLive({ data, width: 240, height: 160 }, [{ box: track.box, label: 'mask', score: 0.8 }]).data;
  const noted = annotateLive({ data, width: 240, height: 160 }, [{ box: track.box, label: 'mask', score: 0.8, note: 'turned' }]).data;
  expect(Buffer.compare(drawn, noted)).toBe(0);
  // The label plate grows by the word: more of the frame is painted mask-green.
  const green = (b: Uint8Array) => { let n = 0; for (let i = 0; i < b.length; i += 3) if (b[i] === 0 && b[i + 1] === 200 && b[i + 2] === 0) n++; return n; };
  expect(green(noted)).toBeGreaterThan(green(plain) + 50);
});
