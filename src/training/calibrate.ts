import type { ScoreCalibration } from '../detector/manifest';
import { logit, sigmoid } from '../detector/two-stage-score';

/** One face-stage candidate with a held-out classifier prediction. */
export interface CalibrationRow {
  detScore: number;
  pNotFace: number;
  /** A labelled face (true) or a detector false positive (false). */
  face: boolean;
  /** Inverse of the rate it was sampled at (subsampled faint negatives count for the ones left out). */
  weight: number;
}

/**
 * Weighted logistic regression of face / not-face on [logit(detector score), logit(1 - p(not_face)), 1],
 * by Newton's method with a small ridge (the three inputs are well scaled; it converges in a few steps).
 */
export function fitCalibration(rows: readonly CalibrationRow[], ridge = 1e-3, iterations = 50): ScoreCalibration {
  if (!rows.some((r) => r.face) || !rows.some((r) => !r.face)) throw new Error('calibration needs both faces and non-faces');
  const feats = rows.map((r) => [logit(r.detScore), logit(1 - r.pNotFace), 1] as const);
  const w = [0, 0, 0];
  for (let it = 0; it < iterations; it++) {
    const g = [0, 0, 0];
    const H = [[ridge, 0, 0], [0, ridge, 0], [0, 0, 0]];
    rows.forEach((r, n) => {
      const x = feats[n]!;
      const p = sigmoid(w[0]! * x[0] + w[1]! * x[1] + w[2]! * x[2]);
      const e = (p - (r.face ? 1 : 0)) * r.weight;
      const s = p * (1 - p) * r.weight;
      for (let i = 0; i < 3; i++) {
        g[i]! += e * x[i]!;
        for (let j = 0; j < 3; j++) H[i]![j]! += s * x[i]! * x[j]!;
      }
    });
    for (let i = 0; i < 2; i++) g[i]! += ridge * w[i]!;
    const step = solve3(H, g);
    for (let i = 0; i < 3; i++) w[i]! -= step[i]!;
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return { type: 'calibrated', detector: round(w[0]!), classifier: round(w[1]!), bias: round(w[2]!) };
}

/** Solves the 3x3 system A x = b (Gaussian elimination with partial pivoting). */
export function solve3(A: number[][], b: number[]): number[] {
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    if (Math.abs(m[c]![c]!) < 1e-12) throw new Error('calibration: singular system (the inputs do not vary)');
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[3]! / row[i]!);
}
