import { backoffDelay } from '../../src/camera/backoff';
import { CameraError } from '../../src/camera/errors';
import { Emitter, type Frame, type FrameSource, type FrameSourceEvents, type SourceInfo } from '../../src/camera/frame';
import { cameraStatusToGateEvent, forwardCameraFaults } from '../../src/camera/status-events';
import { CameraSupervisor, type CameraStatus } from '../../src/camera/supervisor';
import type { GateEvent } from '../../machines/gate-events';
import { memoryLogger } from '../../src/log';
import { flush, ManualClock } from '../fixtures/camera-clock';

/** A camera connection the test drives by hand. */
class FakeSource extends Emitter<FrameSourceEvents> implements FrameSource {
  seq = 0;
  stopped = false;
  private waiter: ((f: Frame | null) => void) | null = null;
  private latest: Frame | null = null;
  private ended: CameraError | null | undefined = undefined;

  constructor(
    readonly info: SourceInfo,
    private readonly clock: ManualClock,
    private readonly startError: CameraError | null = null,
  ) {
    super();
  }
  async start(): Promise<void> {
    if (this.startError) {
      this.end(this.startError);
      throw this.startError;
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiter?.(null);
    this.waiter = null;
  }
  /** The camera delivers a frame. */
  frame(): void {
    const f: Frame = { data: Buffer.alloc(12), width: 2, height: 2, tMs: this.clock.now(), seq: this.seq++ };
    this.emit('frame', { seq: f.seq, tMs: f.tMs });
    if (this.waiter) {
      this.waiter(f);
      this.waiter = null;
    } else this.latest = f;
  }
  end(e: CameraError | null): void {
    this.ended = e;
    this.emit('end', e);
    this.waiter?.(null);
    this.waiter = null;
  }
  next(): Promise<Frame | null> {
    if (this.latest) {
      const f = this.latest;
      this.latest = null;
      return Promise.resolve(f);
    }
    if (this.ended !== undefined || this.stopped) return this.ended ? Promise.reject(this.ended) : Promise.resolve(null);
    return new Promise((r) => (this.waiter = r));
  }
  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    throw new Error('unused');
  }
}

const LIVE: SourceInfo = { uri: 'rtsp://***@10.0.0.7/live', live: true, width: 2, height: 2, fps: 10 };

function setup(opts: { failFirst?: number; info?: SourceInfo; stableMs?: number; connectTimeoutMs?: number; throwOnOpen?: number } = {}) {
  const clock = new ManualClock();
  const log = memoryLogger();
  const sources: FakeSource[] = [];
  let opened = 0;
  const sup = new CameraSupervisor({
    info: opts.info ?? LIVE,
    logger: log,
    clock,
    noFrameTimeoutMs: 5000,
    ...(opts.stableMs !== undefined ? { stableMs: opts.stableMs } : {}),
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    open: () => {
      opened++;
      if (opened <= (opts.throwOnOpen ?? 0)) throw new Error('cannot construct the source');
      const s = new FakeSource(opts.info ?? LIVE, clock, opened <= (opts.failFirst ?? 0) ? new CameraError('not-found', 'Could not connect to 10.0.0.7') : null);
      sources.push(s);
      return s;
    },
  });
  const statuses: CameraStatus[] = [];
  sup.on('status', (s) => statuses.push(s));
  const events: GateEvent[] = [];
  forwardCameraFaults(sup, (e) => events.push(e));
  return { clock, log, sources, sup, statuses, events, current: () => sources[sources.length - 1]! };
}

describe('reconnect backoff', () => {
  it('doubles from 1 s to 30 s and stays there', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100, 10_000].map((a) => backoffDelay(a))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });
});

describe('CameraSupervisor (live)', () => {
  it('goes online on the first frame and reconnects with backoff after a loss', async () => {
    const t = setup();
    const started = t.sup.start();
    t.current().frame();
    await started;
    expect(t.sup.status.state).toBe('online');

    t.current().end(new CameraError('stream', 'rtsp://***@10.0.0.7/live: Could not read from resource.'));
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', attempt: 1, retryInMs: 1000, code: 'stream' });
    expect(t.current().stopped).toBe(true);
    await t.clock.advance(999);
    expect(t.sources).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.sources).toHaveLength(2);
    t.current().frame();
    expect(t.sup.status.state).toBe('online');
    expect(t.events).toEqual([
      { type: 'FAULT', source: 'camera', reason: 'rtsp://***@10.0.0.7/live: Could not read from resource.' },
      { type: 'FAULT_CLEARED', source: 'camera' },
    ]);
    expect(t.log.lines.some((l) => l.includes('reconnect attempt 1 in 1000 ms'))).toBe(true);
    expect(t.log.lines.some((l) => l.includes('camera reconnect attempt 1'))).toBe(true);
    await t.sup.stop();
  });

  it('treats end of stream and silence (noFrameTimeoutMs) as camera-lost', async () => {
    const t = setup();
    const started = t.sup.start();
    t.current().frame();
    await started;
    t.current().end(null); // EOS on a live source
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', code: 'ended' });
    await t.clock.advance(1000);
    t.current().frame();
    await t.clock.advance(4999);
    expect(t.sup.status.state).toBe('online');
    t.current().frame(); // re-arms the watchdog
    await t.clock.advance(4999);
    expect(t.sup.status.state).toBe('online');
    await t.clock.advance(1);
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', code: 'no-frames', reason: 'rtsp://***@10.0.0.7/live: no frame for 5000 ms' });
    expect(t.sources[1]!.stopped).toBe(true);
    await t.sup.stop();
  });

  it('gives a new connection longer for its first frame than a running one between frames', async () => {
    const t = setup({ connectTimeoutMs: 10_000 });
    void t.sup.start();
    await t.clock.advance(9_999);
    expect(t.sup.status.state).toBe('connecting');
    await t.clock.advance(1);
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', reason: 'rtsp://***@10.0.0.7/live: no frame for 10000 ms' });
    await t.clock.advance(1000);
    t.current().frame();
    await t.clock.advance(5000);
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', reason: 'rtsp://***@10.0.0.7/live: no frame for 5000 ms' });
    await t.sup.stop();
  });

  it('keeps retrying even if making a source throws', async () => {
    const t = setup({ throwOnOpen: 2 });
    await t.sup.start();
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', reason: 'rtsp://***@10.0.0.7/live: cannot construct the source' });
    await t.clock.advance(1000);
    await t.clock.advance(2000);
    t.current().frame();
    expect(t.sup.status.state).toBe('online');
    await t.sup.stop();
  });

  it('starts even when the camera is down, and keeps trying forever at most 30 s apart', async () => {
    const t = setup({ failFirst: 12 });
    await t.sup.start(); // resolves: a camera down at boot is a status, not a crash
    expect(t.sup.status).toMatchObject({ state: 'reconnecting', attempt: 1, code: 'not-found' });
    const delays: number[] = [];
    for (let i = 0; i < 11; i++) {
      delays.push(t.sup.status.retryInMs!);
      await t.clock.advance(t.sup.status.retryInMs!);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000]);
    expect(t.sources).toHaveLength(12);
    await t.clock.advance(30000);
    t.current().frame();
    expect(t.sup.status).toMatchObject({ state: 'online', attempt: 12 });
    // One FAULT for the whole outage, one FAULT_CLEARED when it ends.
    expect(t.events.map((e) => e.type)).toEqual(['FAULT', 'FAULT_CLEARED']);
    expect(t.log.lines.filter((l) => l.includes('camera reconnect attempt'))).toHaveLength(12);
    await t.sup.stop();
  });

  it('starts the backoff again after the camera was stable', async () => {
    const t = setup({ stableMs: 10_000 });
    const started = t.sup.start();
    t.current().frame();
    await started;
    t.current().end(new CameraError('stream', 'lost'));
    await t.clock.advance(1000);
    t.current().frame(); // flapping: back for only 2 s
    await t.clock.advance(2000);
    t.current().end(new CameraError('stream', 'lost'));
    expect(t.sup.status.retryInMs).toBe(2000);
    await t.clock.advance(2000);
    for (let i = 0; i < 12; i++) {
      t.current().frame();
      await t.clock.advance(1000);
    }
    t.current().end(new CameraError('stream', 'lost'));
    expect(t.sup.status).toMatchObject({ attempt: 1, retryInMs: 1000 });
    await t.sup.stop();
  });

  it('keeps handing out frames across a reconnect, seq still increasing, newest first', async () => {
    const t = setup();
    const started = t.sup.start();
    t.current().frame();
    t.current().frame();
    await started;
    const a = await t.sup.next();
    const waiting = t.sup.next();
    t.current().end(new CameraError('stream', 'lost'));
    await t.clock.advance(1000);
    t.current().frame();
    const b = await waiting;
    expect(a!.seq).toBeLessThan(b!.seq);
    t.current().frame();
    const c = await t.sup.next();
    expect(c!.seq).toBe(b!.seq + 1);
    await t.sup.stop();
  });

  it('stop() ends a waiting next() and cancels the pending reconnect', async () => {
    const t = setup({ failFirst: 1 });
    await t.sup.start();
    const waiting = t.sup.next();
    await t.sup.stop();
    await t.sup.stop(); // idempotent
    expect(await waiting).toBeNull();
    await t.clock.advance(60_000);
    expect(t.sources).toHaveLength(1);
    expect(t.sup.status.state).toBe('stopped');
    expect(t.clock.pending).toBe(0);
  });
});

describe('CameraSupervisor (replay)', () => {
  const REPLAY: SourceInfo = { ...LIVE, uri: 'file:///clips/a.mkv', live: false };

  it('does not reconnect a replay: it ends, or fails and start() says why', async () => {
    const t = setup({ info: REPLAY, failFirst: 1 });
    await expect(t.sup.start()).rejects.toThrow('Could not connect');
    expect(t.sup.status).toMatchObject({ state: 'failed', code: 'not-found' });
    await t.clock.advance(60_000);
    expect(t.sources).toHaveLength(1);
    await expect(t.sup.next()).rejects.toThrow('Could not connect');
    expect(t.events.map((e) => e.type)).toEqual(['FAULT']);
  });

  it('hands out the last frames, then null when the replay ends', async () => {
    const t = setup({ info: REPLAY });
    const started = t.sup.start();
    t.current().frame();
    await started;
    t.current().end(null);
    expect(t.sup.status.state).toBe('ended');
    expect(await t.sup.next()).not.toBeNull();
    expect(await t.sup.next()).toBeNull();
    await flush();
  });
});

describe('camera status to gate events', () => {
  const s = (state: CameraStatus['state'], reason: string | null = null): CameraStatus => ({ state, reason, source: 'x', code: null, attempt: 0, retryInMs: null, at: 0 });
  it('raises one FAULT per outage and clears it when frames come back', () => {
    expect(cameraStatusToGateEvent(false, s('connecting'))).toBeNull();
    expect(cameraStatusToGateEvent(false, s('online'))).toBeNull();
    expect(cameraStatusToGateEvent(false, s('reconnecting', 'no frame for 5000 ms'))).toEqual({ type: 'FAULT', source: 'camera', reason: 'no frame for 5000 ms' });
    expect(cameraStatusToGateEvent(true, s('reconnecting', 'again'))).toBeNull();
    expect(cameraStatusToGateEvent(true, s('online'))).toEqual({ type: 'FAULT_CLEARED', source: 'camera' });
    expect(cameraStatusToGateEvent(false, s('failed', 'corrupt'))).toEqual({ type: 'FAULT', source: 'camera', reason: 'corrupt' });
  });
});
