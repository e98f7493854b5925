import { booted } from './gate-harness';
import { settledBoxes } from '../../src/pipeline/settled-faces';
import { createTracker } from '../../src/detector/tracker';
import type { TrackSnapshot } from '../../src/detector/tracker';
import type { Detection } from '../../src/detector/types';
import type { TrackEvidence } from '../../machines/gate-evidence';

/**
 * Readings carried over between classifier runs (config detector.reclassify) keep a person seen but are no
 * new evidence: they never decide, never clear, never lift an alert. The real statechart, shipped defaults.
 */
const K = 5; // default agreeFrames

const outcomes = (h: Awaited<ReturnType<typeof booted>>) => h.effects.flatMap((e) => (e.kind === 'decision' ? [e.report.outcome] : []));

test('carried mask readings add no votes: one real reading and a hundred carried ones decide nobody and open nothing', async () => {
  const h = await booted();
  const id = h.addPerson('mask');
  h.frame();
  h.people.get(id)!.carried = true;
  h.frames(100);
  expect(h.snapshot.context.tracks[id]!.votes).toEqual(['mask']);
  expect(h.outputs.relay).not.toBe('released');
  expect(outcomes(h)).not.toContain('cleared');
  // ... and the person still holds the door: seen every frame, undecided.
  expect(h.snapshot.context.people).toMatchObject([{ id, verdict: 'undecided' }]);
});

test('carried mask readings do not earn a clear after an alert: only real ones count toward maskFrames', async () => {
  const h = await booted();
  const id = h.addPerson('no_mask');
  h.frames(K);
  expect(h.state).toBe('alert.active');
  const p = h.people.get(id)!;
  p.label = 'mask';
  p.carried = true;
  h.frames(h.settings.clearAfterAlert.maskFrames * 3);
  expect(h.state).toMatch(/^alert/);
  expect(h.snapshot.context.tracks[id]!.run.frames).toBe(0);
  // Real mask readings then earn it as usual, carried frames between them neither adding nor breaking the run
  // (the first 3 real ones still leave the vote window reading unmasked, which restarts the run).
  for (let i = 0; i < h.settings.clearAfterAlert.maskFrames + 3; i++) {
    p.carried = false;
    h.frame();
    p.carried = true;
    h.frame();
  }
  expect(h.snapshot.context.tracks[id]!.run.frames).toBe(h.settings.clearAfterAlert.maskFrames);
  expect(h.snapshot.context.tracks[id]!.alert).toBeNull();
});

test('the tracker keeps a carried reading out of its smoothing, and says it was carried', () => {
  const tracker = createTracker({ iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }, { zone: { x: 0, y: 0, width: 1, height: 1 } });
  const d = (label: 'mask' | 'no_mask', carried = false): Detection => ({ box: [10, 10, 60, 70], label, score: 0.9, scores: { [label]: 0.9 }, faceScore: 0.9, ...(carried ? { carried } : {}) });
  const size = { width: 640, height: 360 };
  tracker.update([d('mask')], size, 0, 1);
  const before = tracker.update([d('mask')], size, 100, 2).tracks[0]!.probabilities;
  const carried = tracker.update([d('no_mask', true)], size, 200, 3);
  expect(carried.tracks[0]!.probabilities).toEqual(before);
  expect(carried.event.people[0]).toMatchObject({ label: 'mask', carried: true });
  const read = tracker.update([d('no_mask')], size, 300, 4);
  expect(read.tracks[0]!.probabilities.no_mask).toBeGreaterThan(before.no_mask);
  expect(read.event.people[0]!.carried).toBeUndefined();
});

test('only people the gate opened for, under no alert, are settled', () => {
  const ev = (over: Partial<TrackEvidence>): TrackEvidence => ({ votes: [], confidence: 0.9, lastSeen: 0, inZone: true, facePx: 100, moved: true, decided: true, cleared: false, alert: null, held: null, run: { frames: 0, peakPx: 0 }, ...over });
  const snap = (id: string, x: number): TrackSnapshot => ({ id, box: [x, 0, x + 50, 60], label: 'mask', confidence: 0.9, probabilities: { mask: 0.9, no_mask: 0, incorrect: 0, unknown: 0.1 }, inZone: true, hits: 9, missed: 0, firstSeen: 0, moved: true });
  const tracks = [snap('cleared', 0), snap('decided', 100), snap('alerted', 200), snap('unknown-to-gate', 300)];
  const evidence = { cleared: ev({ cleared: true }), decided: ev({}), alerted: ev({ cleared: true, alert: { reason: 'no_mask', at: 0 } }) };
  expect(settledBoxes(evidence, tracks)).toEqual([[0, 0, 50, 60]]);
  expect(settledBoxes(undefined, tracks)).toEqual([]);
});
