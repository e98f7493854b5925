import { systemClock } from '../../hardware/clock';
import type { GateEvent } from '../../machines/gate-events';
import type { Frame } from '../../src/camera/frame';
import { createTracker } from '../../src/detector/tracker';
import type { Detection } from '../../src/detector/types';
import { FrameLoop } from '../../src/pipeline/frame-loop';
import { memoryLogger } from '../../src/log';
import { face, frames } from './frame-fixtures';

function loop(n: number, detect: (seq: number) => Promise<Detection[]>) {
  const sent: GateEvent[] = [];
  const restarts: string[] = [];
  let seq = 0;
  const ended = { value: false };
  const l = new FrameLoop({
    frames: frames(n),
    detector: { detect: () => detect(++seq), start: async () => void restarts.push('start'), stop: async () => void restarts.push('stop') },
    tracker: createTracker({ iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }, { zone: { x: 0, y: 0, width: 1, height: 1 } }),
    send: (e) => sent.push(e),
    clock: systemClock,
    log: memoryLogger(),
    onEnd: () => (ended.value = true),
  });
  return { l, sent, restarts, ended };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('every frame becomes one PEOPLE event with a stable track id, in frame order', async () => {
  const { l, sent, ended } = loop(4, async () => [face('mask')]);
  await l.start();
  await jest.runAllTimersAsync();
  await l.stop();
  expect(sent.map((e) => e.type)).toEqual(['PEOPLE', 'PEOPLE', 'PEOPLE', 'PEOPLE']);
  const people = sent.map((e) => (e.type === 'PEOPLE' ? e.people : []));
  expect(new Set(people.map((p) => p[0]?.id)).size).toBe(1);
  expect(people.every((p) => p[0]?.label === 'mask' && p[0].inZone)).toBe(true);
  expect(sent.map((e) => (e.type === 'PEOPLE' ? e.t : -1))).toEqual([0, 100, 200, 300]);
  expect(ended.value).toBe(true);
});

test('a detector failure is a FAULT, the detector restarts after 1 s, and the next good frame clears it', async () => {
  const { l, sent, restarts } = loop(4, async (seq) => {
    if (seq === 2) throw new Error('output shape [1, 3] does not match the manifest');
    return [face('no_mask')];
  });
  await l.start();
  await jest.advanceTimersByTimeAsync(999);
  expect(sent.map((e) => e.type)).toEqual(['PEOPLE', 'FAULT']);
  expect(sent[1]).toEqual({ type: 'FAULT', source: 'detector', reason: 'frame 2: output shape [1, 3] does not match the manifest' });
  expect(restarts).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  await jest.runAllTimersAsync();
  await l.stop();
  expect(restarts).toEqual(['stop', 'start']);
  expect(sent.map((e) => e.type)).toEqual(['PEOPLE', 'FAULT', 'FAULT_CLEARED', 'PEOPLE', 'PEOPLE']);
});

test('stop() ends the loop between frames and is idempotent', async () => {
  const { l, sent } = loop(1000, async () => []);
  await l.start();
  for (let i = 0; i < 5; i++) await jest.advanceTimersByTimeAsync(0);
  const stopped = Promise.all([l.stop(), l.stop()]);
  await jest.runAllTimersAsync();
  await stopped;
  const n = sent.length;
  await jest.runAllTimersAsync();
  expect(sent.length).toBe(n);
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThan(1000);
});

test('stop() returns even while the camera is down and next() never resolves', async () => {
  const l = new FrameLoop({
    frames: { next: () => new Promise<Frame | null>(() => {}) },
    detector: { detect: async () => [], start: async () => {}, stop: async () => {} },
    tracker: createTracker({ iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }, { zone: { x: 0, y: 0, width: 1, height: 1 } }),
    send: () => {},
    clock: systemClock,
    log: memoryLogger(),
  });
  await l.start();
  await jest.advanceTimersByTimeAsync(10);
  const stopped = l.stop();
  await jest.advanceTimersByTimeAsync(10);
  await expect(stopped).resolves.toBeUndefined();
});
