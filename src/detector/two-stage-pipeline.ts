import { classProbabilities } from './decoders/classifier';
import type { FaceCandidate } from './decoders/face-detectors';
import { classifierRows, cropBoxToFrame, rowsPerFace } from './face-crop';
import { createFaceStage } from './face-stage';
import { boxArea, clipBox, intersection, iou, mirrorFractionBox } from './geometry';
import { flipsCrop, readByFaint, type TwoStageDecoder } from './manifest';
import { closeAll, greyFrame, runWhole, type FinishFrame, type Pipeline, type PipelineContext } from './pipeline';
import { SizedPool } from './input-pool';
import { ClassifyMemory } from './reclassify';
import { cropToInput, inputDims, mirrorSlot, tensorSize, type CropRegion } from './preprocess';
import type { OpenedSession } from './session-open';
import { DetectorError } from './errors';
import { checkInputMeta, checkOutputDims, checkOutputMeta, fixedBatch } from './shape-check';
import { twoStageScores } from './two-stage-score';
import type { Box, Detection, MaskLabel, RgbFrame } from './types';

/**
 * At most this many network rows go to the classifier in one call (two faces, or one face and its mirror
 * image, with the face, lower-face and nose crops). Its activations take about 1.9 MB a row, and onnxruntime's
 * CPU arena grows in powers of two to the largest call it has seen and never shrinks: one frame with a
 * dozen rows grew it by a 32 MB region held for the rest of the run. More calls cost about 0.05 ms each.
 */
export const CLASSIFIER_ROWS_PER_RUN = 6;

interface Classified {
  probs: number[];
  /** The refined face box as fractions of the crop, when the classifier has a box output. */
  box?: Box;
}

/**
 * Face detector, then the mask classifier on every face crop, all crops of a frame in one batch (or in
 * batches of the size a fixed-batch network declares). With `classifier.faint`, the faint candidates are
 * read by that lighter network instead.
 */
export async function createTwoStagePipeline(ctx: PipelineContext, dec: TwoStageDecoder): Promise<Pipeline> {
  const { model } = ctx;
  const id = model.id;
  const fd = dec.face.decoder;
  const cs = dec.classifier;
  let face: OpenedSession | undefined;
  let cls: OpenedSession | undefined;
  let faint: OpenedSession | undefined;
  let faceBatch: number;
  // With a lower-face or nose crop each face takes several network rows (classifierRows) and gives one output row.
  const per = rowsPerFace(cs);
  /**
   * The classifier's checks, for `file` and for `faint.file` alike (`faintFile` names the faint network in
   * its errors): returns its fixed batch, or null.
   */
  const checkClassifier = (s: OpenedSession, faintFile?: string): number | null => {
    const at = (field: string) => `decoder.classifier.${field}${faintFile ? ` (${faintFile}, decoder.classifier.faint)` : ''}`;
    const batch = fixedBatch(checkInputMeta(s.session.inputs, cs.input, id, at('input')));
    if (batch !== null && batch % per !== 0) throw new DetectorError('model-shape', id, `expected a fixed batch that is a multiple of ${per} (the rows per face of classifier.lower / classifier.nose), got ${batch}`, at(cs.nose ? 'nose' : 'lower'));
    checkOutputMeta(s.session.outputs, cs.outputs.scores, [null, cs.labels.length], id, at('outputs.scores'));
    if (cs.outputs.box) checkOutputMeta(s.session.outputs, cs.outputs.box, [null, 4], id, at('outputs.box'));
    return batch;
  };
  let clsBatch: number | null;
  let faintBatch: number | null = null;
  try {
    face = await ctx.open('face', dec.face.file);
    // The two classifier networks share a thread. On a thread of its own the faint network read beside the
    // classifier (3 faces 4-6 ms sooner here) but cost 55 MB more in the 6-minute soak: glibc gives each thread
    // its own malloc arena, which kept freed blocks (docs/performance-log.md, 2026-12-03 evening).
    cls = await ctx.open('classifier', cs.file, 'classifier');
    if (cs.faint) faint = await ctx.open('faint-classifier', cs.faint.file, 'classifier');
    faceBatch = fixedBatch(checkInputMeta(face.session.inputs, dec.face.input, id, 'decoder.face.input')) ?? 1;
    checkOutputMeta(face.session.outputs, fd.outputs.boxes, null, id, 'decoder.face.decoder.outputs.boxes');
    checkOutputMeta(face.session.outputs, fd.outputs.scores, null, id, 'decoder.face.decoder.outputs.scores');
    clsBatch = checkClassifier(cls);
    if (faint) faintBatch = checkClassifier(faint, cs.faint!.file);
  } catch (err) {
    await closeAll([face, cls, faint]);
    throw err;
  }
  const faceSession = face.session;
  /** A classifier network and its fixed batch (null: any batch). */
  interface Reader {
    session: OpenedSession['session'];
    batch: number | null;
  }
  const full: Reader = { session: cls.session, batch: clsBatch };
  const light: Reader | null = faint ? { session: faint.session, batch: faintBatch } : null;
  const readers = light ? [full, light] : [full];
  const cropSize = tensorSize(cs.input);
  const reported = cs.labels.map((l, i) => [l, i] as const).filter((e): e is readonly [MaskLabel, number] => e[0] !== 'not_face');
  const notFace = cs.labels.indexOf('not_face');

  // Network rows per classifier call on a network that takes any batch (a fixed batch sets its own).
  const maxRows = ctx.classifierRows ?? CLASSIFIER_ROWS_PER_RUN;
  const rowBuffers = new SizedPool();
  const faceStage = createFaceStage(faceSession, dec.face, id, ctx.floor, faceBatch);
  const detectFaces = (frame: RgbFrame) => faceStage.detect(frame);

  /** One network row: a crop, or its mirror image (test-time flip). */
  interface Row {
    crop: number;
    mirrored: boolean;
  }

  /**
   * `crops[i]`: face i's rows, as classifierRows gives them; `flip[i]`: whether its mirror image is read too.
   * `route` names the network that reads each plain crop and each mirror image; the networks' rows are sent in
   * `readers` order, and a flipped face's two readings are averaged whichever read them.
   */
  async function classify(frame: RgbFrame, crops: readonly CropRegion[][], flip: readonly boolean[], route: (face: number, mirrored: boolean) => Reader): Promise<Classified[]> {
    const n = cs.labels.length;
    const raw = new Float32Array(crops.length * n);
    const boxes = cs.outputs.box ? new Float32Array(crops.length * 4) : undefined;
    // Face by face, each plain row followed by its mirror image, so that a call split by the batch keeps a
    // face's two rows together when one network reads both.
    const rows: Row[] = crops.flatMap((_, i) => (flip[i] ? [{ crop: i, mirrored: false }, { crop: i, mirrored: true }] : [{ crop: i, mirrored: false }]));
    // Each face's plain rows as first resampled (a call's buffer and slot): a later row of the face, its mirror
    // image in the same call or in another network's, copies them instead of resampling them (about 0.1 ms a crop here).
    const cropped = new Map<number, { data: Float32Array; slot: number }>();
    // Every call's input buffer, given back to the pool once the last network has answered.
    const taken: Float32Array[] = [];
    try {
      // Each network's crops are prepared and sent (readRows, up to its first await) in `readers` order before
      // any answer is awaited: a later network's rows can copy an earlier one's crops, and the faint crops are
      // prepared while the classifier runs.
      const reads: Promise<void>[] = [];
      for (const net of readers) {
        const mine = rows.filter((r) => route(r.crop, r.mirrored) === net);
        if (mine.length) reads.push(readRows(net, frame, crops, mine, flip, cropped, taken, raw, boxes));
      }
      // Settled, not all: a failed network must not hand back buffers the other may still be reading.
      const settled = await Promise.allSettled(reads);
      for (const r of settled) if (r.status === 'rejected') throw r.reason;
    } finally {
      for (const b of taken) rowBuffers.give(b);
    }
    return crops.map((_, i) => {
      const r: Classified = { probs: classProbabilities(raw, i, cs) };
      if (boxes) r.box = Array.from(boxes.subarray(4 * i, 4 * i + 4)) as Box;
      return r;
    });
  }

  /**
   * Runs `rows` through `net`, adding each row's raw outputs (and un-mirrored box), weighted, to its face's.
   * `cropped`: the faces' plain rows resampled so far (classify), read and added to. `taken`: the pool's
   * buffers this call used, for classify to give back.
   */
  async function readRows(
    net: Reader,
    frame: RgbFrame,
    crops: readonly CropRegion[][],
    rows: readonly Row[],
    flip: readonly boolean[],
    cropped: Map<number, { data: Float32Array; slot: number }>,
    taken: Float32Array[],
    raw: Float32Array,
    boxes: Float32Array | undefined,
  ): Promise<void> {
    const n = cs.labels.length;
    const chunk = Math.max(1, Math.floor((net.batch ?? maxRows) / per));
    // A fixed batch is filled up (unused slots stay zero); any other batch is only as large as the call.
    const parts: { rows: readonly Row[]; slots: number }[] = [];
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      parts.push({ rows: part, slots: net.batch ? chunk : part.length });
    }
    // Every call is sent before the first is answered: a session on its own thread runs them back to back.
    const outs = await Promise.all(
      parts.map(({ rows: part, slots }) => {
        const data = rowBuffers.take(slots * per * cropSize);
        taken.push(data);
        // A fixed batch's unused slots are zero, as a fresh buffer's would be.
        if (part.length < slots) data.fill(0, part.length * per * cropSize);
        part.forEach((r, i) => {
          const from = cropped.get(r.crop);
          const slot = i * per;
          if (from) data.set(from.data.subarray(from.slot * cropSize, (from.slot + per) * cropSize), slot * cropSize);
          else crops[r.crop]!.forEach((c, k) => cropToInput(frame, c, cs.input, data, slot + k));
          if (r.mirrored) for (let k = 0; k < per; k++) mirrorSlot(cs.input, data, slot + k);
          else cropped.set(r.crop, { data, slot });
        });
        return net.session.run({ [cs.input.name]: { data, dims: inputDims(cs.input, slots * per) } });
      }),
    );
    parts.forEach(({ rows: part, slots }, p) => {
      const out = outs[p]!;
      const scores = out[cs.outputs.scores];
      checkOutputDims(cs.outputs.scores, scores?.dims, [slots, n], id, 'decoder.classifier.outputs.scores');
      const box = cs.outputs.box ? out[cs.outputs.box] : undefined;
      if (cs.outputs.box) checkOutputDims(cs.outputs.box, box?.dims, [slots, 4], id, 'decoder.classifier.outputs.box');
      // A flipped crop's two rows are averaged: raw outputs (logits) before the activation, and boxes
      // with the mirror image's box taken back.
      part.forEach((r, i) => {
        const w = flip[r.crop] ? 0.5 : 1;
        for (let j = 0; j < n; j++) raw[r.crop * n + j]! += w * scores!.data[i * n + j]!;
        if (!boxes) return;
        const b = box!.data.subarray(4 * i, 4 * i + 4);
        const o = 4 * r.crop;
        const fromMirror = r.mirrored ? mirrorFractionBox(b) : b;
        for (let j = 0; j < 4; j++) boxes[o + j]! += w * fromMirror[j]!;
      });
    });
  }

  /** Which crops also run mirrored, per the manifest's `flip`. */
  const flipsFor = (faces: readonly FaceCandidate[]): boolean[] => faces.map((f) => flipsCrop(cs.flip, f.score, fd.minScore));

  function toDetection(f: FaceCandidate, crop: CropRegion, c: Classified, frame: RgbFrame): Detection | null {
    const pNotFace = notFace >= 0 ? c.probs[notFace]! : 0;
    // Runtime: a box the classifier calls not_face is dropped. Under a calibrated score the face
    // confidence already weighs that against the detector, and the operating minScore decides.
    if (ctx.floor === undefined && typeof dec.score !== 'object' && reported.every(([, i]) => c.probs[i]! < pNotFace)) return null;
    const s = twoStageScores(dec.score, f.score, c.probs, reported, notFace);
    let label = reported[0]![0];
    for (const [l] of reported) if (s.labels[l]! > s.labels[label]!) label = l;
    const box = c.box ? clipBox(cropBoxToFrame(crop, c.box), frame.width, frame.height) : f.box;
    const d: Detection = { box, label, score: s.labels[label]!, scores: s.labels, faceScore: s.face };
    if (f.keypoints) d.keypoints = f.keypoints;
    return d;
  }

  // Readings of faces the gate has opened for, carried over between classifier runs (config detector.reclassify).
  const memory = ctx.reclassify ? new ClassifyMemory(ctx.reclassify) : null;

  const pipeline: Pipeline = {
    sessions: { face: face.provider, classifier: cls.provider, ...(faint ? { faint: faint.provider } : {}) },
    async find(frame) {
      const faces = (await detectFaces(frame)).slice(0, cs.maxFaces);
      const finish: FinishFrame = async (hints) => {
        const carried = memory ? memory.plan(faces, hints.settled ?? []) : faces.map(() => null);
        const read = faces.map((_, i) => i).filter((i) => !carried[i]);
        const out = [...carried];
        // Confident faces go to the classifier, faint ones to the faint network when there is one, and with
        // faint.mirror the mirror images too. One network runs at a time: with detector.overlap the face
        // network of the next frame is the other.
        if (read.length) {
          const crops = read.map((i) => classifierRows(faces[i]!.box, faces[i]!.keypoints, cs));
          const route = (k: number, mirrored: boolean): Reader => (light && readByFaint(cs.faint, faces[read[k]!]!.score, fd.minScore, mirrored) ? light : full);
          const classified = await classify(frame, crops, flipsFor(read.map((i) => faces[i]!)), route);
          read.forEach((fi, k) => (out[fi] = toDetection(faces[fi]!, crops[k]![0]!, classified[k]!, frame)));
        }
        memory?.remember(faces, out);
        const found = out.filter((d): d is Detection => d !== null);
        return cs.nmsIou === undefined ? found : suppressRefined(found, cs.nmsIou);
      };
      return { faces: faces.length, finish };
    },
    async warmUp() {
      const frame = greyFrame(dec.face.input.width, dec.face.input.height);
      await runWhole(pipeline, frame);
      const side = Math.min(frame.width, frame.height) / 2;
      const whole = { cx: frame.width / 2, cy: frame.height / 2, side, angle: 0 };
      for (const net of readers) await classify(frame, [Array.from({ length: per }, () => whole)], [cs.flip !== 'none'], () => net);
    },
    async close() {
      await closeAll([face, cls, faint]);
    },
  };
  return pipeline;
}

/**
 * Refined boxes of one face found twice (tiles, neighbouring anchors) land on the same spot: keep the
 * most face-like, drop the others that overlap it by IoU above `threshold`. A box lying mostly (CONTAINED
 * of its area) inside another box at most PART_AREA times its size is the same face seen twice (a cheek,
 * a beard or the hair read as a face, or a box round the whole head), which IoU alone misses: one of the
 * two goes. Fail-safe: if one of them reads `mask` and the other, about as face-like, does not, the `mask`
 * one goes (a part-box reading `mask` beside an unmasked face is how a gate opens wrongly); otherwise the
 * less face-like one.
 */
export const CONTAINED = 0.6;
const PART_AREA = 6;

export function suppressRefined(found: Detection[], threshold: number): Detection[] {
  const area = boxArea;
  const inside = (small: Box, big: Box) => intersection(small, big) / Math.max(area(small), 1e-9);
  const sameFace = (a: Detection, b: Detection) => {
    const [small, big] = area(a.box) <= area(b.box) ? [a, b] : [b, a];
    return area(big.box) <= PART_AREA * Math.max(area(small.box), 1e-9) && inside(small.box, big.box) >= CONTAINED;
  };
  /**
   * Whether `d` gives way to `o` when both are one face. A `mask` box gives way to a box that does not read
   * `mask` unless that one is far less face-like (under half its face score: a faint scrap of the face).
   */
  const losesTo = (d: Detection, o: Detection) => {
    const dMask = d.label === 'mask', oMask = o.label === 'mask';
    if (dMask && !oMask) return o.faceScore >= 0.5 * d.faceScore;
    if (!dMask && oMask) return d.faceScore < 0.5 * o.faceScore;
    return d.faceScore < o.faceScore || (d.faceScore === o.faceScore && area(d.box) < area(o.box));
  };
  const whole = found.filter((d) => !found.some((o) => o !== d && sameFace(d, o) && losesTo(d, o)));
  const order = [...whole].sort((a, b) => b.faceScore - a.faceScore);
  const kept: Detection[] = [];
  for (const d of order) if (kept.every((k) => iou(k.box, d.box) <= threshold)) kept.push(d);
  return kept;
}
