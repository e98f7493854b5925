/** @jest-environment ./test/env/onnx-environment.js */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DetectorSection } from '../../src/config/sections/detector';
import { createDetector } from '../../src/detector/detector';
import { readImageRgb } from '../../src/detector/image-io';
import type { Box, RgbFrame } from '../../src/detector/types';
import { parseVoc } from '../../src/eval/voc-read';
import { memoryLogger } from '../../src/log';
import { rng, shuffle } from '../../src/training/random';
import { pasteLooseMask } from '../../src/training/synth/generate';
import { loadMaskTemplates } from '../../src/training/synth/templates';

/*
 * A mask with no face behind it (held in a hand, lying on a table, hanging on a wall) must not become a
 * person at the gate. Masks are pasted onto the backgrounds of validation photos (which training never
 * sees), at face sizes, turned and partly covered by a hand; the committed model at its operating point
 * may turn at most 5% of them into a face.
 */
const MODEL = path.resolve(__dirname, '../../models/mask-two-stage');
const SHARED = path.resolve(__dirname, '../../../shared/datasets');
const DATA = path.join(SHARED, 'face-mask-andrewmvd');
const TEMPLATES = path.join(SHARED, 'mask-templates');
const haveData = existsSync(path.join(DATA, 'annotations')) && existsSync(path.join(TEMPLATES, 'masks.cfg'));
if (!haveData && process.env.CI) throw new Error(`test/model/loose-masks needs ${DATA} and ${TEMPLATES} (../shared/datasets); they are missing on this CI runner`);
const withData = haveData ? describe : describe.skip;

const PHOTOS = 60;
const PER_PHOTO = 2;
const MAX_SHARE = 0.05;

withData('masks with no face behind them (validation backgrounds)', () => {
  it(`become a face at the operating point for at most ${MAX_SHARE * 100}% of ${PHOTOS * PER_PHOTO} pasted masks`, async () => {
    const templates = await loadMaskTemplates(TEMPLATES);
    const val = readFileSync(path.join(MODEL, 'split', 'val.txt'), 'utf8').split('\n').filter(Boolean);
    const rand = rng(4242);
    const det = createDetector({ config: DetectorSection.parse({ model: MODEL, providers: ['cpu'], threads: 2 }), log: memoryLogger() });
    await det.start();
    let pasted = 0;
    const faces: string[] = [];
    try {
      for (const key of shuffle([...val], rand).slice(0, PHOTOS)) {
        const ann = parseVoc(readFileSync(path.join(DATA, 'annotations', `${key}.xml`), 'utf8'), `${key}.xml`);
        const img = await readImageRgb(path.join(DATA, 'images', `${key}.jpg`));
        const frame: RgbFrame = { data: Uint8Array.from(img.data), width: img.width, height: img.height };
        const boxes: Box[] = [];
        for (let m = 0; m < PER_PHOTO; m++) {
          const size = 20 * Math.exp(rand() * Math.log(6));
          const placed = pasteLooseMask(frame, [...ann.objects.map((o) => o.box), ...boxes], templates, Math.min(size, frame.width / 3, frame.height / 3), rand);
          if (placed) boxes.push(placed.box);
        }
        pasted += boxes.length;
        const found = await det.detect(frame);
        for (const b of boxes) {
          // A detection whose centre lies on the pasted mask: the mask became a face.
          const hit = found.find((d) => {
            const cx = (d.box[0] + d.box[2]) / 2, cy = (d.box[1] + d.box[3]) / 2;
            return cx >= b[0] && cx <= b[2] && cy >= b[1] && cy <= b[3];
          });
          if (hit) faces.push(`${key}: mask at [${b.map(Math.round).join(', ')}] read as ${hit.label} ${hit.score.toFixed(2)}`);
        }
      }
    } finally {
      await det.stop();
    }
    expect(pasted).toBeGreaterThanOrEqual(PHOTOS * PER_PHOTO * 0.8);
    const share = faces.length / pasted;
    process.stderr.write(`loose masks: ${faces.length} of ${pasted} became a face (${(share * 100).toFixed(1)}%)${faces.length ? `\n  ${faces.join('\n  ')}` : ''}\n`);
    expect(share).toBeLessThanOrEqual(MAX_SHARE);
  }, 120000);
});
