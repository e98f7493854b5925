import type { FaintFaces, ScoreCalibration } from '../detector/manifest';
import type { Support } from '../detector/nms';
import { supportFeatures } from '../detector/support';
import { logit, sigmoid } from '../detector/two-stage-score';

/** One face-stage candidate with a held-out classifier prediction. */
export interface CalibrationRow {
  detScore: number;
  pNotFace: number;
  /** The detector's support for it (anchors, mass, height); absent: no support terms are fitted. */
  support?: Support;
  /** A labelled face (true) or a detector false positive (false). */
  face: boolean;
  /** Inverse of the rate it was sampled at (subsampled faint negatives count for the ones left out). */
  weight: number;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Weighted logistic regression of face / not-face on [logit(detector score), logit(1 - p(not_face)),
 * the support features when every row has them, 1], by Newton's method with a small ridge.
 */
export function fitCalibration(rows: readonly CalibrationRow[], ridge = 1e-3, iterations = 50): ScoreCalibration {
  const withSupport = rows.length > 0 && rows.every((r) => r.support);
  const x = rows.map((r) => [logit(r.detScore), logit(1 - r.pNotFace), ...(withSupport ? supportFeatures(r.detScore, r.support) : []), 1]);
  const w = logisticRegression(x, rows.map((r) => r.face), rows.map((r) => r.weight), ridge, iterations);
  const c: ScoreCalibration = { type: 'calibrated', detector: round(w[0]!), classifier: round(w[1]!), bias: round(w.at(-1)!) };
  if (withSupport) c.support = { anchors: round(w[2]!), mass: round(w[3]!), height: round(w[4]!) };
  return c;
}

/** One faint candidate of the training images: its score and support, and whether it is a labelled face. */
export interface RankRow {
  score: number;
  support?: Support;
  face: boolean;
}

/**
 * The faint-face rank (FaintFaces.rank): a logistic regression of face / not-face on [logit(score), the
 * support features, 1] over the faint candidates alone, before any classifier sees them.
 */
export function fitFaintRank(rows: readonly RankRow[], ridge = 1e-3, iterations = 50): NonNullable<FaintFaces['rank']> {
  const x = rows.map((r) => [logit(r.score), ...supportFeatures(r.score, r.support), 1]);
  const w = logisticRegression(x, rows.map((r) => r.face), rows.map(() => 1), ridge, iterations);
  return { score: round(w[0]!), anchors: round(w[1]!), mass: round(w[2]!), height: round(w[3]!) };
}

/**
 * Weighted logistic regression by Newton's method; the last input is the constant 1 (the bias, not
 * penalised). The inputs here are logits and logs of modest range, so it converges in a few steps.
 */
export function logisticRegression(x: readonly number[][], y: readonly boolean[], weight: readonly number[], ridge = 1e-3, iterations = 50): number[] {
  if (!y.some((v) => v) || !y.some((v) => !v)) throw new Error('logistic regression needs both faces and non-faces');
  const k = x[0]!.length;
  const w = new Array<number>(k).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(k).fill(0);
    const H = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j && i < k - 1 ? ridge : 0)));
    x.forEach((xi, n) => {
      let z = 0;
      for (let i = 0; i < k; i++) z += w[i]! * xi[i]!;
      const p = sigmoid(z);
      const e = (p - (y[n] ? 1 : 0)) * weight[n]!;
      const s = p * (1 - p) * weight[n]!;
      for (let i = 0; i < k; i++) {
        g[i]! += e * xi[i]!;
        for (let j = 0; j < k; j++) H[i]![j]! += s * xi[i]! * xi[j]!;
      }
    });
    for (let i = 0; i < k - 1; i++) g[i]! += ridge * w[i]!;
    const step = solve(H, g);
    for (let i = 0; i < k; i++) w[i]! -= step[i]!;
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return w;
}

/** Solves A x = b (Gaussian elimination with partial pivoting). */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    if (Math.abs(m[c]![c]!) < 1e-12) throw new Error('logistic regression: singular system (the inputs do not vary)');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let q = c; q <= n; q++) m[r]![q]! -= f * m[c]![q]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
