import type { Box, MaskLabel } from '../../src/detector/types';
import type { DetectionEntry } from '../../src/eval/detections-json';
import { doorReport, evaluate, type GroundTruthImage } from '../../src/eval/evaluate';

const e = (label: MaskLabel, box: Box, score: number, image = 'a'): DetectionEntry => ({ image, label, box, score });

// Image a: two masked faces, one unmasked, one incorrect, and a mask 15 px high (ignored).
const truth: GroundTruthImage[] = [
  {
    image: 'a',
    objects: [
      { label: 'mask', box: [0, 0, 40, 40] },
      { label: 'mask', box: [100, 0, 140, 40] },
      { label: 'no_mask', box: [200, 0, 240, 40] },
      { label: 'incorrect', box: [300, 0, 340, 40] },
      { label: 'mask', box: [400, 0, 410, 15] },
    ],
  },
];
const entries: DetectionEntry[] = [
  e('mask', [0, 0, 40, 40], 0.9), // TP
  e('mask', [2, 0, 42, 40], 0.8), // duplicate of the first (IoU 0.905): FP
  e('mask', [100, 0, 140, 40], 0.7), // TP
  e('mask', [400, 0, 410, 15], 0.95), // on the ignored face: not counted
  e('mask', [500, 0, 505, 10], 0.6), // matches nothing but is under 20 px: not counted
  e('mask', [600, 0, 640, 40], 0.65), // FP
  e('no_mask', [200, 0, 240, 40], 0.6), // TP
  e('incorrect', [300, 0, 340, 40], 0.5), // TP
  e('no_mask', [300, 0, 340, 40], 0.3), // same face as the incorrect one: FP for no_mask
  e('mask', [0, 0, 40, 40], 0.9, 'elsewhere'), // not in the ground truth
];

test('three classes: VOC AP with duplicates as FPs and small faces ignored both ways', () => {
  const r = evaluate(truth, entries);
  expect([r.images, r.faces, r.ignoredFaces, r.strayDetections]).toEqual([1, 4, 1, 1]);
  // mask: .9 TP, .8 FP, .7 TP, .65 FP of 2 -> 0.5 * 1 + 0.5 * 2/3.
  expect(r.classes.mask.ap).toBeCloseTo(0.833333, 6);
  expect(r.classes.mask).toMatchObject({ positives: 2, detections: 4 });
  // no_mask: .6 TP, .3 FP of 1 -> 1. incorrect: .5 TP of 1 -> 1.
  expect(r.classes.no_mask.ap).toBe(1);
  expect(r.classes.incorrect.ap).toBe(1);
  expect(r.map3).toBeCloseTo((0.833333 + 1 + 1) / 3, 6);
});

test('two classes: incorrect joins no_mask, and a face scored both ways adds its two probabilities', () => {
  const r = evaluate(truth, entries);
  expect(r.twoClass.mask.ap).toBeCloseTo(0.833333, 6);
  // no_mask: the incorrect face scores 0.3 + 0.5 = 0.8 (TP on the incorrect face), the unmasked one 0.6 (TP).
  expect(r.twoClass.no_mask).toEqual({ ap: 1, positives: 2, detections: 2 });
  expect(r.twoClass.map).toBeCloseTo((0.833333 + 1) / 2, 6);
});

test('faces: class-agnostic AP, recall at a score, per annotated class, and the confusion of matched faces', () => {
  const r = evaluate(truth, entries);
  // Faces by score: .9 TP, .8 FP (duplicate), .8 TP (incorrect face, 0.3 + 0.5), .7 TP, .65 FP, .6 TP of 4:
  // envelope 1, .75, .75, 2/3 at recall steps of 1/4.
  expect(r.face.ap).toBeCloseTo(0.25 * (1 + 0.75 + 0.75 + 2 / 3), 6);
  expect(r.face.recall).toBe(1);
  expect(r.face.recallByClass).toEqual({ mask: 1, no_mask: 1, incorrect: 1 });
  expect(r.confusion).toEqual({ labels: ['mask', 'no_mask', 'incorrect'], matrix: [[2, 0, 0], [0, 1, 0], [0, 0, 1]], missed: [0, 0, 0] });

  const strict = evaluate(truth, entries, { recallScore: 0.75 });
  expect(strict.face.recall).toBe(0.5);
  expect(strict.face.recallByClass).toEqual({ mask: 0.5, no_mask: 0, incorrect: 1 });
  expect(strict.confusion.missed).toEqual([1, 1, 0]);
});

test('a wrong label is a confusion entry and a miss for AP; IoU must exceed 0.5', () => {
  const gt: GroundTruthImage[] = [{ image: 'b', objects: [{ label: 'mask', box: [0, 0, 20, 20] }, { label: 'no_mask', box: [50, 0, 70, 20] }] }];
  const r = evaluate(gt, [e('no_mask', [0, 0, 20, 20], 0.9, 'b'), e('no_mask', [50, 0, 70, 40], 0.8, 'b')]);
  // The second overlaps its face by exactly 400 / 800 = 0.5: not a match.
  expect(r.classes.no_mask.ap).toBe(0);
  expect(r.classes.mask.ap).toBe(0);
  expect(r.classes.incorrect.ap).toBeNull();
  expect(r.map3).toBe(0);
  expect(r.confusion.matrix).toEqual([[0, 1, 0], [0, 0, 0], [0, 0, 0]]);
  expect(r.confusion.missed).toEqual([0, 1, 0]);
  // A looser IoU matches it.
  expect(evaluate(gt, [e('no_mask', [50, 0, 70, 40], 0.8, 'b')], { iou: 0.4 }).classes.no_mask.ap).toBe(1);
});

test('VOC difficult objects are ignored like small ones; min width applies when asked', () => {
  const gt: GroundTruthImage[] = [{ image: 'c', objects: [{ label: 'mask', box: [0, 0, 30, 30], difficult: true }, { label: 'mask', box: [100, 0, 108, 30] }] }];
  const dets = [e('mask', [0, 0, 30, 30], 0.9, 'c'), e('mask', [100, 0, 108, 30], 0.8, 'c')];
  expect(evaluate(gt, dets)).toMatchObject({ faces: 1, classes: { mask: { ap: 1, positives: 1, detections: 1 } } });
  expect(evaluate(gt, dets, { minWidth: 10 })).toMatchObject({ faces: 0, ignoredFaces: 2, map3: null });
});

test('the door table splits wrong calls by face height and sums the fail-open rate', () => {
  const d = doorReport([
    { truth: 'no_mask', predicted: 'mask', height: 25 }, // < 30: unmasked cleared
    { truth: 'no_mask', predicted: 'no_mask', height: 28 },
    { truth: 'incorrect', predicted: 'mask', height: 120 }, // 100+: incorrect cleared
    { truth: 'incorrect', predicted: 'incorrect', height: 45 },
    { truth: 'incorrect', predicted: 'no_mask', height: 50 }, // not a wrong clear
    { truth: 'mask', predicted: 'no_mask', height: 35 }, // 30-40: wrong alert
    { truth: 'mask', predicted: 'mask', height: 70 },
  ]);
  expect(d.rows.map((r) => [r.min, r.max])).toEqual([[0, 30], [30, 40], [40, 60], [60, 100], [100, null]]);
  expect(d.rows[0]!.unmaskedAsMask).toEqual({ n: 1, of: 2, rate: 0.5 });
  expect(d.rows[4]!.incorrectAsMask).toEqual({ n: 1, of: 1, rate: 1 });
  expect(d.rows[2]!.incorrectAsMask).toEqual({ n: 0, of: 2, rate: 0 });
  expect(d.rows[1]!.maskedAsUnmasked).toEqual({ n: 1, of: 1, rate: 1 });
  expect(d.rows[3]!.unmaskedAsMask.rate).toBeNull();
  expect(d.all.maskedAsUnmasked).toEqual({ n: 1, of: 2, rate: 0.5 });
  // 2 of the 5 unmasked or incorrect faces were called mask.
  expect(d.failOpen).toEqual({ n: 2, of: 5, rate: 0.4 });
});

test('the evaluation carries the door table for the faces it found', () => {
  const r = evaluate(truth, entries);
  // Found at score >= 0.3: two masks (called mask), the unmasked face, the incorrect one (called incorrect).
  expect(r.door.failOpen).toEqual({ n: 0, of: 2, rate: 0 });
  expect(r.door.all.maskedAsUnmasked).toEqual({ n: 0, of: 2, rate: 0 });
  expect(r.door.rows[2]!.incorrectAsMask.of).toBe(1);
});
