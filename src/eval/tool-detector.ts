import { problemsFromZod } from '../config/errors';
import { DetectorSection } from '../config/sections/detector';
import { createDetector } from '../detector/detector';
import { machineCores, threadBudgetProblem } from '../detector/thread-budget';
import { readImageRgb } from '../detector/image-io';
import type { Detection, Detector } from '../detector/types';
import type { Logger } from '../log';
import { toEntries, type DetectionEntry } from './detections-json';
import { imageKey } from './voc-dataset';

/** Every label a face scores at or above this is written, so precision-recall curves can be drawn. */
export const DETECTION_FLOOR = 0.01;

export interface ToolDetectorFlags {
  model: string;
  threads?: string | undefined;
  providers?: string | undefined;
}

/**
 * A detector for the command-line tools, configured from flags through the same schema as the gate
 * (so the same defaults and checks apply). `sweep` reports scores down to the floor. `cores`: the machine's
 * (tests inject it).
 */
export function toolDetector(flags: ToolDetectorFlags, log: Logger, sweep: boolean, cores: number = machineCores()): Detector {
  const input = {
    model: flags.model,
    // Digits become a number; anything else goes through as text, so the error shows what was typed.
    ...(flags.threads !== undefined ? { threads: /^\d+$/.test(flags.threads) ? Number(flags.threads) : flags.threads } : {}),
    ...(flags.providers !== undefined ? { providers: flags.providers.split(',').map((p) => p.trim()) } : {}),
  };
  const r = DetectorSection.safeParse(input);
  if (!r.success) {
    const p = problemsFromZod(r.error.issues, input)[0]!;
    throw new UsageError(`--${p.path}: ${p.message}`);
  }
  // The tools take one image at a time: nothing to overlap, and the threads' messages would only cost
  // (414 frames: 15.0 s on threads against 10.2 s on the calling thread). One session runs at a time, so
  // its pool may have every core.
  const threads = threadBudgetProblem({ threads: r.data.threads, sessionsAtOnce: 1, cores }, '--threads');
  if (threads) throw new UsageError(threads);
  return createDetector({ config: { ...r.data, overlap: false }, log, sweep });
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ImageResult {
  key: string;
  file: string;
  width: number;
  height: number;
  detections: Detection[];
  ms: number;
}

/** Runs the detector over image files, one at a time, reporting each as it finishes. */
export async function detectFiles(detector: Detector, files: readonly string[], onImage?: (r: ImageResult) => void): Promise<ImageResult[]> {
  const out: ImageResult[] = [];
  for (const file of files) {
    const frame = await readImageRgb(file);
    const t0 = performance.now();
    const detections = await detector.detect(frame);
    const r = { key: imageKey(file), file, width: frame.width, height: frame.height, detections, ms: performance.now() - t0 };
    onImage?.(r);
    out.push(r);
  }
  return out;
}

export function entriesOf(results: readonly ImageResult[]): DetectionEntry[] {
  return results.flatMap((r) => toEntries(r.key, r.detections, DETECTION_FLOOR));
}

/** Median and 90th percentile of per-image inference times, for the tools' summaries. */
export function timing(results: readonly ImageResult[]): { median: number; p90: number } {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! : 0);
  return { median: at(0.5), p90: at(0.9) };
}
