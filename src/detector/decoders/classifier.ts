import type { ClassifierSpec } from '../manifest';

/** Class probabilities for row `i` of a [batch, labels] output, per the manifest's activation. */
export function classProbabilities(data: Float32Array, i: number, spec: Pick<ClassifierSpec, 'activation' | 'labels'>): number[] {
  const n = spec.labels.length;
  const row = Array.from(data.subarray(i * n, (i + 1) * n));
  if (spec.activation === 'sigmoid') return row.map((v) => 1 / (1 + Math.exp(-v)));
  if (spec.activation === 'none') return row.map((v) => Math.min(Math.max(v, 0), 1));
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
