/**
 * Measures models/mask-two-stage on the validation split as `mask-gate eval` does (VOC AP at IoU 0.5,
 * faces under 20 px ignored), once as shipped and once without the box refinement, plus the 640x360
 * speed, and records the numbers in model.json `metrics` (not in `files`, so hashes stay valid).
 *
 *   node dist/src/training/record-metrics.js [--model models/mask-two-stage] [--write]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DetectorSection } from '../config/sections/detector';
import { createDetector } from '../detector/detector';
import { evaluate, type EvalReport } from '../eval/evaluate';
import { detectFiles, entriesOf } from '../eval/tool-detector';
import { loadVocDataset, readImageList } from '../eval/voc-dataset';
import { createLogger } from '../log';
import { bench } from './bench';
import { SEED } from './train';
import { writeSynthDataset } from './synth/dataset';
import { defaultTemplatesDir, loadMaskTemplates } from './synth/templates';

const r4 = (v: number | null) => (v === null ? undefined : Math.round(v * 10000) / 10000);

export async function evalModel(model: string, data: string, list: string): Promise<{ report: EvalReport; ms: number }> {
  const keys = await readImageList(list);
  const truth = await loadVocDataset(data, keys);
  const det = createDetector({ config: DetectorSection.parse({ model, providers: ['cpu'], threads: 2 }), log: createLogger('mask-gate:metrics'), sweep: true });
  await det.start();
  try {
    const results = await detectFiles(det, truth.map((t) => t.imagePath!));
    const ms = results.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
    return { report: evaluate(truth.map((t) => ({ image: t.key, objects: t.annotation.objects })), entriesOf(results)), ms };
  } finally {
    await det.stop();
  }
}

/** A copy of the model folder whose classifier box output is ignored: the detector's own boxes. */
function withoutRefinement(model: string): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mask-gate-norefine-'));
  const dir = path.join(tmp, path.basename(model));
  cpSync(model, dir, { recursive: true });
  const m = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  delete m.decoder.classifier.outputs.box;
  m.metrics = [];
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m));
  return dir;
}

/** The door table as model.json records it. */
export function doorMetrics(r: EvalReport) {
  const d = r.door;
  return {
    failOpen: r4n(d.failOpen.rate),
    unmaskedAsMask: r4n(d.all.unmaskedAsMask.rate),
    incorrectAsMask: r4n(d.all.incorrectAsMask.rate),
    maskedAsUnmasked: r4n(d.all.maskedAsUnmasked.rate),
    byHeight: d.rows.map((x) => ({ minPx: x.min, maxPx: x.max, unmaskedAsMask: r4n(x.unmaskedAsMask.rate), incorrectAsMask: r4n(x.incorrectAsMask.rate), maskedAsUnmasked: r4n(x.maskedAsUnmasked.rate) })),
  };
}

const r4n = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 10000);

function summary(r: EvalReport): string {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3));
  const door = `door: fail-open ${f(r.door.failOpen.rate)} (unmasked as mask ${f(r.door.all.unmaskedAsMask.rate)}, incorrect as mask ${f(r.door.all.incorrectAsMask.rate)}), masked as unmasked ${f(r.door.all.maskedAsUnmasked.rate)}`;
  return `${door} | AP mask ${f(r.classes.mask.ap)} no_mask ${f(r.classes.no_mask.ap)} incorrect ${f(r.classes.incorrect.ap)} | 2-class: mask ${f(r.twoClass.mask.ap)} no_mask ${f(r.twoClass.no_mask.ap)} mAP ${f(r.twoClass.map)} | mAP3 ${f(r.map3)} | face AP ${f(r.face.ap)} recall ${f(r.face.recall)} (mask ${f(r.face.recallByClass.mask)} no_mask ${f(r.face.recallByClass.no_mask)} incorrect ${f(r.face.recallByClass.incorrect)})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, write: { type: 'boolean' }, 'no-speed': { type: 'boolean' }, 'no-synthetic': { type: 'boolean' } } });
  const model = path.resolve(values.model ?? 'models/mask-two-stage');
  const data = path.resolve('..', 'shared', 'datasets', 'face-mask-andrewmvd');
  const list = path.join(model, 'split', 'val.txt');
  const shipped = await evalModel(model, data, list);
  process.stdout.write(`validation, refined boxes:   ${summary(shipped.report)}\n`);
  const plainDir = withoutRefinement(model);
  const plain = await evalModel(plainDir, data, list);
  rmSync(path.dirname(plainDir), { recursive: true, force: true });
  process.stdout.write(`validation, detector boxes:  ${summary(plain.report)}\n`);
  // The same split with synthetic masks on its unmasked faces: reported beside the real photos, never instead.
  let synthetic: EvalReport | undefined;
  if (!values['no-synthetic']) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mask-gate-synthval-'));
    try {
      const keys = await readImageList(list);
      await writeSynthDataset({ dataDir: data, keys, outDir: dir, templates: await loadMaskTemplates(defaultTemplatesDir()), faceModel: path.join(model, 'face.onnx'), seed: SEED });
      synthetic = (await evalModel(model, dir, list)).report;
      process.stdout.write(`synthetic copy of validation: ${summary(synthetic)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  let speed: { median: number; p90: number; faces: number } | undefined;
  if (!values['no-speed']) {
    speed = await bench(model, path.join(data, 'images', 'maksssksksss0.jpg'), 1, 100);
    process.stdout.write(`speed 640x360, 1 thread: median ${speed.median.toFixed(1)} ms, p90 ${speed.p90.toFixed(1)} ms, ${speed.faces} faces\n`);
  }
  if (!values.write) return;
  const r = shipped.report;
  const file = path.join(model, 'model.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  const date = new Date().toISOString().slice(0, 10);
  m.metrics = [
    {
      dataset: 'andrewmvd Face Mask Detection',
      split: 'split/val.txt',
      images: r.images,
      map2: r4(r.twoClass.map),
      map3: r4(r.map3),
      ap: { mask: r4(r.classes.mask.ap), no_mask: r4(r.classes.no_mask.ap), incorrect: r4(r.classes.incorrect.ap) },
      faceAp: r4(r.face.ap),
      faceRecall: r4(r.face.recall),
      ...(speed ? { msPerFrame: Math.round(speed.median * 10) / 10 } : {}),
      door: doorMetrics(r),
      device: '2-core x86-64 build machine (no GPU), onnxruntime-node 1.30 CPU, 2 threads',
      provider: 'cpu',
      measuredAt: date,
      command: 'mask-gate eval --data ../shared/datasets/face-mask-andrewmvd --images models/mask-two-stage/split/val.txt --model models/mask-two-stage',
      notes:
        `2-class AP (incorrect merged into no_mask): mask ${r4(r.twoClass.mask.ap)}, no_mask ${r4(r.twoClass.no_mask.ap)}. ` +
        `Face recall at score 0.3 by class: mask ${r4(r.face.recallByClass.mask)}, no_mask ${r4(r.face.recallByClass.no_mask)}, incorrect ${r4(r.face.recallByClass.incorrect)}. ` +
        `Without box refinement: face AP ${r4(plain.report.face.ap)}, recall ${r4(plain.report.face.recall)}, 2-class mAP ${r4(plain.report.twoClass.map)}. ` +
        (speed ? `msPerFrame: whole two-stage detection on a 640x360 frame with 3 faces (maksssksksss0.jpg stretched), 1 intra-op thread (the build machine is shared; 2 threads measured slower under its load), median of 100.` : ''),
    },
    ...(synthetic
      ? [
          {
            dataset: 'andrewmvd Face Mask Detection, synthetic copy (npm run synth -- --dataset): unmasked faces given template masks worn, below the nose or on the chin',
            split: 'split/val.txt',
            images: synthetic.images,
            map2: r4(synthetic.twoClass.map),
            map3: r4(synthetic.map3),
            ap: { mask: r4(synthetic.classes.mask.ap), no_mask: r4(synthetic.classes.no_mask.ap), incorrect: r4(synthetic.classes.incorrect.ap) },
            faceAp: r4(synthetic.face.ap),
            faceRecall: r4(synthetic.face.recall),
            door: doorMetrics(synthetic),
            provider: 'cpu',
            measuredAt: date,
            notes: 'Synthetic faces, for comparison only: the model is judged on the real photos (the entry above).',
          },
        ]
      : []),
  ];
  writeFileSync(file, JSON.stringify(m, null, 2) + '\n');
  process.stdout.write(`recorded in ${file}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
