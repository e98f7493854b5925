/** @jest-environment ./test/env/onnx-environment.js */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDetector } from '../../src/detector/detector';
import { iou } from '../../src/detector/geometry';
import { readImageRgb } from '../../src/detector/image-io';
import { loadModel } from '../../src/detector/model-loader';
import { DetectorSection } from '../../src/config/sections/detector';
import type { Detection, Detector } from '../../src/detector/types';
import { evaluate } from '../../src/eval/evaluate';
import { detectFiles, entriesOf } from '../../src/eval/tool-detector';
import { loadVocDataset } from '../../src/eval/voc-dataset';
import { parseVoc } from '../../src/eval/voc-read';
import { memoryLogger } from '../../src/log';

/*
 * The committed default model: it loads (hashes, shapes, warm-up), finds and labels the faces of real
 * photos, and its validation metrics, recomputed here, agree with what model.json and the model card say.
 */
const MODEL = path.resolve(__dirname, '../../models/mask-two-stage');
const DATA = path.resolve(__dirname, '../../../shared/datasets/face-mask-andrewmvd');
const haveData = existsSync(path.join(DATA, 'annotations'));
if (!haveData && process.env.CI) {
  throw new Error(`test/model needs the shared data set at ${DATA} (../shared/datasets/face-mask-andrewmvd); it is missing on this CI runner`);
}
const withData = haveData ? describe : describe.skip;

/** Without `minScore`, the model's own operating point (model.json thresholds.score), as the gate runs. */
function detector(sweep: boolean, minScore?: number): Detector {
  return createDetector({ config: DetectorSection.parse({ model: MODEL, providers: ['cpu'], threads: 2, ...(minScore === undefined ? {} : { minScore }) }), log: memoryLogger(), sweep });
}

describe('models/mask-two-stage', () => {
  it('loads: manifest valid, every file matches its sha256, both networks pass the warm-up', async () => {
    const m = await loadModel(MODEL);
    expect(m.manifest.decoder.type).toBe('two_stage');
    expect(m.manifest.labels).toEqual(['mask', 'no_mask', 'incorrect']);
    const d = detector(false);
    await d.start();
    expect(d.info().ready).toBe(true);
    expect(d.info().sessions).toEqual({ face: 'cpu', classifier: 'cpu', faint: 'cpu' });
    await d.stop();
  });

  it('keeps its committed files small', async () => {
    const m = await loadModel(MODEL);
    const total = m.manifest.files.reduce((n, f) => n + (f.bytes ?? 0), 0);
    // Every retrain adds the folder to the git history again. 4 MiB until 2.4.0, whose facemesh features
    // (2,560 more inputs to the main head, 1.3 MB; facemesh's own weights, 0.5 MB) took it to 5.9 MB; 8 MiB
    // until 2.5.0, whose faint network (3.5 MB; 2.3.0's classifier.onnx byte for byte, a blob git already
    // held) took it to 9.4 MB; 2.6.0's three nose heads to 9.8 MB (both classifier networks new blobs, 9 MB of history).
    expect(total).toBeLessThan(12 * 1024 * 1024);
  });
});

withData('models/mask-two-stage on the shared photos', () => {
  let det: Detector;
  let found03: Detector;
  beforeAll(async () => {
    det = detector(false);
    // Faces are "found" at score 0.3, as eval's recall counts them. Since 2.1.0 the nose head puts a masked
    // face it doubts under the 0.7 operating point on purpose (mask and incorrect share it): the gate does not
    // open for it, and finding it is checked here, not at the door.
    found03 = detector(false, 0.3);
    await det.start();
    await found03.start();
  });
  afterAll(async () => {
    await det.stop();
    await found03.stop();
  });

  it.each(['maksssksksss0', 'maksssksksss29', 'maksssksksss349', 'maksssksksss307'])('%s: finds the labelled faces with tight boxes and the right labels; at the operating point nobody unmasked reads mask', async (key) => {
    const ann = parseVoc(readFileSync(path.join(DATA, 'annotations', `${key}.xml`), 'utf8'), key);
    const frame = await readImageRgb(path.join(DATA, 'images', `${key}.jpg`));
    const found = await found03.detect(frame);
    const best = (faces: Detection[], o: (typeof ann.objects)[number]) => faces.reduce<{ o: number; d?: Detection }>((b, d) => (iou(d.box, o.box) > b.o ? { o: iou(d.box, o.box), d } : b), { o: 0 });
    let matched = 0;
    let right = 0;
    for (const o of ann.objects) {
      const b = best(found, o);
      if (b.o > 0.5) {
        matched++;
        if (b.d!.label === o.label) right++;
      }
    }
    expect(matched).toBeGreaterThanOrEqual(ann.objects.length - 1);
    expect(right).toBeGreaterThanOrEqual(matched - 1);
    // No more stray faces than real ones.
    expect(found.length).toBeLessThanOrEqual(2 * ann.objects.length);
    const atDoor = await det.detect(frame);
    for (const o of ann.objects.filter((x) => x.label !== 'mask')) {
      const b = best(atDoor, o);
      expect(b.o > 0.3 ? b.d!.label : 'unseen').not.toBe('mask');
    }
  });

  it('reproduces the validation metrics recorded in model.json (within 0.01)', async () => {
    const manifest = JSON.parse(readFileSync(path.join(MODEL, 'model.json'), 'utf8')) as { metrics: { split?: string; map2: number; map3: number; faceAp: number; faceRecall: number; ap: Record<string, number> }[] };
    // The real photos' entry (a synthetic copy of the split is recorded after it).
    const recorded = manifest.metrics.find((m) => m.split === 'split/val.txt');
    expect(recorded).toBeDefined();
    const keys = readFileSync(path.join(MODEL, 'split', 'val.txt'), 'utf8').split('\n').filter(Boolean);
    const truth = await loadVocDataset(DATA, keys);
    const sweep = detector(true);
    await sweep.start();
    try {
      const results = await detectFiles(sweep, truth.map((t) => t.imagePath!));
      const r = evaluate(truth.map((t) => ({ image: t.key, objects: t.annotation.objects })), entriesOf(results));
      expect(r.images).toBe(keys.length);
      expect(r.twoClass.map!).toBeCloseTo(recorded!.map2, 2);
      expect(r.map3!).toBeCloseTo(recorded!.map3, 2);
      expect(r.face.ap!).toBeCloseTo(recorded!.faceAp, 2);
      expect(r.face.recall!).toBeCloseTo(recorded!.faceRecall, 2);
      // model.json's per-class APs are the three classes as annotated (the 2-class no_mask AP is in its notes).
      for (const l of ['mask', 'no_mask', 'incorrect'] as const) expect(r.classes[l].ap!).toBeCloseTo(recorded!.ap[l]!, 2);
    } finally {
      await sweep.stop();
    }
  }, 300_000);
});
