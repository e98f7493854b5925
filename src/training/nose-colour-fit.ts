import { readImageRgb } from '../detector/image-io';
import { noseColourCovered, noseColourFeatures, NOSE_COLOUR_FEATURES, type NoseColourModel } from '../detector/nose-colour';

/** A labelled face as the trainer holds it: which image, its keypoints (frame pixels), its class. */
export interface ColourSample {
  image: string;
  face: { keypoints?: Record<string, [number, number]> };
  cls: number;
  madeUp?: boolean;
}

export interface ColourData {
  x: number[][];
  /** 1: the nose is covered (a worn mask); 0: not (no mask, a mask below the nose). */
  y: number[];
  /** The class of each row (for reports). */
  cls: number[];
}

/**
 * The colour features (nose-colour.ts) of every labelled face of `samples`: not_face candidates and
 * made-up boxes are left out, and so are faces without a reading (no keypoints, eyes under 4 px apart).
 * Images are read one at a time, in sorted order, so the rows do not depend on the samples' order.
 */
export async function colourData(samples: readonly ColourSample[], imageFile: (key: string) => string, maskIndex: number, faceClasses: number): Promise<ColourData> {
  const byImage = new Map<string, ColourSample[]>();
  for (const s of samples) {
    if (s.madeUp || s.cls >= faceClasses) continue;
    const list = byImage.get(s.image) ?? [];
    list.push(s);
    byImage.set(s.image, list);
  }
  const out: ColourData = { x: [], y: [], cls: [] };
  for (const key of [...byImage.keys()].sort()) {
    const frame = await readImageRgb(imageFile(key));
    for (const s of byImage.get(key)!) {
      const x = noseColourFeatures(frame, s.face.keypoints);
      if (!x) continue;
      out.x.push(x);
      out.y.push(s.cls === maskIndex ? 1 : 0);
      out.cls.push(s.cls);
    }
  }
  return out;
}

/**
 * A logistic regression on standardised features, the two classes weighed equally (covered noses
 * outnumber uncovered ones about four to one), a small L2 penalty, full-batch gradient descent from
 * zero: deterministic, no seed.
 */
export function fitNoseColour(data: ColourData, opts = { l2: 1e-2, iterations: 3000, rate: 0.1 }): NoseColourModel {
  const n = data.x.length;
  const k = NOSE_COLOUR_FEATURES.length;
  if (!n || !data.y.includes(1) || !data.y.includes(0)) throw new Error(`nose colour: expected covered and uncovered faces, got ${n} faces`);
  const mean = new Array<number>(k).fill(0);
  const sd = new Array<number>(k).fill(0);
  for (const x of data.x) x.forEach((v, j) => (mean[j]! += v / n));
  for (const x of data.x) x.forEach((v, j) => (sd[j]! += (v - mean[j]!) ** 2 / n));
  for (let j = 0; j < k; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = data.x.map((x) => x.map((v, j) => (v - mean[j]!) / sd[j]!));
  const pos = data.y.filter((v) => v === 1).length;
  const w = data.y.map((v) => (v === 1 ? 0.5 / pos : 0.5 / (n - pos)));
  const weights = new Array<number>(k).fill(0);
  let bias = 0;
  for (let it = 0; it < opts.iterations; it++) {
    const g = new Array<number>(k).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = bias;
      for (let j = 0; j < k; j++) s += z[i]![j]! * weights[j]!;
      const e = (1 / (1 + Math.exp(-s)) - data.y[i]!) * w[i]!;
      for (let j = 0; j < k; j++) g[j]! += e * z[i]![j]!;
      gb += e;
    }
    for (let j = 0; j < k; j++) weights[j]! -= opts.rate * (g[j]! + opts.l2 * weights[j]!);
    bias -= opts.rate * gb;
  }
  return { mean, sd, weights, bias };
}

/** Per class, how many faces the model reads covered (p >= 0.5), for the training log. */
export function coveredCounts(model: NoseColourModel, data: ColourData, classes: number): { covered: number; of: number }[] {
  return Array.from({ length: classes }, (_, c) => {
    const rows = data.x.filter((_, i) => data.cls[i] === c);
    return { covered: rows.filter((x) => noseColourCovered(x, model) >= 0.5).length, of: rows.length };
  });
}
