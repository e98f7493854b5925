import { combineNose, mouthClass, noseClass, poolNoseFeatures } from '../../src/training/nose-head';

describe('poolNoseFeatures', () => {
  it('averages each channel map 2x2, tap by tap, channel-major, row by row', () => {
    // Two taps: 1 channel of 4x4 (values 0..15) and 2 channels of 2x2; two rows, the second the first + 100.
    const row = [...Array.from({ length: 16 }, (_, i) => i), 1, 2, 3, 4, 10, 20, 30, 40];
    const x = Float32Array.from([...row, ...row.map((v) => v + 100)]);
    const p = poolNoseFeatures(x, 2, row.length, [
      { channels: 1, grid: 4 },
      { channels: 2, grid: 2 },
    ]);
    expect(p.d).toBe(6);
    // 4x4 -> 2x2: mean of (0, 1, 4, 5) = 2.5, (2, 3, 6, 7) = 4.5, (8, 9, 12, 13) = 10.5, (10, 11, 14, 15) = 12.5.
    expect(Array.from(p.x)).toEqual([2.5, 4.5, 10.5, 12.5, 2.5, 25, 102.5, 104.5, 110.5, 112.5, 102.5, 125]);
  });

  it('pools each tap by its own factor: 1 keeps its grid as it is (2.3.0), absent is 2x2', () => {
    const row = [...Array.from({ length: 16 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => 50 + i)];
    const p = poolNoseFeatures(Float32Array.from(row), 1, row.length, [
      { channels: 1, grid: 4, pool: 1 },
      { channels: 1, grid: 4 },
    ]);
    expect(p.d).toBe(16 + 4);
    expect(Array.from(p.x)).toEqual([...row.slice(0, 16), 52.5, 54.5, 60.5, 62.5]);
    const whole = poolNoseFeatures(Float32Array.from(row), 1, row.length, [{ channels: 2, grid: 4, pool: 4 }]);
    expect(Array.from(whole.x)).toEqual([7.5, 57.5]);
  });

  it('refuses taps that do not add up to the features', () => {
    expect(() => poolNoseFeatures(new Float32Array(10), 1, 10, [{ channels: 1, grid: 2 }])).toThrow(/hold 4 features, the trunk gives 10/);
  });
});

describe('combineNose', () => {
  const p = [0.7, 0.1, 0.05, 0.15];
  const probs = (logits: number[]) => logits.map(Math.exp);

  it('a covered nose leaves the classes as they are', () => {
    probs(combineNose(p, 1, 0, 2)).forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 5));
  });

  it('moves the doubted share of mask to incorrect, and nothing else', () => {
    const out = probs(combineNose(p, 0.25, 0, 2));
    expect(out[0]).toBeCloseTo(0.175, 5);
    expect(out[2]).toBeCloseTo(0.05 + 0.525, 5);
    expect(out[1]).toBeCloseTo(0.1, 5);
    expect(out[3]).toBeCloseTo(0.15, 5);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('an uncovered nose makes a mask read incorrect, however sure the main head was', () => {
    const out = probs(combineNose([0.99, 0.005, 0.003, 0.002], 0.05, 0, 2));
    expect(out.indexOf(Math.max(...out))).toBe(2);
  });
});

test('noseClass: only a worn mask covers the nose', () => {
  expect([0, 1, 2].map((c) => noseClass(c, 0))).toEqual([0, 1, 1]);
});

test('combineNose: a class at probability 0, or rounded below it, still gets a finite logit', () => {
  expect(combineNose([1, 0, 0, 0], 1, 0, 2).every(Number.isFinite)).toBe(true);
  expect(combineNose([0.5, -1e-4, 0.5, 0], 0.5, 0, 2).every(Number.isFinite)).toBe(true);
});

describe('combineNose with a mouth head', () => {
  const p = [0.7, 0.1, 0.05, 0.15];
  const probs = (logits: number[]) => logits.map(Math.exp);

  it('a covered mouth gives the nose head alone, to the last bit', () => {
    expect(combineNose(p, 0.25, 0, 2, { covered: 1, noMask: 1 })).toEqual(combineNose(p, 0.25, 0, 2));
  });

  it('moves the share the mouth head doubts to no_mask, then the nose head judges what is left', () => {
    // m = 0.6: 0.7 x 0.4 = 0.28 to no_mask; c = 0.25: 0.7 x 0.6 x 0.75 = 0.315 to incorrect; mask keeps 0.105.
    const out = probs(combineNose(p, 0.25, 0, 2, { covered: 0.6, noMask: 1 }));
    expect(out[0]).toBeCloseTo(0.105, 5);
    expect(out[1]).toBeCloseTo(0.1 + 0.28, 5);
    expect(out[2]).toBeCloseTo(0.05 + 0.315, 5);
    expect(out[3]).toBeCloseTo(0.15, 5);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('an uncovered mouth makes a sure mask read no_mask even with the nose covered', () => {
    const out = probs(combineNose([0.99, 0.005, 0.003, 0.002], 1, 0, 2, { covered: 0.05, noMask: 1 }));
    expect(out.indexOf(Math.max(...out))).toBe(1);
  });
});

test('mouthClass: a worn mask covers the mouth, no mask leaves it bare, an incorrect mask teaches nothing', () => {
  expect([0, 1, 2, 3].map((c) => mouthClass(c, 0, 1))).toEqual([0, 1, -1, -1]);
});
