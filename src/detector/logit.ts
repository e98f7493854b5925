const EPS = 1e-6;

/** ln(p / (1 - p)), with p clamped away from 0 and 1. */
export function logit(p: number): number {
  const q = Math.min(Math.max(p, EPS), 1 - EPS);
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
