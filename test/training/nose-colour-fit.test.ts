import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeImageRgb } from '../../src/detector/image-io';
import { NOSE_COLOUR_FEATURES, noseColourCovered } from '../../src/detector/nose-colour';
import { colourData, coveredCounts, fitNoseColour, type ColourData } from '../../src/training/nose-colour-fit';

const K = NOSE_COLOUR_FEATURES.length;

/** Rows whose first feature tells the classes apart (covered > 0), the rest noise from a fixed sequence. */
function separable(n: number): ColourData {
  const d: ColourData = { x: [], y: [], cls: [] };
  for (let i = 0; i < n; i++) {
    const covered = i % 5 !== 0; // four covered to one uncovered, as in the data
    d.x.push(Array.from({ length: K }, (_, j) => (j === 0 ? (covered ? 1 : -1) + 0.3 * Math.sin(i * 1.7) : Math.cos(i * (j + 1)))));
    d.y.push(covered ? 1 : 0);
    d.cls.push(covered ? 0 : 1);
  }
  return d;
}

test('the fit separates covered from uncovered on the feature that tells them apart, and leans on it', () => {
  const d = separable(200);
  const m = fitNoseColour(d);
  d.x.forEach((x, i) => expect(noseColourCovered(x, m) >= 0.5).toBe(d.y[i] === 1));
  const strongest = m.weights.map(Math.abs).indexOf(Math.max(...m.weights.map(Math.abs)));
  expect(strongest).toBe(0);
  expect(coveredCounts(m, d, 3)).toEqual([
    { covered: 160, of: 160 },
    { covered: 0, of: 40 },
    { covered: 0, of: 0 },
  ]);
});

test('deterministic: the same rows give the same model', () => {
  expect(fitNoseColour(separable(100))).toEqual(fitNoseColour(separable(100)));
});

test('refuses data with one class only', () => {
  const d = separable(10);
  const covered: ColourData = { x: d.x.filter((_, i) => d.y[i] === 1), y: d.y.filter((v) => v === 1), cls: d.cls.filter((_, i) => d.y[i] === 1) };
  expect(() => fitNoseColour(covered)).toThrow(/expected covered and uncovered faces, got 8 faces/);
});

test('colourData keeps labelled faces with a reading, and labels a worn mask covered', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nose-colour-'));
  try {
    const data = new Uint8Array(100 * 100 * 3).fill(180);
    await writeImageRgb(path.join(dir, 'a.png'), { data, width: 100, height: 100 });
    const kp: Record<string, [number, number]> = { right_eye: [40, 40], left_eye: [60, 40], nose: [50, 55], mouth: [50, 70] };
    const samples = [
      { image: 'a', face: { keypoints: kp }, cls: 0 },
      { image: 'a', face: { keypoints: kp }, cls: 2 },
      { image: 'a', face: { keypoints: kp }, cls: 3 }, // not_face: left out
      { image: 'a', face: { keypoints: kp }, cls: 1, madeUp: true }, // a box beside a face: left out
      { image: 'a', face: {}, cls: 1 }, // no keypoints: no reading
    ];
    const d = await colourData(samples, (k) => path.join(dir, `${k}.png`), 0, 3);
    expect(d.y).toEqual([1, 0]);
    expect(d.cls).toEqual([0, 2]);
    expect(d.x[0]).toHaveLength(K);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
