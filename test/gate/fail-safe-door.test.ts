import { loadConfig } from '../../src/config/load';
import { createTracker } from '../../src/detector/tracker';
import type { Detection } from '../../src/detector/types';
import { GateHarness } from '../machines/gate-harness';
import { booted, door, DT, faceAt, FRAME, walkUp } from './door-rig';

describe('a person who stands still after being decided must not flip the gate (tracker and statechart)', () => {
  test.each([
    ['mask', ['idle', 'evaluating', 'cleared.open', 'cleared.closed', 'idle'], 'cleared'],
    ['no_mask', ['idle', 'evaluating', 'alert.active', 'alert.escalated', 'idle'], 'alert'],
  ] as const)('%s: walks up, is decided, stands still for 30 s, leaves: one decision, no flip', async (label, expected, outcome) => {
    const d = door();
    await booted(d);
    d.run(1000, () => []);
    d.run(1500, (i) => walkUp(i, label));
    d.run(30_000, (i) => [faceAt(320, 170, 80, label, i)]);
    expect(d.h.state).toBe(expected[3]);
    d.run(2000, () => []);
    expect(d.states.map((s) => s.state)).toEqual(expected);
    expect(d.decisions().map((r) => r.outcome)).toEqual([outcome]);
  });

  test('the decision comes from the frames at decision size: none while the face is under 44 px', async () => {
    const d = door();
    await booted(d);
    let reachedAt: number | null = null;
    d.run(1500, (i) => {
      const dets = walkUp(i, 'no_mask');
      if (reachedAt === null && dets[0]!.box[3] - dets[0]!.box[1] >= 44) reachedAt = d.h.clock.now() + DT;
      return dets;
    });
    const alert = d.states.find((s) => s.state === 'alert.active')!;
    expect(reachedAt).not.toBeNull();
    expect(d.states.find((s) => s.state === 'evaluating')!.t).toBeGreaterThanOrEqual(reachedAt!);
    // K = 5 frames at decision size, the first being the frame it is reached.
    expect(alert.t - reachedAt!).toBe(4 * DT);
  });
});

describe('a picture on the wall', () => {
  // A masked face in a frame on the wall at the right edge of the zone, 60 px high, in view all along.
  const picture = (i: number) => faceAt(480, 120, 60, 'mask', i);

  test('in view from the start: never opens the relay, decides nothing, and idle stays locked once it is known', async () => {
    const d = door();
    await booted(d);
    d.run(9000, (i) => [picture(i)]);
    // Not moved yet: held undecided (when in doubt, locked), asking to wait.
    expect(d.h.state).toBe('evaluating');
    d.run(51_000, (i) => [picture(i)]);
    expect(d.h.state).toBe('idle');
    expect(d.h.outputs).toMatchObject({ relay: 'locked', display: 'ready' });
    expect(d.released).toEqual([]);
    expect(d.decisions()).toEqual([]);
    expect(d.h.snapshot.context.ignored).toMatchObject([{ reason: 'stationary', facePx: 60 }]);
    // Never moved: not asked to look at the camera, nor reported to staff as someone undecided.
    expect(d.h.effects).toEqual([]);
  });

  test('while a masked and then an unmasked person pass: one clear, one alert, the picture in neither', async () => {
    const d = door();
    await booted(d);
    d.run(12_000, (i) => [picture(i)]);
    const pictureId = d.h.snapshot.context.ignored[0]!.id;
    for (const label of ['mask', 'no_mask'] as const) {
      d.run(1500, (i) => [picture(i), ...walkUp(i, label)]);
      d.run(2000, (i) => [picture(i), faceAt(320, 170, 80, label, i)]);
      d.run(2500, (i) => [picture(i)]);
      expect(d.h.state).toBe('idle');
    }
    expect(d.decisions().map((r) => r.outcome)).toEqual(['cleared', 'alert']);
    for (const r of d.decisions()) expect(r.verdict.kind !== 'empty' && r.verdict.people.map((p) => p.id)).not.toContain(pictureId);
  });

  test('found again after someone hid it: ignored at once, no new 10 s hold', async () => {
    const d = door();
    await booted(d);
    d.run(12_000, (i) => [picture(i)]);
    const before = d.h.snapshot.context.ignored[0]!.id;
    d.run(300, () => []);
    d.run(3000, (i) => [picture(i)]);
    // A new track (the old one ended while hidden), stationary from its first report.
    expect(d.h.snapshot.context.ignored).toMatchObject([{ reason: 'stationary' }]);
    expect(d.h.snapshot.context.ignored[0]!.id).not.toBe(before);
    expect(d.states.filter((s) => s.t > 12_000 + 1000).map((s) => s.state)).toEqual([]);
    expect(d.h.state).toBe('idle');
  });
});

describe('ignore zones', () => {
  test('a face inside an ignore zone never decides; the same face outside it does', async () => {
    const config = loadConfig({ env: {}, text: 'gate:\n  ignoreZones:\n    - { name: screen, points: [[0.6, 0], [0.85, 0], [0.85, 0.6], [0.6, 0.6]] }\n' });
    const tracker = createTracker(config.detector.tracker, config.gate);
    const h = new GateHarness().start();
    await h.boot();
    let n = 0;
    const send = (dets: Detection[]) => h.frame(DT, tracker.update(dets, FRAME, h.clock.now() + DT, ++n).event.people);
    // A no_mask face walking about inside the screen's polygon (centre x 0.7-0.75).
    for (let i = 0; i < 90; i++) send([faceAt(450 + i / 3, 120, 70, 'no_mask')]);
    expect(h.state).toBe('idle');
    expect(h.snapshot.context.ignored).toMatchObject([{ reason: 'ignore_zone', zone: 'screen' }]);
    for (let i = 0; i < 30; i++) send([faceAt(300 + i, 170, 80, 'no_mask')]);
    expect(h.state).toBe('alert.active');
  });
});

describe('someone whose face the detector reads unsure at the door (tracker and statechart)', () => {
  const unsure = (det: Detection[]): Detection[] => det.map((x) => ({ ...x, score: 0.5, scores: { [x.label]: 0.5 }, unsure: true }));

  test('walks up and stays: asked to look at the camera, then staff notified; the door never opens, nothing is decided', async () => {
    const d = door();
    await booted(d);
    d.run(1500, (i) => unsure(walkUp(i, 'incorrect')));
    d.run(25_000, (i) => unsure([faceAt(320, 170, 80, 'incorrect', i)]));
    expect(d.states.map((s) => s.state)).toEqual(['idle', 'evaluating', 'evaluating.prompted', 'evaluating.staffCalled']);
    const at = (state: string) => d.states.find((s) => s.state === state)!.t;
    expect(at('evaluating.prompted') - at('evaluating')).toBeGreaterThanOrEqual(d.config.gate.undecidedPromptMs);
    expect(at('evaluating.prompted') - at('evaluating')).toBeLessThan(d.config.gate.undecidedPromptMs + DT);
    expect(at('evaluating.staffCalled') - at('evaluating')).toBeLessThan(d.config.gate.undecidedStaffMs! + 2 * DT);
    expect(d.h.effects.map((e) => (e.kind === 'say' ? e.prompt : e.kind === 'notifyStaff' ? `staff ${e.reason}` : e.kind))).toEqual(['look_at_camera', 'staff undecided']);
    expect(d.released).toEqual([]);
    expect(d.decisions()).toEqual([]);
    // They give up and leave: the door goes idle.
    d.run(2000, () => []);
    expect(d.h.state).toBe('idle');
  });
});
