import { dbscan } from '../dbscan';
import { boxHeight, clipBox, iou, iouTao } from '../geometry';
import type { DetectNetDecoder } from '../manifest';
import { boxToFrame, type InputTransform } from '../preprocess';
import type { FloatTensor } from '../runtime';
import type { Box, MaskLabel } from '../types';

/** One clustered box of one class, in frame pixels. */
export interface ClassBox {
  label: MaskLabel;
  box: Box;
  /** TAO's confidence: summed coverage of the cluster (DBSCAN) or the cell's coverage (NMS). */
  confidence: number;
  /** 0..1: `confidence` itself under NMS; 1 - e^-confidence under DBSCAN, which keeps TAO's ranking. */
  score: number;
}

interface Candidate {
  box: Box;
  cov: number;
}

/**
 * DetectNet_v2 (TAO) decoding. Outputs: coverage [1, C, H/s, W/s] and bbox [1, 4C, H/s, W/s], class c in
 * bbox channels 4c..4c+3. Per cell: centre = (index*stride + offset)/bboxNorm, then
 * x1 = (cx - o0)*norm, y1 = (cy - o1)*norm, x2 = (o2 + cx)*norm, y2 = (o3 + cy)*norm, clipped to the input
 * and scaled to the frame. Clustering, confidence and filters run in frame pixels, as TAO's do.
 *
 * `floor` (detect/eval) replaces each class's confidence threshold by score >= floor.
 */
export function decodeDetectNet(
  cov: FloatTensor,
  bbox: FloatTensor,
  dec: DetectNetDecoder,
  labels: readonly MaskLabel[],
  t: InputTransform,
  frame: { width: number; height: number },
  floor?: number,
): ClassBox[] {
  const gh = cov.dims[2]!;
  const gw = cov.dims[3]!;
  const plane = gh * gw;
  const { stride, offset, bboxNorm: norm } = dec;
  const out: ClassBox[] = [];
  for (const [c, label] of labels.entries()) {
    const cls = dec.classes[label]!;
    const candidates: Candidate[] = [];
    // TAO flattens each class plane after transposing it to [W, H]: columns outer, rows inner.
    for (let col = 0; col < gw; col++) {
      for (let row = 0; row < gh; row++) {
        const k = row * gw + col;
        const v = cov.data[c * plane + k]!;
        if (!(v > cls.coverageThreshold)) continue;
        const o = (j: number) => bbox.data[(4 * c + j) * plane + k]!;
        const cx = (col * stride + offset) / norm;
        const cy = (row * stride + offset) / norm;
        const inInput = clipBox([(cx - o(0)) * norm, (cy - o(1)) * norm, (o(2) + cx) * norm, (o(3) + cy) * norm], dec.input.width, dec.input.height);
        candidates.push({ box: clipBox(boxToFrame(inInput, t), frame.width, frame.height), cov: v });
      }
    }
    const clusters = dec.clustering === 'dbscan' ? clusterDbscan(candidates, cls.eps, cls.minSamples) : clusterNms(candidates, dec.nmsIou);
    for (const cl of clusters) {
      const score = dec.clustering === 'dbscan' ? 1 - Math.exp(-cl.confidence) : cl.confidence;
      const pass = floor === undefined ? cl.confidence > cls.confidence : score >= floor;
      if (pass && boxHeight(cl.box) > cls.minHeight) out.push({ label, box: cl.box, confidence: cl.confidence, score });
    }
  }
  return out;
}

/** TAO: DBSCAN on 1 - IoU weighted by coverage; each cluster is its coverage-weighted mean box. */
function clusterDbscan(cands: Candidate[], eps: number, minSamples: number): { box: Box; confidence: number }[] {
  if (cands.length === 0) return [];
  const labels = dbscan(cands.length, (i, j) => 1 - iouTao(cands[i]!.box, cands[j]!.box), cands.map((c) => c.cov), eps, minSamples);
  const sums = new Map<number, { w: number; box: Box }>();
  for (const [i, c] of cands.entries()) {
    const l = labels[i]!;
    if (l < 0) continue;
    const s = sums.get(l) ?? { w: 0, box: [0, 0, 0, 0] };
    s.w += c.cov;
    for (let k = 0; k < 4; k++) s.box[k]! += c.cov * c.box[k]!;
    sums.set(l, s);
  }
  return [...sums.keys()].sort((a, b) => a - b).map((l) => {
    const s = sums.get(l)!;
    return { box: s.box.map((v) => v / s.w) as Box, confidence: s.w };
  });
}

/** The alternative: greedy NMS on coverage, as DeepStream's NMS mode. */
function clusterNms(cands: Candidate[], threshold: number): { box: Box; confidence: number }[] {
  const order = [...cands].sort((a, b) => b.cov - a.cov);
  const kept: Candidate[] = [];
  for (const c of order) if (kept.every((k) => iou(k.box, c.box) <= threshold)) kept.push(c);
  return kept.map((c) => ({ box: c.box, confidence: c.cov }));
}
