import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DetectorSection } from '../config/sections/detector';
import { groupFaces } from '../detector/faces';
import { isImageFile, readImageRgb, writeImageRgb } from '../detector/image-io';
import type { Detection, RgbFrame } from '../detector/types';
import { createLogger } from '../log';
import { readDetections } from '../eval/detections-json';
import { drawAnnotations } from '../eval/draw';
import { toolDetector, UsageError } from '../eval/tool-detector';
import { imageKey, listImages } from '../eval/voc-dataset';

import { parseCommandArgs, usageError as usageErrorOf } from './args';

const USAGE = `usage: mask-gate annotate IMAGE... --out DIR [--model M | --detections FILE] [--min-score S]
       [--threads N] [--providers cpu,...]
  Draws each face's box, label and confidence. With --model (default: the configured default model)
  the model runs at its operating thresholds, as the gate would; --detections draws a detect/eval file.`;

/** `mask-gate annotate`: images with boxes, labels and confidences drawn on, for people to look at. */
export async function annotateCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('annotate', USAGE, argv, {
    out: { type: 'string', short: 'o' },
    model: { type: 'string', short: 'm' },
    detections: { type: 'string' },
    'min-score': { type: 'string' },
    threads: { type: 'string' },
    providers: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  const { values: v, positionals } = args;
  if (!v.out) return usageError('--out is required');
  if (positionals.length === 0) return usageError('expected at least one image or folder');
  if (v.model && v.detections) return usageError('give --model or --detections, not both');
  const minScore = v['min-score'] === undefined ? (v.detections ? 0.5 : 0) : Number(v['min-score']);
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) return usageError(`--min-score: expected a number from 0 to 1, got "${v['min-score']}"`);

  const log = createLogger('mask-gate:annotate');
  try {
    const files = await listImages(positionals, isImageFile);
    if (files.length === 0) return usageError(`no images found in ${positionals.join(', ')}`);
    await mkdir(v.out, { recursive: true });
    let facesOf: (key: string, img: RgbFrame) => Promise<Detection[]>;
    let stop = async () => undefined as void;
    if (v.detections) {
      const entries = await readDetections(v.detections);
      facesOf = async (key) => groupFaces(entries.filter((e) => e.image === key));
    } else {
      let detector;
      try {
        detector = toolDetector({ model: v.model ?? DetectorSection.parse({}).model, threads: v.threads, providers: v.providers }, log, false);
      } catch (e) {
        if (e instanceof UsageError) return usageError(e.message);
        throw e;
      }
      stop = () => detector.stop();
      await detector.start();
      facesOf = (_key, img) => detector.detect(img);
    }
    try {
      for (const file of files) {
        const key = imageKey(file);
        const img = await readImageRgb(file);
        const faces = (await facesOf(key, img)).filter((f) => f.score >= minScore);
        const out = path.join(v.out, `${key}${path.extname(file).toLowerCase() === '.png' ? '.png' : '.jpg'}`);
        await writeImageRgb(out, drawAnnotations(img, faces.map((f) => ({ box: f.box, label: f.label, score: f.score }))));
        process.stderr.write(`${out}: ${faces.length} faces\n`);
      }
    } finally {
      await stop();
    }
    return 0;
  } catch (e) {
    process.stderr.write(`mask-gate annotate: ${(e as Error).message}\n`);
    return 1;
  }
}

function usageError(msg: string): number {
  return usageErrorOf('annotate', USAGE, msg);
}
