import { booted } from './gate-harness';
import { createTracker } from '../../src/detector/tracker';
import type { Detection } from '../../src/detector/types';

/**
 * Unsure readings (detector.ts: a face that does not read `mask`, under the operating point for its label but
 * a face by its confidence) keep a person at the door with no vote: they never alert, and nobody beside them
 * is cleared while they stand there undecided. The real statechart, shipped defaults.
 */
const outcomes = (h: Awaited<ReturnType<typeof booted>>) => h.effects.flatMap((e) => (e.kind === 'decision' ? [e.report.outcome] : []));

test('an unsure person beside a masked one: no alert, no clear, the door stays shut while they stand there', async () => {
  const h = await booted();
  h.addPerson('mask');
  const doubted = h.addPerson('incorrect');
  h.people.get(doubted)!.unsure = true;
  h.frames(60);
  expect(h.snapshot.context.tracks[doubted]!.votes).toEqual([]);
  expect(outcomes(h)).toEqual([]);
  expect(h.outputs.relay).not.toBe('released');
  expect(h.snapshot.context.people).toEqual(expect.arrayContaining([expect.objectContaining({ id: doubted, verdict: 'undecided' })]));
});

test('once their readings are sure again they vote as usual', async () => {
  const h = await booted();
  const id = h.addPerson('incorrect');
  const p = h.people.get(id)!;
  p.unsure = true;
  h.frames(30);
  expect(h.state).not.toMatch(/^alert/);
  p.unsure = false;
  h.frames(10);
  expect(h.state).toMatch(/^alert/);
  expect(outcomes(h)).toEqual(['alert']);
});

test('the tracker keeps an unsure reading out of its smoothing, and passes the flag on', () => {
  const tracker = createTracker({ iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }, { zone: { x: 0, y: 0, width: 1, height: 1 } });
  const d = (label: 'mask' | 'incorrect', unsure = false): Detection => ({ box: [10, 10, 60, 70], label, score: unsure ? 0.5 : 0.9, scores: { [label]: unsure ? 0.5 : 0.9 }, faceScore: 0.9, ...(unsure ? { unsure } : {}) });
  const size = { width: 640, height: 360 };
  tracker.update([d('mask')], size, 0, 1);
  const before = tracker.update([d('mask')], size, 100, 2).tracks[0]!.probabilities;
  const unsure = tracker.update([d('incorrect', true)], size, 200, 3);
  expect(unsure.tracks[0]!.probabilities).toEqual(before);
  expect(unsure.event.people[0]).toMatchObject({ unsure: true });
  expect(tracker.update([d('mask')], size, 300, 4).event.people[0]!.unsure).toBeUndefined();
});
