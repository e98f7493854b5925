/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDetector } from '../../src/detector/detector';
import { ManifestSchema, readByFaint, type TwoStageDecoder } from '../../src/detector/manifest';
import { ortSessionFactory } from '../../src/detector/ort-session';
import { CLASSIFIER_ROWS_PER_RUN } from '../../src/detector/two-stage-pipeline';
import type { InferenceSession, SessionFactory } from '../../src/detector/runtime';
import type { Detection, RgbFrame } from '../../src/detector/types';
import { memoryLogger } from '../../src/log';
import { constantModel, poolClassifierModel, type DimSpec } from './helpers/onnx-builder';
import { TEST_LICENCE, TEST_PROVENANCE, writeModelFolder } from './helpers/model-folder';

/*
 * Face stage: a BlazeFace-style 16x16 NHWC network with anchors for strides [8, 16, 16] (2x2 cells x 1
 * anchor, then 1 cell x 2 anchors: centres (4,4) (12,4) (4,12) (12,12) (8,8) (8,8) in input pixels) and
 * keypoints right_eye, left_eye, mouth. The 64x32 frame is letterboxed: input = frame * 0.25 + (0, 4).
 *
 *   anchor 3: logit 2 (0.880797), box centre (12, 8), 4x4, eyes (11,8) (13,8), mouth (12,10)
 *   anchor 4: logit 0 (0.5), the same face 0.5 px to the right: merged by weighted NMS (IoU 14/18)
 *   anchor 2: logit 1 (0.731059), box centre (4, 8), 4x4, eyes (3,8) (5,8), mouth (4,10)
 *
 * Classifier: 8x8 NCHW crops; scores = mean R, mean G, 0, mean B (0..1) for mask, no_mask, incorrect,
 * not_face; box output [0.25, 0.25, 0.75, 0.75] of the crop for every face.
 */
const R = (dx: number, dy: number, kp: number[]) => [dx, dy, 4, 4, ...kp];
const regressors = [
  ...R(0, 0, [0, 0, 0, 0, 0, 0]),
  ...R(0, 0, [0, 0, 0, 0, 0, 0]),
  ...R(0, -4, [-1, -4, 1, -4, 0, -2]),
  ...R(0, -4, [-1, -4, 1, -4, 0, -2]),
  ...R(4.5, 0, [3.5, 0, 5.5, 0, 4.5, 2]),
  ...R(0, 0, [0, 0, 0, 0, 0, 0]),
];
const logits = [-10, -10, 1, 2, 0, -10];

interface FolderOptions {
  classifierBatch?: DimSpec;
  score?: TwoStageDecoder['score'];
  operatingScore?: number;
  /** The classifier's constant refined box (crop fractions). */
  box?: [number, number, number, number];
  flip?: 'none' | 'all' | 'confident';
  /** The face decoder's minScore and faint faces. */
  faceMin?: number;
  faint?: { minScore: number; max: number };
  /** A lower-face crop (manifest classifier.lower) and the paired classifier's [6, 4] weights. */
  lower?: { scale: number; centre: number; weights: number[][] };
  /** A nose crop (manifest classifier.nose); the classifier's weights are then [3 rows per face, 4]. */
  nose?: { scale: number; centre: number; weights: number[][] };
  /** A faint network (manifest classifier.faint) with these [3, labels] weights, in classifier-faint.onnx. */
  faintWeights?: number[][];
  /** classifier.faint.mirror: the faint network reads the mirror images too. */
  faintMirror?: boolean;
}

function twoStageFolder(opts: FolderOptions = {}): string {
  const face = constantModel({ name: 'image', dims: [1, 16, 16, 3] }, {
    regressors: { dims: [1, 6, 10], data: regressors },
    classificators: { dims: [1, 6, 1], data: logits },
  });
  const weights = opts.nose?.weights ?? opts.lower?.weights ?? [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]];
  const group = 1 + (opts.lower ? 1 : 0) + (opts.nose ? 1 : 0);
  const classifier = poolClassifierModel({ name: 'crop', height: 8, width: 8 }, 'probs', weights, { name: 'refined', value: opts.box ?? [0.25, 0.25, 0.75, 0.75] }, opts.classifierBatch, group);
  const manifest = {
    schemaVersion: 1,
    name: 'test-two-stage',
    version: '0.0.1',
    labels: ['mask', 'no_mask', 'incorrect'],
    decoder: {
      type: 'two_stage',
      score: opts.score ?? 'product',
      face: {
        file: 'face.onnx',
        input: { name: 'image', width: 16, height: 16, layout: 'NHWC', colour: 'RGB', normalize: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }, resize: 'letterbox' },
        decoder: {
          type: 'blazeface',
          outputs: { boxes: 'regressors', scores: 'classificators' },
          anchors: { strides: [8, 16, 16], perLayer: 1 },
          keypoints: ['right_eye', 'left_eye', 'mouth'],
          minScore: opts.faceMin ?? 0.4,
          nmsIou: 0.3,
          ...(opts.faint ? { faint: opts.faint } : {}),
        },
      },
      classifier: {
        file: 'classifier.onnx',
        input: { name: 'crop', width: 8, height: 8, layout: 'NCHW', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [255, 255, 255] } },
        outputs: { scores: 'probs', box: 'refined' },
        activation: 'none',
        labels: ['mask', 'no_mask', 'incorrect', 'not_face'],
        crop: { expand: 1.5, align: 'eyes' },
        ...(opts.flip ? { flip: opts.flip } : {}),
        ...(opts.lower ? { lower: { scale: opts.lower.scale, centre: opts.lower.centre } } : {}),
        ...(opts.nose ? { nose: { scale: opts.nose.scale, centre: opts.nose.centre } } : {}),
        ...(opts.faintWeights ? { faint: { file: 'classifier-faint.onnx', ...(opts.faintMirror ? { mirror: true } : {}) } } : {}),
      },
    },
    ...(opts.operatingScore === undefined ? {} : { thresholds: { score: opts.operatingScore } }),
    licence: TEST_LICENCE,
    provenance: TEST_PROVENANCE,
  };
  const faint: Record<string, Uint8Array> = opts.faintWeights ? { 'classifier-faint.onnx': poolClassifierModel({ name: 'crop', height: 8, width: 8 }, 'probs', opts.faintWeights, { name: 'refined', value: opts.box ?? [0.25, 0.25, 0.75, 0.75] }) } : {};
  return writeModelFolder('test-two-stage', manifest, { 'face.onnx': face, 'classifier.onnx': classifier, ...faint });
}

/** Left half (153, 51, 0): mask 0.6, no_mask 0.2. Right half (26, 204, 0): mask 0.101961, no_mask 0.8. */
function halves(left: [number, number, number], right: [number, number, number]): RgbFrame {
  const data = new Uint8Array(64 * 32 * 3);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) data.set(x < 32 ? left : right, (y * 64 + x) * 3);
  return { data, width: 64, height: 32 };
}

type Feeds = Parameters<InferenceSession['run']>[0];

/** Real onnxruntime sessions whose runs go through `around`, which is given the session's role (its logId's end). */
function wrappedFactory(around: (role: string, feeds: Feeds, run: (feeds: Feeds) => ReturnType<InferenceSession['run']>) => ReturnType<InferenceSession['run']>): SessionFactory {
  return {
    async create(model, options) {
      const s = await ortSessionFactory.create(model, options);
      const role = options.logId.split(':')[1]!;
      return { inputs: s.inputs, outputs: s.outputs, close: () => s.close(), run: (feeds) => around(role, feeds, (f) => s.run(f)) };
    },
  };
}

function recordingFactory(runs: { input: string; dims: number[] }[]): SessionFactory {
  return wrappedFactory((_, feeds, run) => {
    for (const [input, t] of Object.entries(feeds)) runs.push({ input, dims: t.dims });
    return run(feeds);
  });
}

/** `minScore` 0 (the default here): every face, whatever it scores; null: the model's operating point. */
async function detect(dir: string, frame: RgbFrame, runs: { input: string; dims: number[] }[] = [], sweep = false, minScore: number | null = 0): Promise<Detection[]> {
  const d = createDetector({
    config: { model: dir, providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' }, ...(minScore === null ? {} : { minScore }) },
    log: memoryLogger(),
    sessions: recordingFactory(runs),
    sweep,
  });
  await d.start();
  runs.length = 0; // forget the warm-up
  try {
    return await d.detect(frame);
  } finally {
    await d.stop();
  }
}

const closeTo = (actual: number[] | undefined, expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
};

test('faces: anchors, regressors, keypoints, weighted NMS and letterbox all map to frame pixels; crops classified in one batch', async () => {
  const runs: { input: string; dims: number[] }[] = [];
  const faces = await detect(twoStageFolder(), halves([153, 51, 0], [26, 204, 0]), runs);
  expect(runs).toEqual([
    { input: 'image', dims: [1, 16, 16, 3] },
    { input: 'crop', dims: [2, 3, 8, 8] },
  ]);
  expect(faces).toHaveLength(2);
  const [a, b] = faces as [Detection, Detection];

  // Face 1: weighted mean of x1 = (10*0.880797 + 10.5*0.5) / 1.380797 = 10.181054 in the input, so
  // keypoints sit at x*4 in the frame; y: (y - 4) * 4.
  closeTo(a.keypoints?.right_eye, [44.724216, 16]);
  closeTo(a.keypoints?.left_eye, [52.724216, 16]);
  closeTo(a.keypoints?.mouth, [48.724216, 24]);
  // Crop: centre between eye midpoint (48.724, 16) and mouth (48.724, 24) = (48.724, 20), side 16*1.5 = 24;
  // the refined box is the middle half of it.
  closeTo(a.box, [42.724216, 14, 54.724216, 26]);
  expect(a.label).toBe('no_mask');
  expect(a.score).toBeCloseTo(0.880797 * 0.8, 5);
  expect(a.scores.mask).toBeCloseTo(0.880797 * (26 / 255), 5);
  expect(a.scores.incorrect).toBeCloseTo(0, 6);
  expect(a.faceScore).toBeCloseTo(0.880797, 5);

  // Face 2: eyes (12,16) (20,16), mouth (16,24): crop centre (16, 20), side 24.
  closeTo(b.keypoints?.right_eye, [12, 16]);
  closeTo(b.box, [10, 14, 22, 26]);
  expect(b.label).toBe('mask');
  expect(b.score).toBeCloseTo(0.731059 * 0.6, 5);
  expect(b.scores.no_mask).toBeCloseTo(0.731059 * 0.2, 5);
});

test('score "classifier": label scores are the classifier probabilities, face score is 1 - P(not_face)', async () => {
  const faces = await detect(twoStageFolder({ score: 'classifier' }), halves([153, 51, 0], [26, 204, 0]));
  expect(faces.map((f) => [f.label, +f.score.toFixed(5), +f.faceScore.toFixed(5)])).toEqual([
    ['no_mask', 0.8, 1],
    ['mask', 0.6, 1],
  ]);
});

test('not_face: the gate drops faces the classifier rejects; sweep mode keeps them with a low face score', async () => {
  const blue = halves([0, 0, 230], [0, 0, 230]); // not_face 230/255 = 0.901961
  expect(await detect(twoStageFolder(), blue)).toEqual([]);
  const swept = await detect(twoStageFolder(), blue, [], true);
  expect(swept.map((f) => +f.faceScore.toFixed(5))).toEqual([+(0.880797 * (1 - 230 / 255)).toFixed(5), +(0.731059 * (1 - 230 / 255)).toFixed(5)]);
  expect(swept.every((f) => f.score === 0)).toBe(true);
});

describe('score "calibrated"', () => {
  const score = { type: 'calibrated', detector: 1, classifier: 0.5, bias: -0.2 } as const;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const logit = (p: number) => Math.log(p / (1 - p));

  it('face confidence = sigmoid(a logit(face score) + b logit(1 - p(not_face)) + c); labels share it by p(label | face)', async () => {
    // Face 1 (face score sigmoid(2)) sits on the right half: mask 26/255, no_mask 153/255, not_face 76/255.
    const faces = await detect(twoStageFolder({ score }), halves([102, 51, 102], [26, 153, 76]));
    const a = faces.find((f) => f.label === 'no_mask')!;
    const face = sigmoid(2 + 0.5 * logit(1 - 76 / 255) - 0.2);
    expect(a.faceScore).toBeCloseTo(face, 5);
    expect(a.score).toBeCloseTo((face * (153 / 255)) / (1 - 76 / 255), 5);
    expect(a.scores.mask).toBeCloseTo((face * (26 / 255)) / (1 - 76 / 255), 5);
  });

  it('keeps a face the classifier calls not_face when the detector is sure enough: the operating score decides', async () => {
    const blue = halves([0, 0, 230], [0, 0, 230]);
    const faces = await detect(twoStageFolder({ score }), blue);
    expect(faces.map((f) => +f.faceScore.toFixed(5))).toEqual([sigmoid(2 + 0.5 * logit(1 - 230 / 255) - 0.2), sigmoid(1 + 0.5 * logit(1 - 230 / 255) - 0.2)].map((v) => +v.toFixed(5)));
  });

  it('is refused without a not_face label', () => {
    const r = ManifestSchema.safeParse({ ...JSON.parse(readFileSync(path.join(twoStageFolder({ score }), 'model.json'), 'utf8')), labels: ['mask', 'no_mask'] });
    expect(r.success).toBe(false);
  });
});

test("without detector.minScore the model's operating point (thresholds.score) applies; the config overrides it", async () => {
  const frame = halves([153, 51, 0], [26, 204, 0]);
  // Label scores: no_mask 0.880797 * 0.8 = 0.70, mask 0.731059 * 0.6 = 0.44.
  expect((await detect(twoStageFolder({ operatingScore: 0.5 }), frame, [], false, null)).map((f) => f.label)).toEqual(['no_mask']);
  expect((await detect(twoStageFolder({ operatingScore: 0.5 }), frame, [], false, 0.4)).map((f) => f.label)).toEqual(['no_mask', 'mask']);
  expect(await detect(twoStageFolder({ operatingScore: 0.9 }), frame, [], false, null)).toEqual([]);
});

test('at the operating point a face read mask needs its label score; a face read otherwise is kept on its face confidence, marked unsure', async () => {
  // Right face (0.880797) reads mask 0.6: label 0.53, face 0.88. Left face (0.731059) reads no_mask 0.8: label 0.58, face 0.73.
  const faces = await detect(twoStageFolder({ operatingScore: 0.7 }), halves([26, 204, 0], [153, 51, 0]), [], false, null);
  expect(faces.map((f) => [f.label, +f.score.toFixed(2), +f.faceScore.toFixed(2), f.unsure])).toEqual([['no_mask', 0.58, 0.73, true]]);
  // Over the operating point a face is sure.
  expect((await detect(twoStageFolder({ operatingScore: 0.5 }), halves([26, 204, 0], [153, 51, 0]), [], false, null)).map((f) => [f.label, f.unsure])).toEqual([
    ['mask', undefined],
    ['no_mask', undefined],
  ]);
});

test('a classifier with a fixed batch of 1 is called once per face', async () => {
  const runs: { input: string; dims: number[] }[] = [];
  const faces = await detect(twoStageFolder({ classifierBatch: 1 }), halves([153, 51, 0], [26, 204, 0]), runs);
  expect(runs.filter((r) => r.input === 'crop')).toEqual([
    { input: 'crop', dims: [1, 3, 8, 8] },
    { input: 'crop', dims: [1, 3, 8, 8] },
  ]);
  expect(faces.map((f) => f.label)).toEqual(['no_mask', 'mask']);
});

test("a fixed batch's unused slots are zero, also when the reused input buffer held an earlier call's crops", async () => {
  const feeds: { dims: number[]; data: Float32Array }[] = [];
  const d = createDetector({
    config: { model: twoStageFolder({ classifierBatch: 3, flip: 'all' }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' }, minScore: 0 },
    log: memoryLogger(),
    sessions: wrappedFactory((_, f, run) => {
      if (f.crop) feeds.push({ dims: f.crop.dims, data: Float32Array.from(f.crop.data) });
      return run(f);
    }),
  });
  await d.start();
  try {
    const frame = halves([153, 51, 0], [26, 204, 0]);
    feeds.length = 0;
    const first = await d.detect(frame);
    const second = await d.detect(frame);
    // Two faces and their mirror images, 4 rows, in calls of 3: per frame a full call, then 1 row and 2 empty slots.
    expect(feeds.map((f) => f.dims[0])).toEqual([3, 3, 3, 3]);
    const slot = feeds[0]!.data.length / 3;
    for (const f of feeds) expect(f.data.subarray(0, slot).some((v) => v !== 0)).toBe(true);
    for (const f of [feeds[1]!, feeds[3]!]) expect(f.data.subarray(slot).every((v) => v === 0)).toBe(true);
    expect(second).toEqual(first);
  } finally {
    await d.stop();
  }
});

describe('test-time flip by the runtime', () => {
  // An asymmetric refined box, [0.1, 0.2, 0.5, 0.9] of the crop: its mirror image reads [0.5, 0.2, 0.9, 0.9],
  // the average of both [0.3, 0.2, 0.7, 0.9]. Face 1's crop spans x 36.724..60.724, y 8..32 (side 24).
  const box: [number, number, number, number] = [0.1, 0.2, 0.5, 0.9];
  const frame = halves([153, 51, 0], [26, 204, 0]);
  const inFrame = (x0: number, y0: number, fx: number[]) => [x0 + 24 * fx[0]!, y0 + 24 * fx[1]!, x0 + 24 * fx[2]!, y0 + 24 * fx[3]!];

  it('"all": every crop also runs mirrored in the same batch; outputs averaged, mirrored boxes taken back', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ box, flip: 'all' }), frame, runs);
    expect(runs).toEqual([
      { input: 'image', dims: [1, 16, 16, 3] },
      { input: 'crop', dims: [4, 3, 8, 8] },
    ]);
    closeTo(faces[0]!.box, inFrame(36.724216, 8, [0.3, 0.2, 0.7, 0.9]));
    closeTo(faces[1]!.box, inFrame(4, 8, [0.3, 0.2, 0.7, 0.9]));
    // Scores of a mirror-symmetric network are unchanged by the averaging.
    expect(faces[0]!.score).toBeCloseTo(0.880797 * 0.8, 5);
    expect(faces[1]!.scores.no_mask).toBeCloseTo(0.731059 * 0.2, 5);
  });

  it('"none" (the default) runs each crop once', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ box }), frame, runs);
    expect(runs.filter((r) => r.input === 'crop')).toEqual([{ input: 'crop', dims: [2, 3, 8, 8] }]);
    closeTo(faces[0]!.box, inFrame(36.724216, 8, box));
  });

  it('"confident": faint faces (below the face minScore) run once, confident ones twice', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    // Face 1 scores 0.88 (confident at 0.8); face 2 scores 0.73, kept as a faint face.
    const faces = await detect(twoStageFolder({ box, flip: 'confident', faceMin: 0.8, faint: { minScore: 0.3, max: 4 } }), frame, runs);
    expect(runs.filter((r) => r.input === 'crop')).toEqual([{ input: 'crop', dims: [3, 3, 8, 8] }]);
    expect(faces.map((f) => +f.faceScore.toFixed(4))).toEqual([0.8808, 0.7311]);
    // Anchor 4 (0.5) is faint now, so face 1 is anchor 3 alone: eyes centred at x 48, crop from x 36.
    closeTo(faces[0]!.box, inFrame(36, 8, [0.3, 0.2, 0.7, 0.9]));
    closeTo(faces[1]!.box, inFrame(4, 8, box));
  });

  it('with a fixed batch of 1, the mirrored crops are runs of their own, with the same result', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ box, flip: 'all', classifierBatch: 1 }), frame, runs);
    expect(runs.filter((r) => r.input === 'crop')).toHaveLength(4);
    closeTo(faces[0]!.box, inFrame(36.724216, 8, [0.3, 0.2, 0.7, 0.9]));
    closeTo(faces[1]!.box, inFrame(4, 8, [0.3, 0.2, 0.7, 0.9]));
  });
});

describe('a faint network (classifier.faint)', () => {
  // The faint network reads red as no_mask and green as mask: the classifier's reading swapped.
  const faintWeights = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
  const frame = halves([153, 51, 0], [26, 204, 0]);

  it('reads the faint faces (below the face minScore), after the classifier has read the confident ones', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    // Face 1 scores 0.88 (confident at 0.8) and runs with its mirror image; face 2 scores 0.73, a faint face.
    const faces = await detect(twoStageFolder({ faintWeights, flip: 'confident', faceMin: 0.8, faint: { minScore: 0.3, max: 4 } }), frame, runs);
    expect(runs.filter((r) => r.input === 'crop')).toEqual([
      { input: 'crop', dims: [2, 3, 8, 8] },
      { input: 'crop', dims: [1, 3, 8, 8] },
    ]);
    // Face 1 (right half, green) reads no_mask 0.8 as before; face 2 (left half, red) mask 0.2, no_mask 0.6.
    expect(faces.map((f) => [f.label, +f.score.toFixed(4)])).toEqual([
      ['no_mask', +(0.880797 * 0.8).toFixed(4)],
      ['no_mask', +(0.731059 * 0.6).toFixed(4)],
    ]);
    expect(faces[1]!.scores.mask).toBeCloseTo(0.731059 * 0.2, 5);
  });

  it("is not called when every face is confident; warm-up opens and runs it; it may share the classifier's thread", async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const log = memoryLogger();
    const recording = recordingFactory(runs);
    const threads: Record<string, string | undefined> = {};
    const d = createDetector({
      config: { model: twoStageFolder({ faintWeights }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' }, minScore: 0 },
      log,
      sessions: {
        create: (model, options) => {
          threads[options.logId] = options.thread;
          return recording.create(model, options);
        },
      },
    });
    await d.start();
    try {
      // The two classifier networks run one after the other: one thread may host both (threaded-sessions.ts).
      expect(threads).toEqual({ 'test-two-stage@0.0.1:face': undefined, 'test-two-stage@0.0.1:classifier': 'classifier', 'test-two-stage@0.0.1:faint-classifier': 'classifier' });
      // Warm-up: a blank frame through both stages (this face network finds its two faces in any frame,
      // both confident), then one blank crop through the classifier and one through the faint network.
      expect(runs.filter((r) => r.input === 'crop')).toEqual([
        { input: 'crop', dims: [2, 3, 8, 8] },
        { input: 'crop', dims: [1, 3, 8, 8] },
        { input: 'crop', dims: [1, 3, 8, 8] },
      ]);
      expect(log.lines.find((l) => l.includes('detector ready'))).toContain('"sessions":{"face":"cpu","classifier":"cpu","faint":"cpu"}');
      runs.length = 0;
      const faces = await d.detect(frame);
      expect(runs.filter((r) => r.input === 'crop')).toEqual([{ input: 'crop', dims: [2, 3, 8, 8] }]);
      expect(faces.map((f) => f.label)).toEqual(['no_mask', 'mask']);
    } finally {
      await d.stop();
    }
  });

  it("sends the faint network its rows before the classifier has answered (its crops are prepared meanwhile)", async () => {
    const events: string[] = [];
    let faintCalled!: () => void;
    const faintSeen = new Promise<void>((resolve) => (faintCalled = resolve));
    let live = false;
    const d = createDetector({
      config: { model: twoStageFolder({ faintWeights, flip: 'confident', faceMin: 0.8, faint: { minScore: 0.3, max: 4 } }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' }, minScore: 0 },
      log: memoryLogger(),
      sessions: wrappedFactory(async (role, feeds, run) => {
        if (!live || role === 'face') return run(feeds);
        events.push(`${role} called`);
        if (role === 'faint-classifier') faintCalled();
        // The classifier answers only once the faint network has its rows (or after 2 s, which fails below).
        else {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([faintSeen, new Promise((r) => (timer = setTimeout(r, 2000)))]);
          clearTimeout(timer);
        }
        const out = await run(feeds);
        events.push(`${role} answered`);
        return out;
      }),
    });
    await d.start();
    try {
      live = true;
      const faces = await d.detect(frame);
      // Either may answer first; the classifier's answer must come after the faint network was called.
      expect(events.slice(0, 2)).toEqual(['classifier called', 'faint-classifier called']);
      expect(events.slice(2).sort()).toEqual(['classifier answered', 'faint-classifier answered']);
      // The readings are those of the networks one after the other (the first test of this block).
      expect(faces[0]!.scores.no_mask).toBeCloseTo(0.880797 * 0.8, 5);
      expect(faces[1]!.scores.mask).toBeCloseTo(0.731059 * 0.2, 5);
      expect(faces[1]!.scores.no_mask).toBeCloseTo(0.731059 * 0.6, 5);
    } finally {
      await d.stop();
    }
  });

  it('with faint.mirror, reads the mirror images of the confident faces too, averaged with the classifier on the plain crop', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ faintWeights, faintMirror: true, flip: 'confident', faceMin: 0.8, faint: { minScore: 0.3, max: 4 } }), frame, runs);
    // The classifier reads face 1's plain crop; then the faint network face 1's mirror image and face 2.
    expect(runs.filter((r) => r.input === 'crop')).toEqual([
      { input: 'crop', dims: [1, 3, 8, 8] },
      { input: 'crop', dims: [2, 3, 8, 8] },
    ]);
    // Face 1 (all green): the classifier reads mask 0.101961, no_mask 0.8; the faint network the reverse.
    const half = (0.101961 + 0.8) / 2;
    expect(faces[0]!.scores.mask).toBeCloseTo(0.880797 * half, 5);
    expect(faces[0]!.scores.no_mask).toBeCloseTo(0.880797 * half, 5);
    // Face 2, faint, as without mirror: mask 0.2, no_mask 0.6.
    expect(faces[1]!.scores.mask).toBeCloseTo(0.731059 * 0.2, 5);
    expect(faces[1]!.scores.no_mask).toBeCloseTo(0.731059 * 0.6, 5);
  });

  it('readByFaint: every row of a faint face, and with faint.mirror the mirror images of the others; nothing without a faint network', () => {
    const plain = { file: 'f.onnx', mirror: false };
    const mirror = { file: 'f.onnx', mirror: true };
    expect([readByFaint(plain, 0.2, 0.3, false), readByFaint(plain, 0.2, 0.3, true), readByFaint(plain, 0.3, 0.3, false), readByFaint(plain, 0.3, 0.3, true)]).toEqual([true, true, false, false]);
    expect([readByFaint(mirror, 0.3, 0.3, false), readByFaint(mirror, 0.3, 0.3, true)]).toEqual([false, true]);
    expect([readByFaint(undefined, 0.2, 0.3, false), readByFaint(undefined, 0.9, 0.3, true)]).toEqual([false, false]);
  });

  it('faint.mirror needs a flip: with flip "none" the manifest is refused, naming the field', () => {
    const m = JSON.parse(readFileSync(path.join(twoStageFolder({ faintWeights, faintMirror: true }), 'model.json'), 'utf8'));
    const r = ManifestSchema.safeParse(m);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toContain('decoder.classifier.faint.mirror: expected classifier.flip "all" or "confident" (mirror images to read), got "none"');
  });

  it('is checked as the classifier is, at load: a faint network with other outputs is refused, naming its file', async () => {
    const d = createDetector({
      config: { model: twoStageFolder({ faintWeights: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' } },
      log: memoryLogger(),
    });
    await expect(d.start()).rejects.toThrow('decoder.classifier.outputs.scores (classifier-faint.onnx, decoder.classifier.faint)');
  });

  it('must be one of the files', () => {
    const m = JSON.parse(readFileSync(path.join(twoStageFolder({ faintWeights }), 'model.json'), 'utf8'));
    m.decoder.classifier.faint.file = 'other.onnx';
    const r = ManifestSchema.safeParse(m);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('expected one of files[].path');
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('decoder.classifier.faint.file');
  });
});

describe('a lower-face crop (classifier.lower)', () => {
  // The left face's box is [8, 8, 24, 24] (no nose keypoint here, so its lower crop is centred at 70% of
  // the box's height, y 19.2, side 8: y 15.2-23.2). Left half: a green band at y 16-22, red elsewhere, so
  // the lower crop is mostly green and the face crop (y 8-32) mostly red. Right half grey.
  const frame = (): RgbFrame => {
    const data = new Uint8Array(64 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) data.set(x >= 32 ? [128, 128, 128] : y >= 16 && y < 23 ? [26, 204, 0] : [230, 0, 0], (y * 64 + x) * 3);
    return { data, width: 64, height: 32 };
  };
  const faceOnly = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  const lowerOnly = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]];
  const leftFace = (faces: Detection[]) => faces.find((f) => f.box[0] < 32)!;

  it('sends each face as a (face crop, lower crop) pair and reads one output row per face', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ lower: { scale: 0.5, centre: 1, weights: faceOnly } }), frame(), runs);
    expect(runs).toEqual([
      { input: 'image', dims: [1, 16, 16, 3] },
      { input: 'crop', dims: [4, 3, 8, 8] },
    ]);
    expect(faces).toHaveLength(2);
    // The whole face crop is more red than green.
    expect(leftFace(faces).label).toBe('mask');
  });

  it('the second row of a pair is the lower face: a classifier reading only it sees the green chin', async () => {
    const faces = await detect(twoStageFolder({ lower: { scale: 0.5, centre: 1, weights: lowerOnly } }), frame());
    expect(leftFace(faces).label).toBe('no_mask');
  });

  it('mirrors both crops of a pair, and a fixed batch of 2 rows takes one pair per call', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ lower: { scale: 0.5, centre: 1, weights: lowerOnly }, flip: 'all', classifierBatch: 2 }), frame(), runs);
    expect(runs.filter((r) => r.input === 'crop').map((r) => r.dims)).toEqual([[2, 3, 8, 8], [2, 3, 8, 8], [2, 3, 8, 8], [2, 3, 8, 8]]);
    expect(leftFace(faces).label).toBe('no_mask');
  });

  // onnxruntime already refuses such a graph (its pair Reshape cannot split 3 rows); the runtime's own
  // check catches a network that declares an odd batch without one.
  it('refuses a paired classifier whose fixed batch is odd, at load', async () => {
    const d = createDetector({
      config: { model: twoStageFolder({ lower: { scale: 0.5, centre: 1, weights: lowerOnly }, classifierBatch: 3 }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' } },
      log: memoryLogger(),
    });
    await expect(d.start()).rejects.toThrow(/classifier.*(Reshape|fixed batch that is a multiple of 2)/);
  });
});

describe('a nose crop (classifier.nose)', () => {
  // The left face's box is [8, 8, 24, 24] with no nose keypoint: its nose crop (scale 0.25, centre 0) sits
  // at 55% of the box's height, y 16.8, side 4 (y 14.8-18.8); its lower crop (0.5, 1) at y 15.2-23.2. Left
  // half: a blue band at y 15-19 (the nose), green at y 19-23 (the chin), red elsewhere. Right half grey.
  const frame = (): RgbFrame => {
    const data = new Uint8Array(64 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) data.set(x >= 32 ? [128, 128, 128] : y >= 15 && y < 19 ? [0, 0, 230] : y >= 19 && y < 23 ? [0, 230, 0] : [230, 0, 0], (y * 64 + x) * 3);
    return { data, width: 64, height: 32 };
  };
  const zero = [0, 0, 0, 0];
  /** Reads one row of the group: mask = its red, no_mask = its blue, not_face = its green. */
  const reading = (row: number, group: number) => Array.from({ length: 3 * group }, (_, i) => (i === 3 * row ? [1, 0, 0, 0] : i === 3 * row + 2 ? [0, 1, 0, 0] : i === 3 * row + 1 ? [0, 0, 0, 1] : zero));
  const leftFace = (faces: Detection[]) => faces.find((f) => f.box[0] < 32)!;
  const nose = { scale: 0.25, centre: 0 };
  const lower = { scale: 0.5, centre: 1 };
  // An asymmetric refined box: a mirrored row that were not taken back would move the averaged box.
  const box: [number, number, number, number] = [0.1, 0.2, 0.5, 0.9];

  it('sends each face as a (face crop, lower crop, nose crop) group and reads one output row per face', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ lower: { ...lower, weights: [] }, nose: { ...nose, weights: reading(0, 3) } }), frame(), runs);
    expect(runs).toEqual([
      { input: 'image', dims: [1, 16, 16, 3] },
      { input: 'crop', dims: [6, 3, 8, 8] },
    ]);
    expect(faces).toHaveLength(2);
    expect(leftFace(faces).label).toBe('mask');
  });

  it('the last row of a group is the nose: a classifier reading only it sees the blue band', async () => {
    const faces = await detect(twoStageFolder({ lower: { ...lower, weights: [] }, nose: { ...nose, weights: reading(2, 3) } }), frame());
    expect(leftFace(faces).label).toBe('no_mask');
  });

  it('without a lower crop the nose crop is the second row; flipped faces mirror every row; a fixed batch takes whole groups', async () => {
    const runs: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder({ nose: { ...nose, weights: reading(1, 2) }, flip: 'all', classifierBatch: 4 }), frame(), runs);
    expect(runs.filter((r) => r.input === 'crop').map((r) => r.dims)).toEqual([[4, 3, 8, 8], [4, 3, 8, 8]]);
    expect(leftFace(faces).label).toBe('no_mask');
  });

  it(`splits a frame's rows into calls of at most ${CLASSIFIER_ROWS_PER_RUN} rows, whole groups with each face's mirror image beside it; the readings are the one-call readings`, async () => {
    const opts = { lower: { ...lower, weights: [] }, nose: { ...nose, weights: reading(2, 3) }, flip: 'all' as const, box };
    const split: { input: string; dims: number[] }[] = [];
    const faces = await detect(twoStageFolder(opts), frame(), split);
    // 2 faces x 2 (mirrored) x 3 rows = 12 rows.
    const calls = split.filter((r) => r.input === 'crop').map((r) => r.dims[0]!);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(12);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((n) => n <= CLASSIFIER_ROWS_PER_RUN && n % 3 === 0)).toBe(true);
    // A network with a fixed batch of 12 takes all of them in one call.
    const whole: { input: string; dims: number[] }[] = [];
    const once = await detect(twoStageFolder({ ...opts, classifierBatch: 12 }), frame(), whole);
    expect(whole.filter((r) => r.input === 'crop').map((r) => r.dims[0])).toEqual([12]);
    expect(faces).toHaveLength(2);
    faces.forEach((f, i) => {
      expect(f.label).toBe(once[i]!.label);
      closeTo(Object.values(f.scores), Object.values(once[i]!.scores));
      closeTo(f.box, once[i]!.box);
    });
  });

  it('refuses a classifier whose fixed batch is not a multiple of the group, at load', async () => {
    const d = createDetector({
      config: { model: twoStageFolder({ lower: { ...lower, weights: [] }, nose: { ...nose, weights: reading(2, 3) }, classifierBatch: 4 }), providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' } },
      log: memoryLogger(),
    });
    await expect(d.start()).rejects.toThrow(/classifier.*(Reshape|fixed batch that is a multiple of 3)/);
  });
});
