/**
 * DBSCAN with sample weights, as scikit-learn runs it (which is what TAO's DetectNet_v2 post-processing
 * calls): a sample's neighbourhood is every sample within distance <= eps, itself included; a sample is
 * core when the summed weight of its neighbourhood is >= minSamples; clusters grow from core samples in
 * index order, and border samples join the first cluster that reaches them. Noise is labelled -1.
 */
export function dbscan(
  count: number,
  distance: (i: number, j: number) => number,
  weights: ArrayLike<number>,
  eps: number,
  minSamples: number,
): Int32Array {
  const neighbours: number[][] = [];
  for (let i = 0; i < count; i++) neighbours.push([]);
  for (let i = 0; i < count; i++) {
    neighbours[i]!.push(i);
    for (let j = i + 1; j < count; j++) {
      if (distance(i, j) <= eps) {
        neighbours[i]!.push(j);
        neighbours[j]!.push(i);
      }
    }
  }
  // scikit-learn visits each neighbourhood in index order.
  for (const n of neighbours) n.sort((a, b) => a - b);

  const core = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let w = 0;
    for (const j of neighbours[i]!) w += weights[j]!;
    core[i] = w >= minSamples ? 1 : 0;
  }

  const labels = new Int32Array(count).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < count; start++) {
    if (labels[start] !== -1 || !core[start]) continue;
    let i = start;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = next;
        if (core[i]) for (const v of neighbours[i]!) if (labels[v] === -1) stack.push(v);
      }
      const top = stack.pop();
      if (top === undefined) break;
      i = top;
    }
    next++;
  }
  return labels;
}
