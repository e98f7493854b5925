import type { LoadedModel } from './model-loader';
import type { OpenedSession } from './session-open';
import type { Detection, RgbFrame } from './types';

/** One model type's path from frame to detections, over sessions the detector opened for it. */
export interface Pipeline {
  /** Provider per session role. */
  readonly sessions: Record<string, string>;
  run(frame: RgbFrame): Promise<Detection[]>;
  /** One inference on a blank frame through every session, checking every output's shape. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export interface PipelineContext {
  model: LoadedModel;
  /** Opens the ONNX file `file` of the manifest as session `role`, trying providers in turn. */
  open: (role: string, file: string) => Promise<OpenedSession>;
  /** detect/eval: keep scores down to this instead of the operating thresholds. */
  floor?: number;
}

export function greyFrame(width: number, height: number): RgbFrame {
  return { data: new Uint8Array(width * height * 3).fill(128), width, height };
}

/** Closes sessions opened so far when a later step of building a pipeline fails. */
export async function closeAll(sessions: (OpenedSession | undefined)[]): Promise<void> {
  await Promise.allSettled(sessions.map((s) => s?.session.close()));
}
