/**
 * Calibration for quantize.ts: the float networks run (through the SessionFactory) on training inputs
 * made exactly as at run time, with every tensor to quantize added as a graph output, and each tensor's
 * min and max over all runs kept.
 *
 * - Face network: whole training photos through frameToInput (the manifest's input: size, letterbox).
 * - Classifier: the faces the float face stage finds on those photos (runtime thresholds, faint faces
 *   included, at most maxFaces per photo), cropped with classifierRows and cropToInput as row
 *   groups (face, lower face, nose), confident faces also mirrored, as the runtime's test-time flip sends them.
 */
import path from 'node:path';
import type { FaceCandidate } from '../detector/decoders/face-detectors';
import { classifierRows, rowsPerFace } from '../detector/face-crop';
import { createFaceStage } from '../detector/face-stage';
import { flipsCrop, type TwoStageDecoder } from '../detector/manifest';
import { cropToInput, frameToInput, inputDims, mirrorSlot, tensorSize } from '../detector/preprocess';
import type { FloatTensor, SessionFactory, SessionOptions } from '../detector/runtime';
import type { RgbFrame } from '../detector/types';
import { readImageRgb } from '../image/sharp-io';
import { calibrationTensors, withOutputs, type Range } from './quantize';

export type Feeds = Record<string, FloatTensor>;

const CPU: Omit<SessionOptions, 'logId'> = { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '' } };

/** Runs the float network with `tensors` added as outputs on every batch, handing each output and feed to `see`. */
async function runCalibration(factory: SessionFactory, bytes: Uint8Array, tensors: readonly string[], batches: Iterable<Feeds> | AsyncIterable<Feeds>, see: (name: string, t: FloatTensor) => void): Promise<void> {
  const session = await factory.create(withOutputs(bytes, tensors), { ...CPU, logId: 'quantize-calibrate' });
  let runs = 0;
  try {
    for await (const feeds of batches) {
      for (const [name, t] of Object.entries(feeds)) see(name, t);
      for (const [name, t] of Object.entries(await session.run(feeds))) see(name, t);
      runs++;
    }
  } finally {
    await session.close();
  }
  if (runs === 0) throw new Error('calibration: no inputs');
}

type Batches = () => Iterable<Feeds> | AsyncIterable<Feeds>;

/** Histogram bins for percentile ranges. */
const BINS = 4096;

/**
 * The range of every calibrated tensor (and of every fed input) over all batches: min and max, or with
 * `percentile` (e.g. 99.99) the range that holds that share of the values, the rest (rare extremes that
 * would otherwise stretch the uint8 steps for every other value) clipped. A percentile takes a second
 * pass, a histogram over each tensor's min..max; `batches` is called once per pass.
 */
export async function calibrateRanges(factory: SessionFactory, bytes: Uint8Array, batches: Batches, opts: { percentile?: number } = {}): Promise<Map<string, Range>> {
  const tensors = calibrationTensors(bytes);
  const ranges = new Map<string, Range>();
  await runCalibration(factory, bytes, tensors, batches(), (name, { data }) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const r = ranges.get(name);
    ranges.set(name, r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi });
  });
  const p = opts.percentile;
  if (p === undefined || p >= 100) return ranges;
  const hist = new Map<string, Float64Array>();
  await runCalibration(factory, bytes, tensors, batches(), (name, { data }) => {
    const r = ranges.get(name)!;
    const width = (r.max - r.min) / BINS || 1;
    const h = hist.get(name) ?? new Float64Array(BINS);
    for (let i = 0; i < data.length; i++) h[Math.min(BINS - 1, Math.floor((data[i]! - r.min) / width))]!++;
    hist.set(name, h);
  });
  const clipped = new Map<string, Range>();
  for (const [name, r] of ranges) {
    const h = hist.get(name)!;
    const total = h.reduce((a, b) => a + b, 0);
    const cut = (total * (100 - p)) / 100 / 2;
    const width = (r.max - r.min) / BINS;
    let lo = 0;
    for (let acc = h[0]!; acc <= cut && lo < BINS - 1; acc += h[++lo]!);
    let hi = BINS - 1;
    for (let acc = h[BINS - 1]!; acc <= cut && hi > 0; acc += h[--hi]!);
    // Bin edges, never past the measured extremes; a tensor that is never negative keeps min >= 0.
    clipped.set(name, { min: Math.max(r.min, r.min + lo * width), max: Math.min(r.max, r.min + (hi + 1) * width) });
  }
  return clipped;
}

/** Largest |value| per channel (axis 1, NCHW) of each of `tensors` over all `batches`. */
export async function channelMaxima(factory: SessionFactory, bytes: Uint8Array, tensors: readonly string[], batches: Batches): Promise<Map<string, Float32Array>> {
  const want = new Set(tensors);
  const maxima = new Map<string, Float32Array>();
  await runCalibration(factory, bytes, tensors, batches(), (name, { data, dims }) => {
    if (!want.has(name)) return;
    const c = dims[1]!;
    const inner = dims.slice(2).reduce((a, b) => a * b, 1);
    const m = maxima.get(name) ?? new Float32Array(c);
    for (let i = 0; i < data.length; i++) {
      const k = Math.floor(i / inner) % c;
      const v = Math.abs(data[i]!);
      if (v > m[k]!) m[k] = v;
    }
    maxima.set(name, m);
  });
  return maxima;
}

/** The face network's input for each photo, one run each. */
export async function* faceFeeds(dec: TwoStageDecoder, photos: readonly string[]): AsyncGenerator<Feeds> {
  const spec = dec.face.input;
  for (const p of photos) {
    const data = new Float32Array(tensorSize(spec));
    frameToInput(await readImageRgb(p), spec, data);
    yield { [spec.name]: { data, dims: inputDims(spec, 1) } };
  }
}

/** One classifier row group per face as the runtime sends it: [face crop, lower crop?, nose crop?] plain, then mirrored when the runtime flips it. */
function faceRows(frame: RgbFrame, dec: TwoStageDecoder, face: FaceCandidate): Float32Array[] {
  const cs = dec.classifier;
  const per = rowsPerFace(cs);
  const size = tensorSize(cs.input);
  const rows: Float32Array[] = [];
  const plain = new Float32Array(per * size);
  classifierRows(face.box, face.keypoints, cs).forEach((c, k) => cropToInput(frame, c, cs.input, plain, k));
  rows.push(plain);
  if (flipsCrop(cs.flip, face.score, dec.face.decoder.minScore)) {
    const m = plain.slice();
    for (let k = 0; k < per; k++) mirrorSlot(cs.input, m, k);
    rows.push(m);
  }
  return rows;
}

/**
 * Classifier inputs from the float face network's faces on `photos`, `batch` faces (row groups) per
 * run, at most `maxRows` groups in all. The face network runs through `factory` as at run time.
 */
export async function* classifierFeeds(factory: SessionFactory, faceBytes: Uint8Array, dec: TwoStageDecoder, photos: readonly string[], batch: number, maxRows: number): AsyncGenerator<Feeds> {
  const cs = dec.classifier;
  const per = rowsPerFace(cs);
  const size = tensorSize(cs.input);
  const session = await factory.create(faceBytes, { ...CPU, logId: 'quantize-faces' });
  const stage = createFaceStage(session, dec.face, 'quantize');
  let pending: Float32Array[] = [];
  let total = 0;
  const flush = (): Feeds => {
    const data = new Float32Array(pending.length * per * size);
    pending.forEach((r, i) => data.set(r, i * per * size));
    const feeds = { [cs.input.name]: { data, dims: inputDims(cs.input, pending.length * per) } };
    pending = [];
    return feeds;
  };
  try {
    for (const p of photos) {
      const frame = await readImageRgb(p);
      const faces = (await stage.detect(frame)).slice(0, cs.maxFaces);
      for (const f of faces) {
        for (const r of faceRows(frame, dec, f)) {
          if (total >= maxRows) break;
          pending.push(r);
          total++;
          if (pending.length === batch) yield flush();
        }
      }
      if (total >= maxRows) break;
    }
    if (pending.length) yield flush();
  } finally {
    await session.close();
  }
}

/** Photo paths of `keys` in a VOC folder (images/KEY.jpg). */
export function photoPaths(dataDir: string, keys: readonly string[]): string[] {
  return keys.map((k) => path.join(dataDir, 'images', `${k}.jpg`));
}
