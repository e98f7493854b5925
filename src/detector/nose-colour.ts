import type { RgbFrame } from './types';

/**
 * Is the nose the colour of the face's own skin? A second opinion for the nose head (manifest
 * `classifier.noseColour`), read straight from the frame: a patch on the nose tip against a patch of skin
 * between and just above the eyes, which no mask covers. A mask on the nose differs from that skin in colour,
 * brightness or texture; a nose above a mask worn too low does not. The nose head reads the trunk's features
 * of the nose crop and misses some of these (model card, "2.4.0").
 */

/** Patch side in eye distances, and how far above the eye line the skin patch sits (towards the forehead). */
const PATCH = 0.4;
const SKIN_ABOVE = 0.3;
/** Under this eye distance (px) the patches are a pixel or two: no reading. */
export const MIN_EYE_DISTANCE_PX = 4;

/** The features' names, in order (the manifest's weights follow them). */
export const NOSE_COLOUR_FEATURES = ['dr', 'dg', 'dLuma', 'noseTexture', 'skinTexture', 'chromaDistance', 'noseR', 'noseG', 'skinR', 'skinG'] as const;

interface PatchStats {
  /** Mean chromaticity R / (R + G + B) and G / (R + G + B): colour without brightness. */
  r: number;
  g: number;
  /** Mean luma and its standard deviation (texture). */
  y: number;
  sd: number;
}

function patchStats(frame: RgbFrame, cx: number, cy: number, side: number): PatchStats | null {
  const x0 = Math.max(0, Math.round(cx - side / 2));
  const x1 = Math.min(frame.width, Math.max(Math.round(cx + side / 2), x0 + 1));
  const y0 = Math.max(0, Math.round(cy - side / 2));
  const y1 = Math.min(frame.height, Math.max(Math.round(cy + side / 2), y0 + 1));
  if (x1 <= x0 || y1 <= y0) return null;
  let n = 0, sr = 0, sg = 0, sy = 0, syy = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * frame.width + x) * 3;
      const R = frame.data[i]!, G = frame.data[i + 1]!, B = frame.data[i + 2]!;
      const sum = R + G + B + 1e-3;
      sr += R / sum;
      sg += G / sum;
      const luma = 0.299 * R + 0.587 * G + 0.114 * B;
      sy += luma;
      syy += luma * luma;
      n++;
    }
  }
  const y = sy / n;
  return { r: sr / n, g: sg / n, y, sd: Math.sqrt(Math.max(0, syy / n - y * y)) };
}

/**
 * The features (NOSE_COLOUR_FEATURES) of one face, from its keypoints in frame pixels; null without the
 * eyes, nose and mouth, for a face whose eyes are under MIN_EYE_DISTANCE_PX apart, or with a patch outside
 * the frame. Brightness enters only as ratios to the skin patch's, so the reading does not follow the light.
 */
export function noseColourFeatures(frame: RgbFrame, keypoints: Readonly<Record<string, readonly [number, number]>> | undefined): number[] | null {
  const re = keypoints?.right_eye, le = keypoints?.left_eye, nose = keypoints?.nose, mouth = keypoints?.mouth;
  if (!re || !le || !nose || !mouth) return null;
  const eyes = Math.hypot(le[0] - re[0], le[1] - re[1]);
  if (!(eyes >= MIN_EYE_DISTANCE_PX)) return null;
  const mx = (re[0] + le[0]) / 2, my = (re[1] + le[1]) / 2;
  const ux = mx - mouth[0], uy = my - mouth[1];
  const len = Math.hypot(ux, uy);
  if (!(len >= 1)) return null;
  const skin = patchStats(frame, mx + (ux / len) * SKIN_ABOVE * eyes, my + (uy / len) * SKIN_ABOVE * eyes, PATCH * eyes);
  const tip = patchStats(frame, nose[0], nose[1], PATCH * eyes);
  if (!skin || !tip) return null;
  const ref = skin.y + 1;
  const dr = tip.r - skin.r, dg = tip.g - skin.g;
  return [dr, dg, (tip.y - skin.y) / ref, tip.sd / ref, skin.sd / ref, Math.hypot(dr, dg), tip.r, tip.g, skin.r, skin.g];
}

/** A logistic regression on standardised features (manifest `classifier.noseColour`). */
export interface NoseColourModel {
  mean: readonly number[];
  sd: readonly number[];
  weights: readonly number[];
  bias: number;
}

/** p(nose covered) by the colour model. */
export function noseColourCovered(features: readonly number[], m: NoseColourModel): number {
  let z = m.bias;
  features.forEach((v, i) => (z += ((v - m.mean[i]!) / m.sd[i]!) * m.weights[i]!));
  return 1 / (1 + Math.exp(-z));
}

const clampLogit = (p: number) => {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
};

/**
 * The nose head's and the colour model's p(covered) as one: the mean of their logits, two opinions of
 * equal weight (none fitted to a score).
 */
export function coveredBoth(head: number, colour: number): number {
  return 1 / (1 + Math.exp(-(clampLogit(head) + clampLogit(colour)) / 2));
}

/**
 * Class probabilities `p` as the classifier gives them, the nose head's share already applied (p'(mask) =
 * p(mask) c, the rest of p(mask) moved to incorrect; nose-head.ts), re-gated with `both` instead of c:
 * p''(mask) = p(mask) both, p''(incorrect) = p'(incorrect) + p(mask) (c - both). p(mask) is taken back
 * as p'(mask) / c, at most p'(mask) + p'(incorrect) (what the nose head moved came from it). Sums to 1
 * as p does.
 */
export function regateMask(p: readonly number[], head: number, both: number, mask: number, incorrect: number): number[] {
  const pm = Math.min(p[mask]! / Math.max(head, 1e-12), p[mask]! + p[incorrect]!);
  const out = [...p];
  out[mask] = pm * both;
  out[incorrect] = Math.max(0, p[incorrect]! + pm * (head - both));
  // Rounding in the division can leave the sum a hair off 1; the other classes are untouched.
  const excess = out[mask]! + out[incorrect]! - (p[mask]! + p[incorrect]!);
  out[incorrect] = Math.max(0, out[incorrect]! - excess);
  return out;
}
