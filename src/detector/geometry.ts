import type { Box } from './types';

export function boxArea(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Plain intersection over union; 0 when both boxes are empty. */
export function iou(a: Box, b: Box): number {
  const i = intersection(a, b);
  const u = boxArea(a) + boxArea(b) - i;
  return u > 0 ? i / u : 0;
}

/** TAO's IoU for clustering: the union is regularised by +0.01 so empty boxes give 0, not NaN. */
export function iouTao(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i / (boxArea(a) + boxArea(b) - i + 0.01);
}

export function clipBox(b: Box, width: number, height: number): Box {
  const cx = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [cx(b[0], width), cx(b[1], height), cx(b[2], width), cx(b[3], height)];
}

export function boxCentre(b: Box): [number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

export function boxHeight(b: Box): number {
  return b[3] - b[1];
}

/** A box as fractions of a crop, seen in the crop's mirror image (x1, x2 -> 1 - x2, 1 - x1). */
export function mirrorFractionBox(b: ArrayLike<number>): Box {
  return [1 - b[2]!, b[1]!, 1 - b[0]!, b[3]!];
}
