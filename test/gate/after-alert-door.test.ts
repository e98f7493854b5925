import { votesVerdict } from '../../machines/gate-evidence';
import type { Detection, MaskLabel } from '../../src/detector/types';
import { booted, door, DT, faceAt, walkUp, type DoorOptions } from './door-rig';

/**
 * After an alert, with the real tracker (EMA smoothing, confirmation) feeding the real statechart at 30 fps
 * and the shipped defaults (gate.clearAfterAlert: 30 frames of mask in a row, 3 s after the alert, 0.2 shrink).
 * Found by the 42-person bench: an alerted mask below the nose was cleared when its votes turned to `mask`
 * (maksssksksss386), and an alerted group was cleared as it stepped out (maksssksksss307).
 */
const K = 5; // default agreeFrames

type Door = ReturnType<typeof door>;

/** Walks up showing `label` and stands 1 s at the door: alerted. A masked companion walks up beside them. */
async function alerted(label: MaskLabel, companion = false, opts: DoorOptions = {}) {
  const d = door(opts);
  await booted(d);
  const beside = (i: number): Detection[] => (companion ? [faceAt(180, 170, 70, 'mask', i)] : []);
  // From 30 to 70 px as the alerted one walks up: a person who has moved, read as masked (not a still face).
  const walkBeside = (i: number): Detection[] => (companion ? [faceAt(150 + 30 * Math.min(1, i / 45), 170, 30 + 40 * Math.min(1, i / 45), 'mask', i)] : []);
  d.run(1500, (i) => [...walkUp(i, label), ...walkBeside(i)]);
  d.run(1000, (i) => [faceAt(320, 170, 80, label, i), ...beside(i)]);
  expect(d.h.state).toBe('alert.active');
  const alertAt = d.states.find((s) => s.state === 'alert.active')!.t;
  const id = Object.entries(d.h.snapshot.context.tracks).find(([, tr]) => tr.alert)![0];
  return { d, alertAt, id, beside };
}

/** Frames of `faces`, counting those after which the alerted person's votes alone read `mask`. */
function runCounting(d: Door, id: string, frames: number, faces: (i: number) => Detection[]): number {
  let readMask = 0;
  for (let i = 0; i < frames; i++) {
    d.step(faces(i));
    const tr = d.h.snapshot.context.tracks[id];
    if (tr && votesVerdict(tr, K) === 'mask') readMask++;
  }
  return readMask;
}

describe('a flickering mask below the nose is alerted and never cleared', () => {
  test.each([
    [4, false],
    [12, false],
    [12, true],
  ])('incorrect, then %i frames read as mask, again and again for 20 s (masked companion: %s)', async (maskLen, companion) => {
    const { d, id, beside } = await alerted('incorrect', companion);
    const period = 30;
    const label = (i: number): MaskLabel => (i % period >= period - maskLen ? 'mask' : 'incorrect');
    const readMask = runCounting(d, id, Math.round(20_000 / DT), (i) => [faceAt(320, 170, 80, label(i), i), ...beside(i)]);
    // With 12 frames the smoothed votes read mask for a while each time: the old rule cleared there.
    if (maskLen === 12) expect(readMask).toBeGreaterThan(20);
    expect(d.released).toEqual([]);
    expect(d.h.state).toMatch(/^alert\./);
    d.run(3000, () => []);
    expect(d.h.state).toBe('idle');
    expect(d.decisions().map((r) => `${r.outcome}:${r.reason}`)).toEqual(['alert:incorrect']);
  });
});

describe('a person who puts a mask on and holds it is cleared after gate.clearAfterAlert', () => {
  test.each([1000, 4000])('incorrect for %i ms after the alert, then a mask held', async (before) => {
    const { d, alertAt } = await alerted('incorrect');
    const { maskFrames, minMs } = d.config.gate.clearAfterAlert;
    d.run(before, (i) => [faceAt(320, 170, 80, 'incorrect', i)]);
    const maskAt = d.h.clock.now() + DT;
    d.run(5000, (i) => [faceAt(320, 170, 80, 'mask', i)]);
    expect(d.decisions().map((r) => r.outcome)).toEqual(['alert', 'cleared']);
    const clearedAt = d.states.find((s) => s.state === 'cleared.open')!.t;
    expect(clearedAt - alertAt).toBeGreaterThanOrEqual(minMs);
    expect(clearedAt - maskAt).toBeGreaterThanOrEqual(maskFrames * DT);
    // And not much later: the smoothing and the window's old votes take a few frames, minMs the rest.
    expect(clearedAt).toBeLessThanOrEqual(Math.max(alertAt + minMs, maskAt + (maskFrames + 8) * DT) + DT);
  });
});

describe('leaving after an alert never clears', () => {
  /** Steps aside out of the frame in `ms` (600 as the bench's people do), a little larger as they turn. */
  const stepAside = (i: number, label: MaskLabel, from = 320, ms = 600): Detection[] => {
    const u = Math.min(1, i / Math.round(ms / DT));
    const cx = from + 0.9 * 640 * u * u;
    const px = 80 * (1 + 0.1 * u);
    return cx - px * 0.4 > 640 ? [] : [faceAt(cx, 170, px, label, i)];
  };

  test('stepping aside out of the zone and the frame, read as mask on the way', async () => {
    const { d } = await alerted('incorrect');
    d.run(600, (i) => stepAside(i, 'mask'));
    d.run(3000, () => []);
    expect(d.released).toEqual([]);
    expect(d.h.state).toBe('idle');
    expect(d.decisions().map((r) => r.outcome)).toEqual(['alert']);
  });

  test('stepping back until the face is under decision size, read as mask on the way', async () => {
    const { d } = await alerted('no_mask');
    // 80 px to 20 px in 1.5 s, then 2 s far away, then gone.
    d.run(1500, (i) => [faceAt(320, 170, 80 - 60 * Math.min(1, i / 45), 'mask', i)]);
    d.run(2000, (i) => [faceAt(320, 170, 20, 'mask', i)]);
    d.run(3000, () => []);
    expect(d.released).toEqual([]);
    expect(d.decisions().map((r) => r.outcome)).toEqual(['alert']);
  });

  // The alert applies to the group at the door: the companion beside the alerted person is cleared only under
  // gate.clearAfterAlert, however the alerted one leaves and however the tracker follows them (with relink on
  // they are followed out of the zone and held only personGoneMs; off, lost in the zone and held until the door
  // empties). Before the group rule, relink on, or a step aside of 700 ms or more, cleared the companion here.
  describe.each([false, true])('with detector.tracker.relink.enabled %s', (relink) => {
    test.each([600, 700, 1000])('a group stepping out (the alerted one first, over %i ms): the masked companion is not cleared on the way', async (ms) => {
      const { d } = await alerted('incorrect', true, { relink });
      d.run(ms, (i) => [...stepAside(i, 'mask', 320, ms), faceAt(180, 170, 70, 'mask', i)]);
      d.run(1000, (i) => [faceAt(180, 170, 70, 'mask', i)]);
      d.run(600, (i) => stepAside(i, 'mask', 180));
      d.run(3000, () => []);
      expect(d.released).toEqual([]);
      expect(d.h.state).toBe('idle');
      expect(d.decisions().map((r) => r.outcome)).toEqual(['alert']);
    });

    test.each([600, 1000])('the masked companion stays 5 s after the alerted one stepped out (over %i ms): cleared under gate.clearAfterAlert, not before', async (ms) => {
      const { d, alertAt } = await alerted('incorrect', true, { relink });
      const { minMs } = d.config.gate.clearAfterAlert;
      // The last frame in which the gate saw the alerted person (however far the tracker followed them).
      let alertedSeenAt = 0;
      const frame = (faces: Detection[]) => {
        d.step(faces);
        for (const tr of Object.values(d.h.snapshot.context.tracks)) if (tr.alert) alertedSeenAt = Math.max(alertedSeenAt, tr.lastSeen);
      };
      for (let i = 0; i < Math.round(ms / DT); i++) frame([...stepAside(i, 'mask', 320, ms), faceAt(180, 170, 70, 'mask', i)]);
      for (let i = 0; i < Math.round(5000 / DT); i++) frame([faceAt(180, 170, 70, 'mask', i)]);
      expect(d.decisions().map((r) => r.outcome)).toEqual(['alert', 'cleared']);
      const clearedAt = d.states.find((s) => s.state === 'cleared.open')!.t;
      expect(d.released[0]).toBe(clearedAt);
      expect(clearedAt - alertAt).toBeGreaterThanOrEqual(minMs);
      // minMs after the alerted person was last seen, and no later: the companion has stood masked all along.
      expect(alertedSeenAt).toBeGreaterThan(alertAt);
      expect(clearedAt - alertedSeenAt).toBeGreaterThanOrEqual(minMs);
      expect(clearedAt - alertedSeenAt).toBeLessThanOrEqual(minMs + DT);
      // The clear is the companion's alone: the alerted person is not among the people it was for.
      const cleared = d.decisions()[1]!;
      expect(cleared.verdict.kind === 'cleared' && cleared.verdict.people.map((p) => p.verdict)).toEqual(['mask']);
    });
  });
});
