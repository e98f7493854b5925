import { vocAp } from '../../src/eval/ap';

const h = (score: number, tp: boolean) => ({ score, tp });

test('hand-computed VOC all-point AP cases', () => {
  // TP, FP, TP of 2: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 -> 0.5 * 1 + 0.5 * 2/3.
  expect(vocAp([h(0.9, true), h(0.8, false), h(0.7, true)], 2)).toBeCloseTo(0.5 + 1 / 3, 12);
  // The envelope lifts a dip: precisions 1, .5, .333, .5, .6 at recalls .25 .25 .25 .5 .75 of 4.
  expect(vocAp([h(0.9, true), h(0.8, false), h(0.7, false), h(0.6, true), h(0.5, true)], 4)).toBeCloseTo(0.25 + 0.25 * 0.6 + 0.25 * 0.6, 12);
  // Input order does not matter, score order does.
  expect(vocAp([h(0.8, true), h(0.9, false)], 1)).toBeCloseTo(0.5, 12);
  expect(vocAp([h(0.9, true), h(0.8, true)], 2)).toBe(1);
});

test('edge cases: nothing to find is null; nothing found is 0; equal scores keep their given order', () => {
  expect(vocAp([h(0.9, false)], 0)).toBeNull();
  expect(vocAp([], 3)).toBe(0);
  expect(vocAp([h(0.9, false), h(0.8, false)], 1)).toBe(0);
  expect(vocAp([h(0.5, false), h(0.5, true)], 1)).toBeCloseTo(0.5, 12);
  expect(vocAp([h(0.5, true), h(0.5, false)], 1)).toBe(1);
});
