import type { LoadedModel } from './model-loader';
import type { ReclassifyConfig } from './reclassify';
import type { OpenedSession } from './session-open';
import type { DetectHints, Detection, RgbFrame } from './types';

/** The second stage of a frame: runs after the previous frame's second stage, with the hints at that time. */
export type FinishFrame = (hints: DetectHints) => Promise<Detection[]>;

/** What the first stage found: how many face candidates (before the classifier), and the second stage. */
export interface Found {
  faces: number;
  finish: FinishFrame;
}

/**
 * One model type's path from frame to detections, over sessions the detector opened for it, in two
 * stages: `find` (the face network) and the `FinishFrame` it returns in `Found` (the classifier). The detector runs
 * frame n+1's find while frame n finishes; each stage sees frames in order.
 */
export interface Pipeline {
  /** Provider per session role. */
  readonly sessions: Record<string, string>;
  find(frame: RgbFrame): Promise<Found>;
  /** One inference on a blank frame through every session, checking every output's shape. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export interface PipelineContext {
  model: LoadedModel;
  /**
   * Opens the ONNX file `file` of the manifest as session `role`, trying providers in turn. Sessions opened
   * with the same `thread` never run at the same moment and may share a thread (SessionOptions.thread).
   */
  open: (role: string, file: string, thread?: string) => Promise<OpenedSession>;
  /** detect/eval: keep scores down to this instead of the operating thresholds. */
  floor?: number;
  /** The gate: carry readings of settled faces over between classifier runs (absent: read every face every frame). */
  reclassify?: ReclassifyConfig;
  /** Network rows per classifier call at most, where the network takes any batch (default: the pipeline's own). */
  classifierRows?: number;
}

export function greyFrame(width: number, height: number): RgbFrame {
  return { data: new Uint8Array(width * height * 3).fill(128), width, height };
}

/** Both stages at once, no hints (warm-up, tools). */
export async function runWhole(p: Pick<Pipeline, 'find'>, frame: RgbFrame): Promise<Detection[]> {
  return (await p.find(frame)).finish({});
}

/** Closes sessions opened so far when a later step of building a pipeline fails. */
export async function closeAll(sessions: (OpenedSession | undefined)[]): Promise<void> {
  await Promise.allSettled(sessions.map((s) => s?.session.close()));
}
