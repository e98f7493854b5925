import type { TwoStageDecoder } from './manifest';
import type { MaskLabel } from './types';

const EPS = 1e-6;

export function logit(p: number): number {
  const q = Math.min(Math.max(p, EPS), 1 - EPS);
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export interface TwoStageScores {
  /** How face-like the box is, 0..1 (ranks refined duplicates; the tracker's face score). */
  face: number;
  /** Each reported label's score, 0..1. */
  labels: Partial<Record<MaskLabel, number>>;
}

/**
 * Combines the face detector's score and the classifier's probabilities per the manifest's
 * `decoder.score` mode. `notFace` is the index of not_face in `probs`, or -1.
 */
export function twoStageScores(mode: TwoStageDecoder['score'], faceScore: number, probs: readonly number[], reported: readonly (readonly [MaskLabel, number])[], notFace: number): TwoStageScores {
  const pNotFace = notFace >= 0 ? probs[notFace]! : 0;
  const labels: Partial<Record<MaskLabel, number>> = {};
  if (typeof mode === 'object') {
    const face = sigmoid(mode.detector * logit(faceScore) + mode.classifier * logit(1 - pNotFace) + mode.bias);
    // p(label | face): the labels' share of the classifier's non-not_face mass.
    const faceMass = Math.max(1 - pNotFace, EPS);
    for (const [l, i] of reported) labels[l] = face * Math.min(probs[i]! / faceMass, 1);
    return { face, labels };
  }
  const k = mode === 'product' ? faceScore : 1;
  for (const [l, i] of reported) labels[l] = k * probs[i]!;
  return { face: k * (1 - pNotFace), labels };
}
