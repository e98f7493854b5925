import type { SupportWeights } from './manifest';
import type { Support } from './nms';
import { logit } from './logit';

/**
 * The support terms of a faint-face rank or a calibrated score: weights on ln(anchors merged), ln(their
 * summed score) and ln(box height in the detector's input pixels). A candidate without support (a
 * decoder that does not report it) counts as one anchor of its own score and adds no height term.
 */
export function supportTerms(score: number, s: Support | undefined, w: SupportWeights): number {
  const [a, m, h] = supportFeatures(score, s);
  return w.anchors * a + w.mass * m + w.height * h;
}

/** ln(anchors), ln(mass), ln(height): the inputs the support weights multiply (training fits on these). */
export function supportFeatures(score: number, s: Support | undefined): [number, number, number] {
  return [Math.log(Math.max(s?.anchors ?? 1, 1)), Math.log(Math.max(s?.mass ?? score, 1e-6)), Math.log(Math.max(s?.height ?? 1, 1))];
}

/** The rank of a faint face: score * logit(face score) + its support terms. */
export function faintRank(score: number, s: Support | undefined, w: SupportWeights & { score: number }): number {
  return w.score * logit(score) + supportTerms(score, s, w);
}
