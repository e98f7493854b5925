import { z } from 'zod';
import { describeValue, pathToString, problemsFromZod } from '../config/errors';
import { keysAt } from '../config/schema-walk';
import { MASK_LABELS } from './types';

/**
 * The model manifest, `models/<name>/model.json`. models/README.md documents every field; this schema is
 * the authority. Every object is strict, so a misspelt key is an error rather than a silent default.
 */

const Fraction = z.number().min(0).max(1);
const PositiveInt = z.number().int().min(1);
const Label = z.enum(MASK_LABELS);
const ClassifierLabel = z.enum([...MASK_LABELS, 'not_face']);

/** A path inside the model folder: relative, no `..`, forward slashes. */
const RelativePath = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\\]+$/, 'expected a relative path inside the model folder');

const FileEntry = z.strictObject({
  path: RelativePath,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  /** Size in bytes; optional, checked when present. */
  bytes: z.number().int().min(0).optional(),
});

const Rgb = z.tuple([z.number(), z.number(), z.number()]);

/** How a frame becomes the network input. Values are (pixel - mean) / std with pixels in 0..255. */
export const InputSpec = z.strictObject({
  name: z.string().min(1),
  width: z.number().int().min(1).max(8192),
  height: z.number().int().min(1).max(8192),
  layout: z.enum(['NCHW', 'NHWC']),
  colour: z.enum(['RGB', 'BGR']),
  normalize: z.strictObject({ mean: Rgb, std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]) }),
  /** `stretch` fills the input (TAO, DeepStream default); `letterbox` keeps the aspect ratio and pads with pixel 0. */
  resize: z.enum(['stretch', 'letterbox']).default('stretch'),
});
export type InputSpec = z.output<typeof InputSpec>;

/** Per-class DetectNet_v2 post-processing, named as in TAO's clustering config. */
const DetectNetClass = z.strictObject({
  /** Grid cells with coverage above this become candidates. */
  coverageThreshold: Fraction.default(0.005),
  /** DBSCAN radius on the distance 1 - IoU. */
  eps: z.number().gt(0).max(1),
  /** DBSCAN core condition: a coverage sum, not a count. */
  minSamples: z.number().min(0).default(0.05),
  /** A cluster is kept when its confidence (summed coverage; the cell's coverage under NMS) exceeds this. */
  confidence: z.number().min(0),
  /** A cluster is kept when its height in frame pixels exceeds this. */
  minHeight: z.number().min(0).default(20),
});
export type DetectNetClass = z.output<typeof DetectNetClass>;

const DetectNetDecoder = z.strictObject({
  type: z.literal('detectnet_v2'),
  /** The ONNX file, one of `files[].path`. */
  file: RelativePath,
  input: InputSpec,
  outputs: z
    .strictObject({
      coverage: z.string().min(1).default('output_cov/Sigmoid'),
      bbox: z.string().min(1).default('output_bbox/BiasAdd'),
    })
    .prefault({}),
  bboxNorm: z.number().positive().default(35),
  offset: z.number().default(0.5),
  stride: PositiveInt.default(16),
  clustering: z.enum(['dbscan', 'nms']).default('dbscan'),
  /** IoU above which NMS suppresses a cell. */
  nmsIou: Fraction.default(0.5),
  /** Keyed by label; every entry of `labels` needs one. */
  classes: z.record(z.string(), DetectNetClass),
});
export type DetectNetDecoder = z.output<typeof DetectNetDecoder>;

const FaceOutputs = z.strictObject({ boxes: z.string().min(1), scores: z.string().min(1) });

/**
 * Faint faces: below minScore, candidates down to `minScore` here that overlap no confident face are
 * merged the same way, and the `max` highest of them are classified too. A face detector scores some
 * real faces low (masked and turned ones most); the classifier and a calibrated score decide, at a
 * bounded cost per frame. With this set, detect/eval sweep the same candidates the gate classifies.
 */
const FaintFaces = z.strictObject({
  minScore: Fraction,
  max: z.number().int().min(0).max(64),
});
export type FaintFaces = z.output<typeof FaintFaces>;

/** MediaPipe BlazeFace: SSD anchors, box + keypoint regressors, sigmoid scores, weighted NMS. */
const BlazeFaceDecoder = z.strictObject({
  type: z.literal('blazeface'),
  outputs: FaceOutputs,
  anchors: z
    .strictObject({
      /** One stride per SSD layer; consecutive equal strides share one grid (MediaPipe's rule). */
      strides: z.array(PositiveInt).min(1),
      /** Anchors per layer per cell (aspect ratio 1 + the interpolated scale = 2 for BlazeFace). */
      perLayer: PositiveInt.default(2),
      offset: z.number().default(0.5),
    }),
  /** Keypoint names in output order: BlazeFace has right_eye, left_eye, nose, mouth, right_ear, left_ear. */
  keypoints: z.array(z.string().min(1)).default([]),
  scoreClip: z.number().positive().default(100),
  minScore: Fraction.default(0.5),
  nms: z.enum(['weighted', 'hard']).default('weighted'),
  nmsIou: Fraction.default(0.3),
  maxFaces: PositiveInt.default(64),
  faint: FaintFaces.optional(),
});

/** A detector that already emits boxes and scores (NMS still applied). */
const BoxesDecoder = z.strictObject({
  type: z.literal('boxes'),
  outputs: FaceOutputs,
  boxFormat: z.enum(['xyxy', 'yxyx', 'cxcywh']).default('xyxy'),
  /** true: coordinates are fractions of the network input; false: network input pixels. */
  normalized: z.boolean().default(true),
  minScore: Fraction.default(0.5),
  nmsIou: Fraction.default(0.45),
  maxFaces: PositiveInt.default(64),
  faint: FaintFaces.optional(),
});

export const FaceDecoder = z.discriminatedUnion('type', [BlazeFaceDecoder, BoxesDecoder]);
export type FaceDecoder = z.output<typeof FaceDecoder>;
export type BlazeFaceDecoder = z.output<typeof BlazeFaceDecoder>;
export type BoxesDecoder = z.output<typeof BoxesDecoder>;

const Classifier = z.strictObject({
  file: RelativePath,
  input: InputSpec,
  outputs: z.strictObject({
    /** [batch, labels.length] */
    scores: z.string().min(1),
    /** Optional [batch, 4]: the refined face box as x1, y1, x2, y2 fractions of the crop. */
    box: z.string().min(1).optional(),
  }),
  activation: z.enum(['softmax', 'sigmoid', 'none']),
  labels: z.array(ClassifierLabel).min(1),
  crop: z
    .strictObject({
      /** Crop side = max(face width, face height) * expand. */
      expand: z.number().min(1).max(4).default(1.4),
      /** `eyes` rotates each crop so the eye line is level (needs eye keypoints). */
      align: z.enum(['none', 'eyes']).default('none'),
      /** Centre the crop between the eyes and the mouth when the face detector gives them. */
      keypointCentre: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * A second crop of the lower face, where a mask's top edge meets the nose: square, `scale` x max(face
   * width, height), centred on the nose-to-mouth line at `centre` (0 the nose tip, 1 the mouth; without
   * keypoints, at 70% of the box's height). The network then takes rows in pairs, face crop then lower
   * crop, both in `input`'s shape, and gives one output row per pair.
   */
  lower: z.strictObject({ scale: z.number().min(0.2).max(2), centre: z.number().min(-1).max(2) }).optional(),
  /**
   * A crop of the nose alone, placed as `lower` is (the same fields): the network reads from it whether
   * the nose is covered. Rows then come in groups per face: face crop, lower crop (if any), nose crop.
   */
  nose: z.strictObject({ scale: z.number().min(0.1).max(2), centre: z.number().min(-1).max(2) }).optional(),
  /** At most this many faces (the most confident) are classified per frame. */
  maxFaces: PositiveInt.max(256).default(32),
  /**
   * Test-time flip done by the runtime: a crop also runs mirrored, and the raw outputs (and the
   * un-mirrored boxes) are averaged. `confident`: only faces the face detector scores at or above its
   * minScore, so faint faces cost one crop each. `none` for a network that flips inside itself or not at all.
   */
  flip: z.enum(['none', 'all', 'confident']).default('none'),
  /**
   * A lighter network for the faint candidates (face score under decoder.face.decoder.minScore, see
   * decoder.face.decoder.faint): the same input, outputs, labels and rows per face as `file`, read as `file`
   * is. Most faint candidates are background, and every frame has up to faint.max of them: a cheaper
   * network there keeps the expensive one for the faces the gate decides on. Absent: `file` reads all.
   * `mirror`: the mirror images of the flip (`flip`) are read by this network too, and averaged with
   * `file`'s reading of the plain crop: half the expensive network's rows for a confident face.
   */
  faint: z.strictObject({ file: RelativePath, mirror: z.boolean().default(false) }).optional(),
  /**
   * After box refinement, a face overlapping a more face-like one (1 - not_face, times the face score
   * under `product`) by IoU above this is dropped. Off when absent.
   */
  nmsIou: Fraction.optional(),
});
export type ClassifierSpec = z.output<typeof Classifier>;

/** Whether a face's crop also runs mirrored under `classifier.flip` (faceMinScore: the face decoder's minScore). */
export function flipsCrop(flip: ClassifierSpec['flip'], faceScore: number, faceMinScore: number): boolean {
  return flip === 'all' || (flip === 'confident' && faceScore >= faceMinScore);
}

/**
 * Whether a row of a face is read by the faint network (`classifier.faint`): every row of a faint face (face
 * score under faceMinScore), and with `faint.mirror` the mirror images of the others. Else the classifier.
 */
export function readByFaint(faint: ClassifierSpec['faint'], faceScore: number, faceMinScore: number, mirrored: boolean): boolean {
  return faint !== undefined && (faceScore < faceMinScore || (mirrored && faint.mirror));
}

/**
 * Runs the face detector on overlapping tiles of the frame (and the whole frame), so faces far smaller
 * than the native input still cover enough of it. A grid of g x g tiles, each 1 / (g - (g-1)*overlap)
 * of the frame per axis; detections of all runs are merged by the face decoder's NMS.
 */
const FaceTiles = z.strictObject({
  grid: PositiveInt.max(4),
  /** Fraction of a tile shared with its neighbour, per axis. */
  overlap: z.number().min(0).max(0.75).default(0.25),
  /** Also run on the whole frame (finds the faces that tiles cut). */
  wholeFrame: z.boolean().default(true),
});
export type FaceTiles = z.output<typeof FaceTiles>;

/**
 * Face confidence = sigmoid(detector * logit(face score) + classifier * logit(1 - p(not_face)) + bias),
 * a logistic regression fitted by training on held-out predictions; label score = face confidence *
 * p(label) / (1 - p(not_face)). Neither stage alone ranks faces well: BlazeFace scores many real faces
 * low, and the classifier alone lets through stray boxes it has not seen.
 */
const ScoreCalibration = z.strictObject({
  type: z.literal('calibrated'),
  detector: z.number().finite(),
  classifier: z.number().finite(),
  bias: z.number().finite(),
});
export type ScoreCalibration = z.output<typeof ScoreCalibration>;

const TwoStageDecoder = z.strictObject({
  type: z.literal('two_stage'),
  face: z.strictObject({ file: RelativePath, input: InputSpec, decoder: FaceDecoder, tiles: FaceTiles.optional() }),
  classifier: Classifier,
  /**
   * `product`: label score = face score * classifier probability.
   * `classifier`: label score = classifier probability (the classifier has a not_face label and owns face-ness).
   * `calibrated`: a learnt face confidence times the label's probability given a face (see ScoreCalibration).
   */
  score: z.union([z.enum(['product', 'classifier']), ScoreCalibration]).default('product'),
});
export type TwoStageDecoder = z.output<typeof TwoStageDecoder>;

const Metric = z.strictObject({
  dataset: z.string().min(1),
  split: z.string().optional(),
  images: z.number().int().min(0).optional(),
  map2: Fraction.optional(),
  map3: Fraction.optional(),
  ap: z.partialRecord(Label, Fraction).optional(),
  faceAp: Fraction.optional(),
  faceRecall: Fraction.optional(),
  msPerFrame: z.number().positive().optional(),
  device: z.string().optional(),
  provider: z.string().optional(),
  measuredAt: z.string().optional(),
  command: z.string().optional(),
  notes: z.string().optional(),
  /** What goes wrong at a door (`mask-gate eval`'s door table): rates over the faces found, null where none. */
  door: z
    .strictObject({
      /** Unmasked or incorrect-mask faces called `mask`. */
      failOpen: Fraction.nullable(),
      unmaskedAsMask: Fraction.nullable(),
      incorrectAsMask: Fraction.nullable(),
      maskedAsUnmasked: Fraction.nullable(),
      byHeight: z.array(
        z.strictObject({
          minPx: z.number().min(0),
          maxPx: z.number().positive().nullable(),
          unmaskedAsMask: Fraction.nullable(),
          incorrectAsMask: Fraction.nullable(),
          maskedAsUnmasked: Fraction.nullable(),
        }),
      ),
    })
    .optional(),
});

export const ManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"'),
    version: z.string().min(1),
    description: z.string().default(''),
    /** Labels the model reports. For detectnet_v2 this is also the output channel order. */
    labels: z.array(Label).min(1),
    files: z.array(FileEntry).min(1),
    decoder: z.discriminatedUnion('type', [DetectNetDecoder, TwoStageDecoder]),
    thresholds: z
      .strictObject({
        /** detect/eval keep every score down to this, so precision-recall curves are complete. */
        floor: Fraction.default(0.01),
        /**
         * The gate's operating point on this model's label scores (detector.minScore overrides it): a
         * weaker detection is no person to the gate. Chosen on the validation split (see the model card).
         */
        score: Fraction.default(0.5),
        /** The gate ignores faces smaller than this (frame pixels, height). */
        minFaceHeight: z.number().min(0).default(0),
      })
      .prefault({}),
    licence: z.strictObject({
      /** SPDX identifier of the weights' licence, e.g. Apache-2.0, or LicenseRef-... */
      spdx: z.string().min(1),
      holder: z.string().optional(),
      /** A licence text shipped in the folder (listed in files). */
      file: RelativePath.optional(),
      notes: z.string().optional(),
    }),
    provenance: z.strictObject({
      /** Where the weights come from: a package@version, a URL, or a training run. */
      source: z.string().min(1),
      trainedOn: z.string().optional(),
      trainedWith: z.string().optional(),
      exportedWith: z.string().optional(),
      date: z.string().optional(),
      notes: z.string().optional(),
    }),
    metrics: z.array(Metric).default([]),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const dup = (list: string[]) => list.find((v, i) => list.indexOf(v) !== i);
    const d = dup(m.labels);
    if (d) issue(['labels'], `expected unique labels, got "${d}" twice`);
    const paths = m.files.map((f) => f.path);
    const dp = dup(paths);
    if (dp) issue(['files'], `expected unique paths, got "${dp}" twice`);
    const listed = (path: (string | number)[], file: string | undefined) => {
      if (file !== undefined && !paths.includes(file)) issue(path, `expected one of files[].path (${paths.join(', ')}), got "${file}"`);
    };
    listed(['licence', 'file'], m.licence.file);

    const dec = m.decoder;
    if (dec.type === 'detectnet_v2') {
      listed(['decoder', 'file'], dec.file);
      for (const l of m.labels) if (!dec.classes[l]) issue(['decoder', 'classes', l], `expected clustering settings for label "${l}", got none`);
      for (const k of Object.keys(dec.classes)) {
        if (!(m.labels as string[]).includes(k)) issue(['decoder', 'classes', k], `expected a key from labels (${m.labels.join(', ')}), got "${k}"`);
      }
      if (dec.input.width % dec.stride || dec.input.height % dec.stride) {
        issue(['decoder', 'input'], `expected width and height divisible by stride ${dec.stride}, got ${dec.input.width}x${dec.input.height}`);
      }
    } else {
      listed(['decoder', 'face', 'file'], dec.face.file);
      const fd = dec.face.decoder;
      if (fd.faint && fd.faint.minScore >= fd.minScore) {
        issue(['decoder', 'face', 'decoder', 'faint', 'minScore'], `expected a score below decoder.face.decoder.minScore (${fd.minScore}), got ${fd.faint.minScore}`);
      }
      listed(['decoder', 'classifier', 'file'], dec.classifier.file);
      listed(['decoder', 'classifier', 'faint', 'file'], dec.classifier.faint?.file);
      if (dec.classifier.faint?.mirror && dec.classifier.flip === 'none') {
        issue(['decoder', 'classifier', 'faint', 'mirror'], `expected classifier.flip "all" or "confident" (mirror images to read), got "none"`);
      }
      const cl = dec.classifier.labels;
      const dc = dup(cl);
      if (dc) issue(['decoder', 'classifier', 'labels'], `expected unique labels, got "${dc}" twice`);
      const reported = cl.filter((l) => l !== 'not_face');
      if (reported.join(',') !== m.labels.join(',')) {
        issue(['labels'], `expected the classifier's labels without not_face ([${reported.join(', ')}]), got [${m.labels.join(', ')}]`);
      }
      if (dec.score !== 'product' && !cl.includes('not_face')) {
        const got = typeof dec.score === 'string' ? dec.score : dec.score.type;
        issue(['decoder', 'score'], `expected "product" when the classifier has no not_face label, got "${got}"`);
      }
      if (dec.classifier.crop.align === 'eyes' && dec.face.decoder.type === 'blazeface') {
        const kp = dec.face.decoder.keypoints;
        if (!kp.includes('left_eye') || !kp.includes('right_eye')) {
          issue(['decoder', 'classifier', 'crop', 'align'], `expected face keypoints left_eye and right_eye for "eyes", got [${kp.join(', ')}]`);
        }
      }
    }
  });

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;

/**
 * Validates parsed model.json; returns the manifest or one `path: expected X, got Y` line per problem,
 * worded as the config loader words its own.
 */
export function validateManifest(json: unknown): { ok: true; manifest: Manifest } | { ok: false; errors: string[] } {
  const r = ManifestSchema.safeParse(json, { reportInput: true });
  if (r.success) return { ok: true, manifest: r.data };
  return {
    ok: false,
    errors: r.error.issues.flatMap((issue) => {
      // A wrong decoder type: name the types there are (the generic union wording would not).
      const u = issue as { code: string; discriminator?: string; options?: unknown[]; input?: unknown };
      if (u.code === 'invalid_union' && u.discriminator && u.options) {
        const got = describeValue((u.input as Record<string, unknown> | undefined)?.[u.discriminator]);
        return [`${pathToString(issue.path)}: expected one of ${u.options.map((o) => JSON.stringify(o)).join(' | ')}, got ${got}`];
      }
      return problemsFromZod([issue], json, (path) => keysAt(ManifestSchema, path)).map((p) => `${p.path || '(root)'}: ${p.message}`);
    }),
  };
}
