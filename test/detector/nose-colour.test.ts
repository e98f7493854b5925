import { coveredBoth, MIN_EYE_DISTANCE_PX, NOSE_COLOUR_FEATURES, noseColourCovered, noseColourFeatures, regateMask } from '../../src/detector/nose-colour';
import type { RgbFrame } from '../../src/detector/types';

const SKIN: [number, number, number] = [200, 150, 120];
const WHITE: [number, number, number] = [235, 238, 240];

/** A 100x100 frame of skin with a rectangle of `fill` from row `maskTop` down (a mask's top edge). */
function face(fill: [number, number, number], maskTop: number): RgbFrame {
  const data = new Uint8Array(100 * 100 * 3);
  for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) data.set(y >= maskTop ? fill : SKIN, (y * 100 + x) * 3);
  return { data, width: 100, height: 100 };
}
/** Eyes 20 px apart on row 40, the nose tip at (50, 55), the mouth at (50, 70). */
const KP: Record<string, [number, number]> = { right_eye: [40, 40], left_eye: [60, 40], nose: [50, 55], mouth: [50, 70] };
const named = (x: number[]) => Object.fromEntries(NOSE_COLOUR_FEATURES.map((n, i) => [n, x[i]!]));

test('a nose of the skin between the eyes reads no difference; a white mask over it differs in colour and brightness', () => {
  const bare = named(noseColourFeatures(face(WHITE, 90), KP)!);
  expect(bare.dr).toBeCloseTo(0, 9);
  expect(bare.dg).toBeCloseTo(0, 9);
  expect(bare.dLuma).toBeCloseTo(0, 9);
  expect(bare.chromaDistance).toBeCloseTo(0, 9);
  // A mask from row 45 (over the nose tip, under the skin patch above the eyes).
  const masked = named(noseColourFeatures(face(WHITE, 45), KP)!);
  expect(masked.dr).toBeLessThan(-0.05);
  expect(masked.dLuma).toBeGreaterThan(0.2);
  expect(masked.chromaDistance).toBeGreaterThan(0.05);
  // A mask worn below the nose (from row 62): the tip is skin again.
  expect(named(noseColourFeatures(face(WHITE, 62), KP)!).chromaDistance).toBeCloseTo(0, 9);
});

test('brightness enters as a ratio: the same face in half the light reads the same differences', () => {
  const dim = face(WHITE, 45);
  dim.data.forEach((v, i) => (dim.data[i] = Math.round(v / 2)));
  const a = noseColourFeatures(face(WHITE, 45), KP)!;
  const b = noseColourFeatures(dim, KP)!;
  expect(b[2]).toBeCloseTo(a[2]!, 1);
  expect(b[5]).toBeCloseTo(a[5]!, 2);
});

test('no reading without the eyes, nose and mouth, for eyes under MIN_EYE_DISTANCE_PX apart, or off the frame', () => {
  const f = face(WHITE, 45);
  expect(noseColourFeatures(f, undefined)).toBeNull();
  const { nose: _n, ...noNose } = KP;
  expect(noseColourFeatures(f, noNose)).toBeNull();
  expect(noseColourFeatures(f, { ...KP, left_eye: [40 + MIN_EYE_DISTANCE_PX - 0.5, 40] })).toBeNull();
  const far = Object.fromEntries(Object.entries(KP).map(([k, [x, y]]) => [k, [x + 500, y]])) as Record<string, [number, number]>;
  expect(noseColourFeatures(f, far)).toBeNull();
});

test('the colour model is a logistic regression on standardised features', () => {
  const m = { mean: [1, 2], sd: [2, 4], weights: [1, -0.5], bias: 0.25 };
  // z = 0.25 + (3 - 1) / 2 * 1 + (10 - 2) / 4 * -0.5 = 0.25
  expect(noseColourCovered([3, 10], m)).toBeCloseTo(1 / (1 + Math.exp(-0.25)), 12);
});

test('two opinions: the mean of their logits; agreeing opinions stay, opposite ones cancel', () => {
  expect(coveredBoth(0.8, 0.8)).toBeCloseTo(0.8, 9);
  expect(coveredBoth(0.9, 0.1)).toBeCloseTo(0.5, 9);
  expect(coveredBoth(0.99, 0.2)).toBeGreaterThan(0.5);
  expect(coveredBoth(0.99, 0.2)).toBeLessThan(0.99);
});

test("re-gating takes back the nose head's share and applies the joint one; the sum and the other classes stay", () => {
  // p = [mask 0.8, no_mask 0.05, incorrect 0.1, not_face 0.05]; the nose head's c 0.5 gave p'.
  const p = [0.8, 0.05, 0.1, 0.05];
  const c = 0.5;
  const given = [p[0]! * c, p[1]!, p[2]! + p[0]! * (1 - c), p[3]!];
  const out = regateMask(given, c, 0.9, 0, 2);
  expect(out[0]).toBeCloseTo(0.8 * 0.9, 9);
  expect(out[2]).toBeCloseTo(0.1 + 0.8 * 0.1, 9);
  expect(out[1]).toBe(given[1]);
  expect(out[3]).toBe(given[3]);
  expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  // Re-gating with the nose head's own c changes nothing.
  regateMask(given, c, c, 0, 2).forEach((v, i) => expect(v).toBeCloseTo(given[i]!, 12));
});

test('a nose head sure the nose is bare (c near 0) cannot conjure mask mass the classifier did not move', () => {
  // p'(mask) clipped at 1e-6 by the graph, c 1e-9: p(mask) is at most p'(mask) + p'(incorrect).
  const given = [1e-6, 0.9, 0.05, 0.05 - 1e-6];
  const out = regateMask(given, 1e-9, 0.5, 0, 2);
  expect(out[0]).toBeLessThanOrEqual((1e-6 + 0.05) * 0.5 + 1e-12);
  expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
});
