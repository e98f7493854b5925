import type { FloatTensor, InferenceSession, SessionFactory } from '../../src/detector/runtime';
import { StageTimer, timedSessions } from '../../src/bench/stage-timer';

/** A session whose runs are answered, in call order, when the test says so. */
function heldFactory(): { factory: SessionFactory; answer(): void } {
  const waiting: (() => void)[] = [];
  const session: InferenceSession = {
    inputs: [{ name: 'crop', type: 'float32', dims: ['batch', 3, 8, 8] }],
    outputs: [],
    close: async () => undefined,
    run: () => new Promise<Record<string, FloatTensor>>((resolve) => waiting.push(() => resolve({}))),
  };
  return { factory: { create: async () => session }, answer: () => waiting.shift()!() };
}

const feeds = { crop: { data: new Float32Array(1), dims: [1] } };
const flush = () => new Promise((r) => setImmediate(r));

test('runs sent together count the time they add, not the wait for the runs ahead; a run on its own counts call to answer', async () => {
  let t = 0;
  const timer = new StageTimer();
  const held = heldFactory();
  const s = await timedSessions(held.factory, timer, { crop: 'classifier net' }, () => t).create(new Uint8Array(), { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '' }, logId: 'test' });

  // Frame 1: two calls at t 0, answered at 10 and 15: the network was busy 15 ms for it, not 25.
  const both = [s.run(feeds), s.run(feeds)];
  t = 10;
  held.answer();
  await flush();
  t = 15;
  held.answer();
  await Promise.all(both);
  timer.frame();

  // Frame 2: one call at 20, answered at 26.
  t = 20;
  const one = s.run(feeds);
  t = 26;
  held.answer();
  await one;
  timer.frame();

  expect(timer.samples.get('classifier net')).toEqual([15, 6]);
});
