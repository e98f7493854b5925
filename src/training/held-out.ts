import { forward, softmaxRow, type Head, type HeadData } from './mlp';
import { combineNose } from './nose-head';

/** The rows of `data` whose group differs from `k`, copied into a data set of their own. */
export function withoutGroup(data: HeadData, group: ArrayLike<number>, k: number): HeadData {
  const rows: number[] = [];
  for (let r = 0; r < data.n; r++) if (group[r] !== k) rows.push(r);
  const { d } = data;
  const x = new Float32Array(rows.length * d);
  const y = new Int32Array(rows.length);
  const box = new Float32Array(rows.length * 4);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * d, r * d + d), i * d);
    y[i] = data.y[r]!;
    box.set(data.box.subarray(r * 4, r * 4 + 4), i * 4);
  });
  return { x, n: rows.length, d, y, box };
}

/**
 * Class probabilities for rows of `x`. Where `flipped[i]` is true (all rows when absent), the logits are
 * averaged with the same row of `mirrored` (the mirrored crops) before the softmax, as the runtime's
 * test-time flip does. `mirrorHead` reads the mirrored crops (`mirrored` in its own features) when another
 * network reads them at run time (manifest classifier.faint.mirror).
 */
export function predictFlipped(head: Head, x: Float32Array, rows: readonly number[], mirrored: Float32Array, mirroredRows: readonly number[], flipped?: readonly boolean[], mirrorHead: Head = head): number[][] {
  if (mirrorHead.k !== head.k) throw new Error(`expected a mirror head with ${head.k} classes, got ${mirrorHead.k}`);
  const out: number[][] = [];
  for (let s = 0; s < rows.length; s += 512) {
    const a = forward(head, x, rows.slice(s, s + 512)).logits;
    const b = forward(mirrorHead, mirrored, mirroredRows.slice(s, s + 512)).logits;
    const m = Math.min(512, rows.length - s);
    for (let i = 0; i < m; i++) {
      if (flipped && !flipped[s + i]) continue;
      for (let j = 0; j < head.k; j++) a[i * head.k + j] = (a[i * head.k + j]! + b[i * head.k + j]!) / 2;
    }
    for (let i = 0; i < m; i++) out.push(softmaxRow(a, i, head.k));
  }
  return out;
}

/**
 * The first `k` of each row's `d` features ([n, d] -> [n, k]): the trunk's features without facemesh's,
 * which follow them in every row (the faint network's view of the same crops).
 */
export function leadingColumns(x: Float32Array, n: number, d: number, k: number): Float32Array {
  if (k > d) throw new Error(`expected at most ${d} leading columns, got ${k}`);
  return rowColumns(x, d, Array.from({ length: n }, (_, r) => r), 0, k);
}

/** Softmax probabilities of `head` for rows of `x`, in batches. */
export function predictRows(head: Head, x: Float32Array, rows: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < rows.length; s += 512) {
    const logits = forward(head, x, rows.slice(s, s + 512)).logits;
    for (let i = 0; i < Math.min(512, rows.length - s); i++) out.push(softmaxRow(logits, i, head.k));
  }
  return out;
}

/**
 * Class probabilities as the exported classifier reads a face with its nose head: each reading (the plain
 * crop, and the mirror image where there is one) is the main head's probabilities with the share of `mask`
 * the nose head doubts moved to `incorrect` (combineNose, as log-probabilities, the graph's output); a
 * face's two readings are averaged and softmaxed, as the runtime's test-time flip does. With `mouth`, the mouth
 * head's p(covered) of each reading moves its share too (combineNose).
 */
export function readWithNose(
  plain: readonly (readonly number[])[],
  covered: readonly number[],
  mirror: readonly (readonly number[] | null)[],
  mirrorCovered: readonly (number | null)[],
  mask: number,
  incorrect: number,
  mouth?: { plain: readonly number[]; mirror: readonly (number | null)[]; noMask: number },
): number[][] {
  return plain.map((p, i) => {
    const a = combineNose(p, covered[i]!, mask, incorrect, mouth ? { covered: mouth.plain[i]!, noMask: mouth.noMask } : undefined);
    const m = mirror[i];
    const b = m ? combineNose(m, mirrorCovered[i]!, mask, incorrect, mouth ? { covered: mouth.mirror[i]!, noMask: mouth.noMask } : undefined) : null;
    const logits = b ? a.map((v, j) => (v + b[j]!) / 2) : a;
    return softmaxRow(Float32Array.from(logits), 0, logits.length);
  });
}

/** Columns [from, to) of the given rows of `x` ([n, d]), as a [rows, to - from] array of their own. */
export function rowColumns(x: Float32Array, d: number, rows: readonly number[], from: number, to: number): Float32Array {
  if (from < 0 || to > d || from > to) throw new Error(`expected columns within 0..${d}, got ${from}..${to}`);
  const k = to - from;
  const out = new Float32Array(rows.length * k);
  rows.forEach((r, i) => out.set(x.subarray(r * d + from, r * d + to), i * k));
  return out;
}
