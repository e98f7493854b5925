import { createLogger } from '../log';
import { readDetections, writeDetections, type DetectionEntry } from '../eval/detections-json';
import { DEFAULT_EVAL_OPTIONS, evaluate, type EvalOptions } from '../eval/evaluate';
import { formatReport } from '../eval/report-text';
import { entriesOf, timing, toolDetector, UsageError } from '../eval/tool-detector';
import { loadVocDataset, readImageList } from '../eval/voc-dataset';

import { parseCommandArgs, usageError as usageErrorOf } from './args';
import { detectWithProgress, throughput } from './detect-progress';

const USAGE = `usage: mask-gate eval --data DIR [--images LIST] (--detections FILE | --model M) [--json]
       [--iou 0.5] [--min-height 20] [--min-width 0] [--recall-score 0.3]
       [--save-detections FILE] [--threads N] [--providers cpu,...]
  DIR holds annotations/*.xml (Pascal VOC) and images/. LIST names the images to score, one per line.`;

/** `mask-gate eval`: VOC AP per class, 2- and 3-class mAP, face recall and confusion. */
export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('eval', USAGE, argv, {
    data: { type: 'string', short: 'd' },
    images: { type: 'string' },
    detections: { type: 'string' },
    model: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    iou: { type: 'string' },
    'min-height': { type: 'string' },
    'min-width': { type: 'string' },
    'recall-score': { type: 'string' },
    'save-detections': { type: 'string' },
    threads: { type: 'string' },
    providers: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  if (args.positionals.length) return usageError(`unexpected argument "${args.positionals[0]}"`);
  const v: Record<string, string | boolean | undefined> = args.values;
  const str = (k: string) => v[k] as string | undefined;
  if (!str('data')) return usageError('--data is required');
  if (!str('detections') === !str('model')) return usageError('give exactly one of --detections FILE and --model M');
  const options: Partial<EvalOptions> = {};
  for (const [flag, key, lo, hi] of [
    ['iou', 'iou', 0, 1],
    ['min-height', 'minHeight', 0, 10000],
    ['min-width', 'minWidth', 0, 10000],
    ['recall-score', 'recallScore', 0, 1],
  ] as const) {
    const raw = str(flag);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < lo || n > hi) return usageError(`--${flag}: expected a number from ${lo} to ${hi}, got "${raw}"`);
    options[key] = n;
  }

  const log = createLogger('mask-gate:eval');
  try {
    const only = str('images') ? await readImageList(str('images')!) : undefined;
    const data = await loadVocDataset(str('data')!, only);
    let entries: DetectionEntry[];
    let speed = '';
    if (str('detections')) {
      entries = await readDetections(str('detections')!);
    } else {
      const missing = data.filter((d) => !d.imagePath);
      if (missing.length) throw new Error(`${str('data')}/images: expected an image for every annotation, got none for ${missing.slice(0, 5).map((d) => d.key).join(', ')}`);
      let detector;
      try {
        detector = toolDetector({ model: str('model')!, threads: str('threads'), providers: str('providers') }, log, true);
      } catch (e) {
        if (e instanceof UsageError) return usageError(e.message);
        throw e;
      }
      try {
        await detector.start();
        const run = await detectWithProgress('eval', detector, data.map((d) => d.imagePath!));
        entries = entriesOf(run.results);
        const t = timing(run.results);
        speed = `${detector.info().model} on ${detector.info().provider}: ${t.median.toFixed(1)} ms median, ${t.p90.toFixed(1)} ms p90 per image; ${throughput(run)}`;
      } finally {
        await detector.stop();
      }
      if (str('save-detections')) await writeDetections(str('save-detections')!, entries);
    }
    const report = evaluate(
      data.map((d) => ({ image: d.key, objects: d.annotation.objects })),
      entries,
      { ...DEFAULT_EVAL_OPTIONS, ...options },
    );
    if (v.json) process.stdout.write(JSON.stringify(speed ? { ...report, speed } : report, null, 2) + '\n');
    else process.stdout.write(formatReport(report) + (speed ? `\n\n  ${speed}` : '') + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`mask-gate eval: ${(e as Error).message}\n`);
    return 1;
  }
}

function usageError(msg: string): number {
  return usageErrorOf('eval', USAGE, msg);
}
