import { iou } from './geometry';
import type { Box } from './types';

export interface Scored {
  box: Box;
  score: number;
  /** Extra points carried along (keypoints); weighted NMS averages them like the box. */
  points?: [number, number][];
}

/** Greedy NMS: keep the best, drop every other candidate overlapping it by IoU > `threshold`. */
export function hardNms<T extends Scored>(candidates: T[], threshold: number): T[] {
  const order = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const c of order) {
    if (kept.every((k) => iou(k.box, c.box) <= threshold)) kept.push(c);
  }
  return kept;
}

/**
 * MediaPipe's weighted NMS (BlazeFace): the best candidate and every remaining one overlapping it by
 * IoU > `threshold` merge into one detection whose box and points are their score-weighted mean and
 * whose score is the best one's.
 */
export function weightedNms(candidates: Scored[], threshold: number): Scored[] {
  let remaining = [...candidates].sort((a, b) => b.score - a.score);
  const out: Scored[] = [];
  while (remaining.length > 0) {
    const top = remaining[0]!;
    // The best always joins its own group: a zero-area box (clipped away at a frame or tile edge) has
    // IoU 0 with itself and would otherwise never leave `remaining`.
    const group: Scored[] = [top];
    const rest: Scored[] = [];
    for (const c of remaining.slice(1)) (iou(top.box, c.box) > threshold ? group : rest).push(c);
    remaining = rest;
    let wSum = 0;
    const box: Box = [0, 0, 0, 0];
    const points = top.points?.map(() => [0, 0] as [number, number]);
    for (const g of group) {
      wSum += g.score;
      for (let k = 0; k < 4; k++) box[k]! += g.box[k]! * g.score;
      points?.forEach((p, k) => {
        const q = g.points?.[k];
        if (q) {
          p[0] += q[0] * g.score;
          p[1] += q[1] * g.score;
        }
      });
    }
    out.push({
      box: box.map((v) => v / wSum) as Box,
      score: top.score,
      ...(points ? { points: points.map(([x, y]) => [x / wSum, y / wSum] as [number, number]) } : {}),
    });
  }
  return out;
}
