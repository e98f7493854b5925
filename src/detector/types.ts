/**
 * Shapes shared by the detector runtime, the tracker and the tools. Boxes are [x1, y1, x2, y2] with
 * continuous coordinates (no +1 pixel convention), in the pixels of whatever image they refer to.
 */
export type Box = [number, number, number, number];

/** What a face-mask model can say about a face. */
export const MASK_LABELS = ['mask', 'no_mask', 'incorrect'] as const;
export type MaskLabel = (typeof MASK_LABELS)[number];

/** An RGB frame, 3 bytes per pixel, rows top to bottom, no padding. */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One face found in a frame, in frame pixels. */
export interface Detection {
  /** The face box; for per-class decoders, the box of the best label. */
  box: Box;
  /** The best-scoring label. */
  label: MaskLabel;
  /** Score of `label`, 0..1. */
  score: number;
  /**
   * Score per label the model gave this face, 0..1. A softmax classifier's sum to at most 1; per-class
   * detectors and sigmoid classifiers score labels independently, so theirs may sum past 1.
   */
  scores: Partial<Record<MaskLabel, number>>;
  /** Per-class decoders (DetectNet_v2) give each class its own box; eval scores each against ground truth. */
  labelBoxes?: Partial<Record<MaskLabel, Box>>;
  /** How sure the model is that this is a face at all, 0..1. */
  faceScore: number;
  /** Face keypoints from the face detector, in frame pixels, named by the manifest. */
  keypoints?: Record<string, [number, number]>;
  /**
   * The classifier's reading was carried over from an earlier frame (a settled face, reclassify.ts): the
   * box is this frame's, the label and scores are not a new observation.
   */
  carried?: boolean;
  /**
   * Under the operating point for its label, but counted as a person on its face confidence (it does not
   * read `mask`; detector.ts): the gate sees someone there, and takes no vote from the reading.
   */
  unsure?: boolean;
  /**
   * Read `mask`, but turned too far from the camera for that reading to count (config detector.maskMaxTurn,
   * face-turn.ts): always with `unsure`.
   */
  turned?: boolean;
}

/** What the gate tells the detector about a frame's faces, so that it can spare work (see two-stage-pipeline.ts). */
export interface DetectHints {
  /**
   * Boxes (the previous detections' boxes) of faces the gate has already opened for: their crops may be
   * classified only every few frames while they stay put (config detector.reclassify).
   */
  settled?: readonly Box[];
  /**
   * Called once the face network is done with this frame, before it is classified, with the number of face
   * candidates it found (0 when it failed): the moment for the next frame to go in (it then waits for no
   * one, so its latency is its own), and early word that the doorway is not empty.
   */
  onFound?(faces: number): void;
}

export interface DetectorInfo {
  /** Execution provider of the main session (null before start). */
  provider: string | null;
  /** Provider per session, e.g. { face: 'cpu', classifier: 'cpu' }. */
  sessions: Record<string, string>;
  threads: number;
  /** `name@version` from the manifest, or the configured model path before start. */
  model: string;
  ready: boolean;
}

/**
 * The runtime the gate talks to. Errors are `DetectorError`s; the supervisor maps them to
 * `{ type: 'FAULT', source: 'detector' }` (see `toFaultEvent`).
 */
export interface Detector {
  /** Loads and verifies the model, opens sessions, runs a warm-up inference. Idempotent. */
  start(): Promise<void>;
  /**
   * Faces in one frame. Calls may overlap: the detector runs the face network of a frame while the previous
   * one is classified; results come in call order. `hints` may let it skip work (DetectHints).
   */
  detect(frame: RgbFrame, hints?: DetectHints): Promise<Detection[]>;
  /** Releases the sessions. Idempotent; start() may be called again afterwards. */
  stop(): Promise<void>;
  info(): DetectorInfo;
}
