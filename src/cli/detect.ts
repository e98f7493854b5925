import { isImageFile } from '../detector/image-io';
import { createLogger } from '../log';
import { writeDetections } from '../eval/detections-json';
import { entriesOf, timing, toolDetector, UsageError } from '../eval/tool-detector';
import { listImages } from '../eval/voc-dataset';

import { parseCommandArgs, usageError as usageErrorOf } from './args';
import { detectWithProgress, throughput } from './detect-progress';

const USAGE = `usage: mask-gate detect --model M --json OUT.json [--threads N] [--providers cpu,cuda,...] PATH...
  PATH: image files or folders of images. Writes one entry per face per label scored >= 0.01:
  { "image", "label": mask|no_mask|incorrect, "score": 0..1, "box": [x1, y1, x2, y2] } in image pixels.`;

/** `mask-gate detect`: run a model over images and write detections JSON. */
export async function detectCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('detect', USAGE, argv, {
      model: { type: 'string', short: 'm' },
      json: { type: 'string', short: 'o' },
      threads: { type: 'string' },
      providers: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  const values = args.values;
  const positionals = args.positionals;
  if (!values.model) return usageError('--model is required');
  if (!values.json) return usageError('--json is required');
  if (positionals.length === 0) return usageError('expected at least one image or folder');

  const log = createLogger('mask-gate:detect');
  let detector;
  try {
    detector = toolDetector({ model: values.model, threads: values.threads, providers: values.providers }, log, true);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    throw e;
  }
  try {
    const files = await listImages(positionals, isImageFile);
    if (files.length === 0) return usageError(`no images found in ${positionals.join(', ')}`);
    await detector.start();
    const run = await detectWithProgress('detect', detector, files);
    const results = run.results;
    const entries = entriesOf(results);
    await writeDetections(values.json, entries);
    const dup = results.length - new Set(results.map((r) => r.key)).size;
    if (dup) log.warn(`${dup} images share a file name with another; their entries cannot be told apart`);
    const t = timing(results);
    process.stderr.write(
      `${results.length} images, ${results.reduce((n, r) => n + r.detections.length, 0)} faces, ${entries.length} entries -> ${values.json}` +
        ` (${detector.info().provider}, ${t.median.toFixed(1)} ms median per image)\n${throughput(run)}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`mask-gate detect: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await detector.stop();
  }
}

function usageError(msg: string): number {
  return usageErrorOf('detect', USAGE, msg);
}
