/**
 * A synthetic copy of a split: every photo, with its unmasked faces given synthetic masks (placements
 * cycling from a seeded start, so the copy holds worn, below-the-nose and on-the-chin masks), written
 * as images/*.jpg + annotations/*.xml, so `mask-gate eval` measures it like the real split. It is
 * reported beside the real split, never instead of it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFaceStage, type FaceStage } from '../../detector/face-stage';
import { ortSessionFactory } from '../../detector/ort-session';
import { encodeJpeg, readImageRgb } from '../../image/sharp-io';
import { formatVoc, parseVoc } from '../../eval/voc-read';
import { Progress } from '../../progress';
import { rng } from '../random';
import { FACE } from '../train';
import { PLACEMENT_CYCLE } from './anchors';
import { synthesizePhoto } from './generate';
import { synthJpegQuality } from './photos';
import type { MaskTemplate } from './templates';

export async function writeSynthDataset(opts: { dataDir: string; keys: readonly string[]; outDir: string; templates: readonly MaskTemplate[]; faceModel: string; seed: number }): Promise<{ images: number; masked: number }> {
  const { dataDir, keys, outDir, templates, seed } = opts;
  mkdirSync(path.join(outDir, 'images'), { recursive: true });
  mkdirSync(path.join(outDir, 'annotations'), { recursive: true });
  const { stage, close } = await openFaceStage(opts.faceModel);
  const bar = new Progress('synthetic copy', keys.length, { unit: 'images' });
  const rand = rng(seed);
  let masked = 0;
  try {
    for (const [i, key] of keys.entries()) {
      const ann = parseVoc(readFileSync(path.join(dataDir, 'annotations', `${key}.xml`), 'utf8'), `${key}.xml`);
      const frame = await readImageRgb(path.join(dataDir, 'images', `${key}.jpg`));
      const s = synthesizePhoto(frame, ann, await stage.detect(frame), templates, Math.floor(rand() * PLACEMENT_CYCLE.length), rand);
      masked += s.synthetic.length;
      writeFileSync(path.join(outDir, 'images', `${key}.jpg`), await encodeJpeg(s.frame, synthJpegQuality(rand)));
      writeFileSync(path.join(outDir, 'annotations', `${key}.xml`), formatVoc({ ...s.annotation, filename: `${key}.jpg` }));
      bar.tick(i + 1);
    }
    bar.done();
  } finally {
    await close();
  }
  return { images: keys.length, masked };
}

/** The shipped face network (training's FACE decoder, confident faces from 0.3) on one CPU thread, for the synth tools. */
export async function openFaceStage(faceModel: string): Promise<{ stage: FaceStage; close: () => Promise<void> }> {
  const session = await ortSessionFactory.create(readFileSync(faceModel), { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '' }, logId: 'synth' });
  return { stage: createFaceStage(session, FACE, 'synth', 0.3), close: () => session.close() };
}
