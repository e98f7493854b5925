import { atOperatingPoint, type OperatingPoint } from '../../src/detector/operating-point';
import type { Detection, MaskLabel } from '../../src/detector/types';

const OP: OperatingPoint = { minHeight: 10, minScore: 0.7, maskMaxTurn: 0.5 };

/** A 40 px face reading `label`; `turn` places the nose that many eye distances (10 px) off the eyes-to-mouth line. */
function face(label: MaskLabel, score: number, turn: number | null, faceScore = 0.9): Detection {
  return {
    box: [100, 100, 130, 140],
    label,
    score,
    scores: { [label]: score },
    faceScore,
    ...(turn === null ? {} : { keypoints: { right_eye: [110, 112], left_eye: [120, 112], nose: [115 + turn * 10, 122], mouth: [115, 130] } }),
  };
}

const view = (ds: Detection[]) => ds.map((d) => [d.label, d.unsure ?? false, d.turned ?? false]);

test('a face-on mask reading over the operating point is a sure vote', () => {
  expect(view(atOperatingPoint([face('mask', 0.9, 0.1)], OP))).toEqual([['mask', false, false]]);
});

test('a mask reading turned past maskMaxTurn is kept as a person without a vote (unsure, turned)', () => {
  expect(view(atOperatingPoint([face('mask', 0.95, 0.8), face('mask', 0.95, -1.5)], OP))).toEqual([
    ['mask', true, true],
    ['mask', true, true],
  ]);
  // At the limit itself the reading still counts.
  expect(view(atOperatingPoint([face('mask', 0.95, 0.5)], OP))).toEqual([['mask', false, false]]);
});

test('unmasked readings vote whatever the turn: they only keep the door shut', () => {
  expect(view(atOperatingPoint([face('no_mask', 0.9, 2), face('incorrect', 0.8, 0.9)], OP))).toEqual([
    ['no_mask', false, false],
    ['incorrect', false, false],
  ]);
});

test('off (null), or without keypoints, a turned face reads as before', () => {
  expect(view(atOperatingPoint([face('mask', 0.9, 3)], { ...OP, maskMaxTurn: null }))).toEqual([['mask', false, false]]);
  expect(view(atOperatingPoint([face('mask', 0.9, null)], OP))).toEqual([['mask', false, false]]);
});

test('the operating point itself: weak mask readings are dropped, weak unmasked ones kept unsure on face confidence, small faces dropped', () => {
  expect(atOperatingPoint([face('mask', 0.6, 0.9)], OP)).toEqual([]);
  expect(view(atOperatingPoint([face('no_mask', 0.5, 0)], OP))).toEqual([['no_mask', true, false]]);
  expect(atOperatingPoint([face('no_mask', 0.5, 0, 0.6)], OP)).toEqual([]);
  expect(atOperatingPoint([face('mask', 0.9, 0)], { ...OP, minHeight: 41 })).toEqual([]);
});
