import type { Box, Detection, MaskLabel } from '../../src/detector/types';
import { createTracker } from '../../src/detector/tracker';

const size = { width: 100, height: 100 };
// Zone: x 0.2..0.8 of the frame, full height.
const zone = { x: 0.2, y: 0, width: 0.6, height: 1 };
const config = { iouThreshold: 0.3, confirmFrames: 1, maxMissedFrames: 2, smoothingFrames: 3 }; // alpha = 2 / 4 = 0.5

function face(box: Box, scores: Partial<Record<MaskLabel, number>>): Detection {
  const [label, score] = Object.entries(scores).sort((a, b) => b[1] - a[1])[0] as [MaskLabel, number];
  return { box, label, score, scores, faceScore: 1 };
}

test('one face keeps its id across frames; its class probabilities are an EMA with unknown as the remainder', () => {
  const t = createTracker(config, { zone });
  const a = t.update([face([40, 40, 60, 60], { mask: 0.8 })], size, 1000, 1);
  // First sight: the observation itself, mask 0.8, unknown 0.2.
  expect(a.event).toEqual({ type: 'PEOPLE', t: 1000, frame: 1, people: [{ id: 'p1', label: 'mask', confidence: 0.8, inZone: true, box: [40, 40, 60, 60], facePx: 20, moved: true }] });
  const b = t.update([face([42, 40, 62, 60], { no_mask: 0.9 })], size, 1033, 2);
  // mask 0.8 -> 0.4, no_mask 0 -> 0.45, unknown 0.2 -> 0.15.
  expect(b.event.people).toEqual([{ id: 'p1', label: 'no_mask', confidence: 0.45, inZone: true, box: [42, 40, 62, 60], facePx: 20, moved: true }]);
  const c = t.update([face([44, 40, 64, 60], { no_mask: 0.9 })], size, 1066, 3);
  expect(c.event.people[0]).toMatchObject({ id: 'p1', label: 'no_mask', confidence: 0.675 });
  const p = c.tracks[0]!.probabilities;
  [p.mask, p.no_mask, p.incorrect, p.unknown].forEach((v, i) => expect(v).toBeCloseTo([0.2, 0.675, 0, 0.125][i]!, 12));
  expect(c.tracks[0]).toMatchObject({ hits: 3, missed: 0, firstSeen: 1 });
});

test('a detection with low scores reads as unknown; scores summing past 1 are shares', () => {
  const t = createTracker({ ...config, smoothingFrames: 1 }, { zone });
  expect(t.update([face([40, 40, 60, 60], { mask: 0.2, no_mask: 0.1 })], size, 0, 1).event.people[0]).toMatchObject({ label: 'unknown', confidence: 0.7 });
  const r = t.update([face([40, 40, 60, 60], { mask: 0.9, no_mask: 0.6 })], size, 0, 2);
  expect(r.event.people[0]!.label).toBe('mask');
  expect(r.event.people[0]!.confidence).toBeCloseTo(0.6, 10);
});

test('no_mask and incorrect are weighed together against mask: the label is the larger, the confidence their sum', () => {
  const t = createTracker({ ...config, smoothingFrames: 1 }, { zone });
  // Masked 0.35 against unmasked 0.3 + 0.3: an unmasked person, 0.6 sure (argmax alone said mask, 0.35).
  expect(t.update([face([40, 40, 60, 60], { mask: 0.35, no_mask: 0.3, incorrect: 0.3 })], size, 0, 1).event.people[0]).toMatchObject({ label: 'no_mask', confidence: 0.6 });
  expect(t.update([face([40, 40, 60, 60], { mask: 0.3, no_mask: 0.2, incorrect: 0.45 })], size, 0, 2).event.people[0]).toMatchObject({ label: 'incorrect', confidence: 0.65 });
  // Masked 0.5 against 0.45 in all: masked.
  expect(t.update([face([40, 40, 60, 60], { mask: 0.5, no_mask: 0.25, incorrect: 0.2 })], size, 0, 3).event.people[0]).toMatchObject({ label: 'mask', confidence: 0.5 });
  // Unknown (0.6) beats both.
  expect(t.update([face([40, 40, 60, 60], { mask: 0.2, no_mask: 0.1, incorrect: 0.1 })], size, 0, 4).event.people[0]!.label).toBe('unknown');
});

test('two people get two ids, matched by the highest IoU, and a newcomer never takes an old id', () => {
  const t = createTracker(config, { zone });
  t.update([face([10, 10, 30, 30], { mask: 1 }), face([60, 10, 80, 30], { no_mask: 1 })], size, 0, 1);
  // Both move a little, listed in the other order, plus a third face.
  const r = t.update([face([62, 10, 82, 30], { no_mask: 1 }), face([12, 10, 32, 30], { mask: 1 }), face([40, 60, 60, 80], { mask: 1 })], size, 33, 2);
  expect(r.event.people.map((p) => [p.id, p.label])).toEqual([['p2', 'no_mask'], ['p1', 'mask'], ['p3', 'mask']]);
});

test('a track survives maxMissedFrames without a match, unreported; then ends, leaving the zone as "lost"', () => {
  const t = createTracker(config, { zone });
  t.update([face([40, 40, 60, 60], { mask: 1 })], size, 0, 1);
  const gap1 = t.update([], size, 33, 2);
  expect(gap1.event.people).toEqual([]);
  expect(gap1.tracks.map((x) => [x.id, x.missed])).toEqual([['p1', 1]]);
  t.update([], size, 66, 3);
  // Back within the window: same id.
  expect(t.update([face([41, 40, 61, 60], { mask: 1 })], size, 100, 4).event.people[0]!.id).toBe('p1');
  t.update([], size, 133, 5);
  t.update([], size, 166, 6);
  const gone = t.update([], size, 200, 7);
  expect(gone.tracks).toEqual([]);
  expect(gone.zone).toEqual([{ type: 'ZONE_LEAVE', id: 'p1', t: 200, frame: 7, label: 'mask', confidence: 1, reason: 'lost' }]);
  expect(t.update([face([40, 40, 60, 60], { mask: 1 })], size, 233, 8).event.people[0]!.id).toBe('p2');
});

test('zone enter and leave follow the face centre against the zone fractions', () => {
  const t = createTracker(config, { zone });
  // Centre x 12: outside (zone starts at 20).
  const out = t.update([face([2, 40, 22, 60], { mask: 1 })], size, 0, 1);
  expect(out.zone).toEqual([]);
  expect(out.event.people[0]!.inZone).toBe(false);
  // Centre x 21: inside.
  const enter = t.update([face([11, 40, 31, 60], { mask: 1 })], size, 33, 2);
  expect(enter.zone).toEqual([{ type: 'ZONE_ENTER', id: 'p1', t: 33, frame: 2, label: 'mask', confidence: 1 }]);
  expect(t.update([face([12, 40, 32, 60], { mask: 1 })], size, 66, 3).zone).toEqual([]);
  // Centre x 19: outside again.
  const leave = t.update([face([9, 40, 29, 60], { mask: 1 })], size, 100, 4);
  expect(leave.zone).toEqual([{ type: 'ZONE_LEAVE', id: 'p1', t: 100, frame: 4, label: 'mask', confidence: 1, reason: 'moved' }]);
  expect(leave.event.people[0]!.inZone).toBe(false);
});

test('reset ends every track and reports those that were inside', () => {
  const t = createTracker(config, { zone });
  t.update([face([40, 40, 60, 60], { no_mask: 1 }), face([0, 0, 10, 10], { mask: 1 })], size, 0, 1);
  expect(t.reset(50, 2)).toEqual([{ type: 'ZONE_LEAVE', id: 'p1', t: 50, frame: 2, label: 'no_mask', confidence: 1, reason: 'lost' }]);
  expect(t.update([face([40, 40, 60, 60], { no_mask: 1 })], size, 66, 3).event.people[0]!.id).toBe('p3');
});

test('a new face is a person only once matched in confirmFrames frames in a row; its evidence counts from the first', () => {
  const t = createTracker({ ...config, confirmFrames: 2 }, { zone });
  const a = t.update([face([40, 40, 60, 60], { mask: 0.8 })], size, 1000, 1);
  expect(a.event.people).toEqual([]);
  expect(a.zone).toEqual([]);
  expect(a.tracks).toEqual([]);
  const b = t.update([face([41, 40, 61, 60], { mask: 0.8 })], size, 1033, 2);
  expect(b.event.people).toEqual([{ id: 'p1', label: 'mask', confidence: 0.8, inZone: true, box: [41, 40, 61, 60], facePx: 20, moved: true }]);
  expect(b.zone.map((z) => [z.type, z.id])).toEqual([['ZONE_ENTER', 'p1']]);
  expect(b.tracks[0]).toMatchObject({ hits: 2, firstSeen: 1 });
});

test('a box seen in one frame (a reflection, a duplicate) never becomes a person and leaves no track behind', () => {
  const t = createTracker({ ...config, confirmFrames: 2 }, { zone });
  t.update([face([40, 40, 60, 60], { mask: 0.9 })], size, 1000, 1);
  t.update([face([40, 40, 60, 60], { mask: 0.9 }), face([70, 10, 80, 20], { incorrect: 0.7 })], size, 1033, 2);
  const c = t.update([face([40, 40, 60, 60], { mask: 0.9 })], size, 1066, 3);
  expect(c.event.people.map((p) => p.id)).toEqual(['p1']);
  expect(c.tracks.map((tr) => tr.id)).toEqual(['p1']);
  // Seen again later, the same spot starts over as a new tentative track.
  const d = t.update([face([40, 40, 60, 60], { mask: 0.9 }), face([70, 10, 80, 20], { incorrect: 0.7 })], size, 1100, 4);
  expect(d.event.people.map((p) => p.id)).toEqual(['p1']);
  expect(d.zone).toEqual([]);
});

describe('face size, pictures and ignore zones', () => {
  // 20-px faces: a tolerance of 0.1 of the height is 2 px.
  const gate = { zone, stationaryAfterMs: 1000, stationaryTolerance: 0.1, ignoreZones: [] };
  const at = (t: ReturnType<typeof createTracker>, boxes: Box[], ms: number, frame: number) =>
    t.update(boxes.map((b) => face(b, { mask: 0.9 })), size, ms, frame).event.people;

  test('each person carries the face height in pixels', () => {
    const t = createTracker(config, gate);
    expect(at(t, [[40, 30, 60, 74]], 0, 1)[0]).toMatchObject({ facePx: 44 });
  });

  test('a face that stays within the tolerance is unmoved, then stationary after stationaryAfterMs', () => {
    const t = createTracker(config, gate);
    const jitter: Box[] = [[40, 40, 60, 60], [41, 40, 61, 61], [39, 41, 59, 60], [40, 38, 62, 60]];
    for (let i = 0; i < 30; i++) {
      const p = at(t, [jitter[i % 4]!], i * 33, i + 1)[0]!;
      expect(p.moved).toBe(false);
      expect(p.ignored).toBe(i * 33 >= 1000 ? 'stationary' : undefined);
    }
  });

  test('a jittery frame or two do not make a picture move; three frames away do', () => {
    const t = createTracker(config, gate);
    at(t, [[40, 40, 60, 60]], 0, 1);
    expect(at(t, [[44, 40, 64, 60]], 33, 2)[0]!.moved).toBe(false);
    expect(at(t, [[44, 40, 64, 60]], 66, 3)[0]!.moved).toBe(false);
    expect(at(t, [[40, 40, 60, 60]], 100, 4)[0]!.moved).toBe(false);
    at(t, [[44, 40, 64, 60]], 133, 5);
    at(t, [[45, 40, 65, 60]], 166, 6);
    expect(at(t, [[45, 40, 65, 60]], 200, 7)[0]!.moved).toBe(true);
  });

  test('the tolerance scales with the face: 3 px is still for an 80-px face, not for a 20-px one', () => {
    const t = createTracker(config, gate);
    for (let i = 0; i < 5; i++) at(t, [[10, 10, 90, 90], [0, 0, 20, 20]], i * 33, i + 1);
    let people = at(t, [[13, 10, 93, 90], [3, 0, 23, 20]], 5 * 33, 6);
    for (let i = 7; i <= 9; i++) people = at(t, [[13, 10, 93, 90], [3, 0, 23, 20]], i * 33, i);
    expect(people.map((p) => p.moved)).toEqual([false, true]);
  });

  test('a person who walked up and then stands still for 30 s is never stationary', () => {
    const t = createTracker(config, gate);
    let frame = 0;
    // Walking up: the face grows from 20 to 44 px.
    for (let i = 0; i <= 24; i++) at(t, [[40 - i / 2, 40 - i / 2, 60 + i / 2, 60 + i / 2]], frame * 33, ++frame);
    for (let i = 0; i < 900; i++) {
      const p = at(t, [[28, 28, 72, 72]], frame * 33, ++frame)[0]!;
      if (p.ignored || !p.moved) throw new Error(`frame ${frame}: ${JSON.stringify(p)}`);
    }
  });

  test('a picture found again after its track was lost is stationary at once', () => {
    const t = createTracker(config, gate);
    for (let i = 0; i < 40; i++) at(t, [[40, 40, 60, 60]], i * 33, i + 1);
    // Hidden (someone walks past) for longer than maxMissedFrames: the track ends.
    for (let i = 40; i < 45; i++) at(t, [], i * 33, i + 1);
    const again = at(t, [[41, 40, 61, 60]], 45 * 33, 46)[0]!;
    expect(again.id).not.toBe('p1');
    expect(again).toMatchObject({ moved: false, ignored: 'stationary' });
    // It is a person again as soon as it moves.
    at(t, [[50, 40, 70, 60]], 46 * 33, 47);
    at(t, [[51, 40, 71, 60]], 47 * 33, 48);
    const moved = at(t, [[51, 40, 71, 60]], 48 * 33, 49)[0]!;
    expect([moved.moved, moved.ignored]).toEqual([true, undefined]);
  });

  test('a remembered place is forgotten after stationaryAfterMs without a face there', () => {
    const t = createTracker(config, gate);
    for (let i = 0; i < 40; i++) at(t, [[40, 40, 60, 60]], i * 33, i + 1);
    for (let i = 40; i < 80; i++) at(t, [], i * 33, i + 1);
    expect(at(t, [[40, 40, 60, 60]], 80 * 33, 81)[0]!.ignored).toBeUndefined();
  });

  test('stationaryAfterMs 0 turns pictures off: every face counts as moved', () => {
    const t = createTracker(config, { ...gate, stationaryAfterMs: 0 });
    for (let i = 0; i < 100; i++) {
      const p = at(t, [[40, 40, 60, 60]], i * 33, i + 1)[0]!;
      expect([p.moved, p.ignored]).toEqual([true, undefined]);
    }
  });

  test('a face whose centre is inside an ignore zone polygon is ignored, outside it is not', () => {
    // A triangle over the top right of the frame: (0.5, 0), (1, 0), (1, 0.5).
    const square = { points: [[0, 0.8], [0.1, 0.8], [0.1, 1], [0, 1]] as [number, number][] };
    const t = createTracker(config, { ...gate, ignoreZones: [{ name: 'poster', points: [[0.5, 0], [1, 0], [1, 0.5]] }, square] });
    // Centres (0.8, 0.1) inside; (0.6, 0.4) below the diagonal, outside; (0.3, 0.1) left of it; (0.05, 0.9) in the unnamed square.
    const people = at(t, [[75, 5, 85, 15], [55, 35, 65, 45], [25, 5, 35, 15], [2, 85, 8, 95]], 0, 1);
    expect(people.map((p) => p.ignored)).toEqual(['ignore_zone', undefined, undefined, 'ignore_zone']);
    expect(people.map((p) => p.ignoreZone)).toEqual(['poster', undefined, undefined, '#2']);
    expect(t.update([], size, 33, 2).tracks.find((x) => x.id === 'p1')).toMatchObject({ ignored: 'ignore_zone' });
  });

  test('unmasked wins a tie with mask in the smoothed label', () => {
    const t = createTracker({ ...config, smoothingFrames: 1 }, gate);
    expect(t.update([face([40, 40, 60, 60], { mask: 0.4, no_mask: 0.2, incorrect: 0.2 })], size, 0, 1).event.people[0]).toMatchObject({ label: 'no_mask', confidence: 0.4 });
  });
});

test("a turned face's track says so for this frame only (the live view labels it), and its reading adds no evidence", () => {
  const t = createTracker(config, { zone });
  t.update([face([40, 40, 60, 60], { no_mask: 0.8 })], size, 0, 1);
  const turned = t.update([{ ...face([40, 40, 60, 60], { mask: 0.9 }), unsure: true, turned: true }], size, 33, 2);
  expect(turned.tracks[0]).toMatchObject({ turned: true, label: 'no_mask', confidence: 0.8 });
  const facing = t.update([face([40, 40, 60, 60], { no_mask: 0.8 })], size, 66, 3);
  expect(facing.tracks[0]!.turned).toBeUndefined();
});
