import { systemClock } from '../../hardware/clock';
import type { GateEvent } from '../../machines/gate-events';
import type { Frame } from '../../src/camera/frame';
import { createTracker } from '../../src/detector/tracker';
import type { DetectHints, Detection, RgbFrame } from '../../src/detector/types';
import { FrameLoop, type FrameLoopDeps } from '../../src/pipeline/frame-loop';
import { memoryLogger } from '../../src/log';
import { face, frames } from './frame-fixtures';

/** A detector with two stages, as detector.ts runs them: each call's face network, then its classifier, each stage in call order. */
class TwoStageFake {
  readonly log: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  private faceFree: Promise<unknown> = Promise.resolve();
  private clsFree: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly answer: (seq: number) => Detection[] | Error,
    private readonly faceMs = 10,
    private readonly clsMs = 5,
  ) {}

  detect = (frame: RgbFrame, hints: DetectHints = {}): Promise<Detection[]> => {
    const seq = (frame as Frame).seq;
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const found = this.faceFree.then(async () => {
      this.log.push(`face ${seq}`);
      await new Promise((r) => setTimeout(r, this.faceMs));
    });
    this.faceFree = found;
    void found.then(() => hints.onFound?.(this.answerCount(seq)));
    const done = Promise.all([found, this.clsFree]).then(async () => {
      this.log.push(`cls ${seq}`);
      await new Promise((r) => setTimeout(r, this.clsMs));
      this.inFlight--;
      const a = this.answer(seq);
      if (a instanceof Error) throw a;
      return a;
    });
    this.clsFree = done.catch(() => undefined);
    return done;
  };
  /** Faces the face network "found": the answer's length (0 for a failure). */
  answerCount(seq: number): number {
    const a = this.answer(seq);
    return a instanceof Error ? 0 : a.length;
  }
  start = async () => void this.log.push('start');
  stop = async () => void this.log.push('stop');
}

function loop(fake: TwoStageFake, n: number, extra: Partial<FrameLoopDeps> = {}) {
  const sent: GateEvent[] = [];
  const stats: { seq: number; skipped: boolean; latencyMs: number }[] = [];
  const src = frames(n);
  const ended = { value: false };
  const l = new FrameLoop({
    frames: src,
    detector: fake,
    tracker: createTracker({ iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }, { zone: { x: 0, y: 0, width: 1, height: 1 } }),
    send: (e) => sent.push(e),
    clock: systemClock,
    log: memoryLogger(),
    onFrame: (s) => stats.push({ seq: s.seq, skipped: s.skipped, latencyMs: s.latencyMs }),
    onEnd: () => (ended.value = true),
    ...extra,
  });
  return { l, sent, stats, src, ended };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('depth 2: the next frame goes in while this one is in the face network, so the two stages overlap; events stay in frame order', async () => {
  const fake = new TwoStageFake(() => [face('mask')]);
  const { l, sent, stats, ended } = loop(fake, 6, { depth: 2 });
  const t0 = Date.now();
  await l.start();
  await jest.runAllTimersAsync();
  await l.stop();
  expect(ended.value).toBe(true);
  expect(fake.maxInFlight).toBe(2);
  // Frame 2's face network starts as frame 1's classifier does.
  expect(fake.log.slice(0, 3).sort()).toEqual(['cls 1', 'face 1', 'face 2']);
  // Six frames through a 10 ms and a 5 ms stage: 6 x 10 + 5 ms overlapped, against 6 x 15 one at a time.
  expect(Date.now() - t0).toBeLessThan(6 * 15);
  expect(sent.map((e) => (e.type === 'PEOPLE' ? e.frame : -1))).toEqual([1, 2, 3, 4, 5, 6]);
  expect(stats.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  // A frame waits for at most one face network before its own two stages (10 + 10 + 5 ms).
  expect(Math.max(...stats.map((s) => s.latencyMs))).toBeLessThanOrEqual(25);
});

test('depth 1: one frame at a time', async () => {
  const fake = new TwoStageFake(() => [face('mask')]);
  const { l, sent } = loop(fake, 4, { depth: 1 });
  await l.start();
  await jest.runAllTimersAsync();
  await l.stop();
  expect(fake.maxInFlight).toBe(1);
  expect(fake.log).toEqual(['start', 'face 1', 'cls 1', 'face 2', 'cls 2', 'face 3', 'cls 3', 'face 4', 'cls 4'].filter((x) => x !== 'start'));
  expect(sent).toHaveLength(4);
});

test('depth 2: a failing frame is a FAULT, the frame behind it is dropped unjudged, the detector restarts and the next good frame clears it', async () => {
  const fake = new TwoStageFake((seq) => (seq === 3 ? new Error('output shape [1, 3] does not match') : [face('no_mask')]));
  const { l, sent } = loop(fake, 8, { depth: 2 });
  await l.start();
  await jest.runAllTimersAsync();
  await l.stop();
  const types = sent.map((e) => (e.type === 'PEOPLE' ? `P${e.frame}` : e.type));
  expect(types.slice(0, 3)).toEqual(['P1', 'P2', 'FAULT']);
  expect(sent[2]).toEqual({ type: 'FAULT', source: 'detector', reason: 'frame 3: output shape [1, 3] does not match' });
  // Frame 4 was in flight behind frame 3: dropped. Frames resume after the restart.
  expect(types).not.toContain('P4');
  expect(types.slice(3)).toEqual(['FAULT_CLEARED', 'P5', 'P6', 'P7', 'P8']);
  expect(fake.log).toContain('stop');
});

test('stop() returns while a frame is stuck in the detector', async () => {
  const fake = new TwoStageFake(() => [], 10, 5);
  fake.detect = () => new Promise<Detection[]>(() => {});
  const { l } = loop(fake, 10, { depth: 2 });
  await l.start();
  await jest.advanceTimersByTimeAsync(50);
  const stopped = l.stop();
  await jest.advanceTimersByTimeAsync(10);
  await expect(stopped).resolves.toBeUndefined();
});

test('an empty doorway: after afterMs without a face only every other frame goes to the detector; a face brings every frame back', async () => {
  // Frames every 100 ms; faces from frame 16 on.
  const fake = new TwoStageFake((seq) => (seq >= 16 ? [face('mask')] : []));
  const { l, stats, sent } = loop(fake, 24, { depth: 2, idle: { afterMs: 500, every: 2 } });
  await l.start();
  await jest.runAllTimersAsync();
  await l.stop();
  // Every frame still becomes one event (skipped ones as empty frames), in order.
  expect(sent.map((e) => (e.type === 'PEOPLE' ? e.frame : -1))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  const skipped = stats.filter((s) => s.skipped).map((s) => s.seq);
  // Frame 1 (t=0) starts the count (nothing seen yet): from t >= 500 (frame 6) on, alternate frames skip; the
  // first frame with a face may be skipped (the cost: seen one frame later), never the one after it.
  expect(skipped).toEqual([6, 8, 10, 12, 14, 16]);
  for (const s of skipped) expect(skipped).not.toContain(s + 1);
  expect(fake.calls).toBe(24 - skipped.length);
  const seenFrom = sent.find((e) => e.type === 'PEOPLE' && e.people.length > 0);
  expect(seenFrom && seenFrom.type === 'PEOPLE' ? seenFrom.frame : 0).toBeLessThanOrEqual(17);
});
