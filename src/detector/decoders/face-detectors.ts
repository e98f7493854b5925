import { clipBox, iou } from '../geometry';
import type { BlazeFaceDecoder, BoxesDecoder, FaceDecoder, InputSpec } from '../manifest';
import { hardNms, weightedNms, type Scored } from '../nms';
import { boxToFrame, pointToFrame, type InputTransform } from '../preprocess';
import type { Dim } from '../shape-check';
import type { FloatTensor } from '../runtime';
import type { Box } from '../types';

/** A face from the first stage, in frame pixels. */
export interface FaceCandidate {
  box: Box;
  score: number;
  keypoints?: Record<string, [number, number]>;
}

/**
 * MediaPipe SSD anchors with fixed size 1: consecutive layers with the same stride share one grid of
 * ceil(size/stride) cells with `perLayer` anchors per layer per cell. Returns (cx, cy) pairs as
 * fractions of the input. BlazeFace front (128, strides 8,16,16,16) and back (256, strides
 * 16,32,32,32) both give 896 anchors.
 */
export function ssdAnchors(width: number, height: number, a: BlazeFaceDecoder['anchors']): Float64Array {
  const out: number[] = [];
  let i = 0;
  while (i < a.strides.length) {
    const stride = a.strides[i]!;
    let layers = 0;
    while (i < a.strides.length && a.strides[i] === stride) {
      layers++;
      i++;
    }
    const fw = Math.ceil(width / stride);
    const fh = Math.ceil(height / stride);
    for (let y = 0; y < fh; y++) {
      for (let x = 0; x < fw; x++) {
        for (let k = 0; k < layers * a.perLayer; k++) out.push((x + a.offset) / fw, (y + a.offset) / fh);
      }
    }
  }
  return Float64Array.from(out);
}

/** Anchors per decoder config, computed once: the manifest objects live as long as the pipeline. */
const anchorCache = new WeakMap<BlazeFaceDecoder, Float64Array>();

function anchorsFor(dec: BlazeFaceDecoder, spec: InputSpec): Float64Array {
  let a = anchorCache.get(dec);
  if (!a) anchorCache.set(dec, (a = ssdAnchors(spec.width, spec.height, dec.anchors)));
  return a;
}

/**
 * Output shapes the decoder reads, for the run-time check. Scores are compared after dropping a
 * trailing 1 ([1, n, 1] and [1, n] are both common exports).
 */
export function faceOutputDims(dec: FaceDecoder, spec: InputSpec, boxes?: FloatTensor): { boxes: Dim[]; scores: Dim[] } {
  if (dec.type === 'blazeface') {
    const n = anchorsFor(dec, spec).length / 2;
    return { boxes: [1, n, null], scores: [1, n] };
  }
  return { boxes: [1, null, 4], scores: [1, boxes?.dims[1] ?? null] };
}

/** Minimum regressor width: 4 box values and 2 per keypoint. */
export function regressorWidth(dec: FaceDecoder): number {
  return dec.type === 'blazeface' ? 4 + 2 * dec.keypoints.length : 4;
}

export function squeezeLast(dims: number[]): number[] {
  return dims.length === 3 && dims[2] === 1 ? dims.slice(0, 2) : dims;
}

export function decodeFaces(
  dec: FaceDecoder,
  boxes: FloatTensor,
  scores: FloatTensor,
  spec: InputSpec,
  t: InputTransform,
  frame: { width: number; height: number },
  floor?: number,
): FaceCandidate[] {
  // With faint faces configured, runtime and sweep decode the same candidates (see FaintFaces).
  const lowest = dec.faint ? dec.faint.minScore : floor;
  const raw = dec.type === 'blazeface' ? decodeBlazeFace(dec, boxes, scores, spec, lowest) : decodeBoxes(dec, boxes, scores, spec, lowest);
  const kept = faceNms(dec, raw);
  const names = dec.type === 'blazeface' ? dec.keypoints : [];
  return kept.map((k) => {
    const face: FaceCandidate = { box: clipBox(boxToFrame(k.box, t), frame.width, frame.height), score: k.score };
    if (names.length && k.points) face.keypoints = Object.fromEntries(names.map((n, i) => [n, pointToFrame(k.points![i]!, t)]));
    return face;
  });
}

/**
 * The decoder's NMS, sorted by score and capped at maxFaces. Under `faint`, the confident candidates
 * (>= minScore) are merged first, exactly as without faint ones, so a faint anchor never moves a
 * confident face's box; then the faint ones that overlap no confident face, of which the `faint.max`
 * highest are kept.
 */
export function faceNms(dec: FaceDecoder, candidates: Scored[]): Scored[] {
  const nms = (c: Scored[]) => (dec.type === 'blazeface' && dec.nms === 'weighted' ? weightedNms(c, dec.nmsIou) : hardNms(c, dec.nmsIou));
  const byScore = (p: Scored, q: Scored) => q.score - p.score;
  if (!dec.faint) return nms(candidates).sort(byScore).slice(0, dec.maxFaces);
  const confident = nms(candidates.filter((c) => c.score >= dec.minScore)).sort(byScore);
  const faint = nms(candidates.filter((c) => c.score < dec.minScore && confident.every((k) => iou(k.box, c.box) <= dec.nmsIou)))
    .sort(byScore)
    .slice(0, dec.faint.max);
  return [...confident, ...faint].slice(0, dec.maxFaces);
}

/**
 * BlazeFace regressors per anchor: dx, dy, w, h, then (x, y) per keypoint, in input pixels relative to
 * the anchor centre (MediaPipe's x_scale = input width, anchor size 1). Score = sigmoid(clip(raw)).
 */
function decodeBlazeFace(dec: BlazeFaceDecoder, boxes: FloatTensor, scores: FloatTensor, spec: InputSpec, floor?: number): Scored[] {
  const anchors = anchorsFor(dec, spec);
  const n = anchors.length / 2;
  const stride = boxes.dims[2]!;
  const minScore = floor ?? dec.minScore;
  const out: Scored[] = [];
  for (let i = 0; i < n; i++) {
    const logit = Math.min(Math.max(scores.data[i]!, -dec.scoreClip), dec.scoreClip);
    const score = 1 / (1 + Math.exp(-logit));
    if (score < minScore) continue;
    const r = (j: number) => boxes.data[i * stride + j]!;
    const ax = anchors[2 * i]! * spec.width;
    const ay = anchors[2 * i + 1]! * spec.height;
    const cx = ax + r(0);
    const cy = ay + r(1);
    const w = r(2);
    const h = r(3);
    const points = dec.keypoints.map((_, k) => [ax + r(4 + 2 * k), ay + r(5 + 2 * k)] as [number, number]);
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, points });
  }
  return out;
}

function decodeBoxes(dec: BoxesDecoder, boxes: FloatTensor, scores: FloatTensor, spec: InputSpec, floor?: number): Scored[] {
  const n = boxes.dims[1]!;
  const sx = dec.normalized ? spec.width : 1;
  const sy = dec.normalized ? spec.height : 1;
  const minScore = floor ?? dec.minScore;
  const out: Scored[] = [];
  for (let i = 0; i < n; i++) {
    const score = scores.data[i]!;
    if (!(score >= minScore)) continue;
    const [a, b, c, d] = [0, 1, 2, 3].map((j) => boxes.data[4 * i + j]!) as [number, number, number, number];
    let box: Box;
    if (dec.boxFormat === 'xyxy') box = [a * sx, b * sy, c * sx, d * sy];
    else if (dec.boxFormat === 'yxyx') box = [b * sx, a * sy, d * sx, c * sy];
    else box = [(a - c / 2) * sx, (b - d / 2) * sy, (a + c / 2) * sx, (b + d / 2) * sy];
    out.push({ box, score });
  }
  return out;
}
