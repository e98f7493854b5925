import type { Detector } from '../detector/types';
import { detectFiles, type ImageResult } from '../eval/tool-detector';
import { Progress, type ProgressOut } from '../progress';

export interface DetectRun {
  results: ImageResult[];
  /** Images per second over the whole run: reading, decoding and detecting. */
  perSecond: number;
  seconds: number;
}

/**
 * The tools' detection pass: a progress bar while it runs when stderr is a terminal, nothing otherwise
 * (so piped and JSON output stay clean), and the throughput for the summary at the end.
 */
export async function detectWithProgress(label: string, detector: Detector, files: readonly string[], out: ProgressOut = process.stderr): Promise<DetectRun> {
  const bar = new Progress(label, files.length, { out, notTty: 'silent', unit: 'images' });
  let n = 0;
  const results = await detectFiles(detector, files, () => bar.tick(++n));
  bar.done();
  const seconds = bar.seconds;
  return { results, seconds, perSecond: seconds > 0 ? results.length / seconds : 0 };
}

/** "1600 images in 118.2 s, 13.5 images/s" */
export function throughput(run: DetectRun): string {
  return `${run.results.length} images in ${run.seconds.toFixed(1)} s, ${run.perSecond.toFixed(1)} images/s`;
}
