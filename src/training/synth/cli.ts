/**
 * `npm run synth -- --sheet OUT.png [--seed N] [--data DIR] [--templates DIR]`: a contact sheet of 64
 * seeded synthetic samples (masks worn, below the nose, on the chin, and loose masks in a hand) with
 * their labels, and a last row of real `incorrect` faces from the training split to compare them with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Box, RgbFrame } from '../../detector/types';
import { decodeFrameRgb, encodeJpeg, readImageRgb, writeImageRgb } from '../../image/sharp-io';
import { parseVoc } from '../../eval/voc-read';
import { rng, shuffle } from '../random';
import { SEED } from '../train';
import { PLACEMENTS } from './anchors';
import { candidateFor, families, maskFace, MIN_SYNTH_FACE, pasteLooseMask } from './generate';
import { openFaceStage, writeSynthDataset } from './dataset';
import { synthJpegQuality } from './photos';
import { contactSheet, cropTile, type Tile } from './sheet';
import { defaultTemplatesDir, loadMaskTemplates } from './templates';

const COLOURS = { mask: [0, 200, 0], incorrect: [255, 165, 0], not_face: [160, 160, 160] } as const;

/** A JPEG round trip, as the synthetic training photos are stored. */
async function jpegRoundTrip(frame: RgbFrame, quality: number): Promise<RgbFrame> {
  const data = await decodeFrameRgb(await encodeJpeg(frame, quality), frame);
  return { data, width: frame.width, height: frame.height };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { sheet: { type: 'string' }, dataset: { type: 'string' }, images: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' }, templates: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const usage = 'usage: npm run synth -- (--sheet OUT.png | --dataset OUT_DIR [--images LIST]) [--seed N] [--data DIR] [--templates DIR]';
  if (values.help) return void process.stdout.write(`${usage}\n`), 0;
  if (!values.sheet && !values.dataset) return void process.stderr.write(`synth: expected --sheet OUT.png or --dataset OUT_DIR\n${usage}\n`), 2;
  const seed = values.seed === undefined ? SEED : Number(values.seed);
  if (!Number.isInteger(seed)) return void process.stderr.write(`synth: --seed: expected an integer, got "${values.seed}"\n`), 2;
  const root = process.cwd();
  const dataDir = path.resolve(values.data ?? path.join(root, '..', 'shared', 'datasets', 'face-mask-andrewmvd'));
  const templates = await loadMaskTemplates(path.resolve(values.templates ?? defaultTemplatesDir(root)));
  const fams = families(templates);
  const modelDir = path.join(root, 'models', 'mask-two-stage');
  if (values.dataset) {
    const list = path.resolve(values.images ?? path.join(modelDir, 'split', 'val.txt'));
    const keys = readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const r = await writeSynthDataset({ dataDir, keys, outDir: path.resolve(values.dataset), templates, faceModel: path.join(modelDir, 'face.onnx'), seed });
    process.stderr.write(`synth: wrote ${values.dataset} (${r.images} images from ${list}, ${r.masked} faces given a synthetic mask)\n`);
    if (!values.sheet) return 0;
  }
  const train = readFileSync(path.join(modelDir, 'split', 'train.txt'), 'utf8').split('\n').filter(Boolean);
  const { stage, close } = await openFaceStage(path.join(modelDir, 'face.onnx'));
  const rand = rng(seed);
  const tiles: Tile[] = [];
  const real: Tile[] = [];
  const SIZE = 96;
  let k = 0;
  for (const key of shuffle([...train], rand)) {
    if (tiles.length >= 64 && real.length >= 8) break;
    const ann = parseVoc(readFileSync(path.join(dataDir, 'annotations', `${key}.xml`), 'utf8'), `${key}.xml`);
    const frame = await readImageRgb(path.join(dataDir, 'images', `${key}.jpg`));
    for (const o of ann.objects) if (o.label === 'incorrect' && real.length < 8 && o.box[3] - o.box[1] >= 20) real.push({ img: cropTile(frame, o.box, SIZE), lines: ['REAL', 'incorrect'], colour: [255, 210, 120] });
    if (tiles.length >= 64) continue;
    const faces = await stage.detect(frame);
    const looseTurn = tiles.length % 8 === 7;
    if (looseTurn) {
      const copy: RgbFrame = { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height };
      const size = 24 + rand() * 80;
      const m = pasteLooseMask(copy, ann.objects.map((o) => o.box), templates, size, rand);
      if (m) tiles.push({ img: cropTile(await jpegRoundTrip(copy, synthJpegQuality(rand)), m.box, SIZE, 1.3), lines: ['not_face', m.template], colour: [...COLOURS.not_face] });
      continue;
    }
    for (const o of ann.objects) {
      if (tiles.length >= 64 || tiles.length % 8 === 7) break;
      if (o.label !== 'no_mask' || o.box[3] - o.box[1] < Math.max(MIN_SYNTH_FACE, 24)) continue;
      const c = candidateFor(o, faces);
      if (!c?.keypoints) continue;
      const copy: RgbFrame = { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height };
      const placement = PLACEMENTS[k++ % PLACEMENTS.length]!;
      const m = maskFace(copy, c.keypoints, placement, fams[Math.floor(rand() * fams.length)]!, rand);
      if (!m) continue;
      const h = Math.round(o.box[3] - o.box[1]);
      tiles.push({ img: cropTile(await jpegRoundTrip(copy, synthJpegQuality(rand)), o.box as Box, SIZE), lines: [`${placement} ${h}px`, m.label], colour: [...COLOURS[m.label]] });
    }
  }
  await close();
  await writeImageRgb(values.sheet!, contactSheet([...tiles, ...real], 8, SIZE));
  process.stderr.write(`synth: wrote ${values.sheet} (${tiles.length} synthetic samples, ${real.length} real incorrect faces in the last row)\n`);
  return 0;
}

if (require.main === module) {
  main().then((code) => (process.exitCode = code), (err: unknown) => {
    process.stderr.write(`synth failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
