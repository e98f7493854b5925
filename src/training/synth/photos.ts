/**
 * The synthetic training photos: for each training photo with unmasked faces, VARIANTS copies with every
 * such face masked (placements cycling, so each face is seen worn twice, below the nose and on the chin), and
 * for every photo one copy with loose masks held in a hand on its background. Written as JPEG (a seeded
 * quality: the same compression real photos went through) into the training cache, keyed by everything
 * that shapes them, so a rerun reuses them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FaceCandidate } from '../../detector/decoders/face-detectors';
import type { Box, RgbFrame } from '../../detector/types';
import { encodeJpeg, readImageRgb } from '../../image/sharp-io';
import type { VocAnnotation } from '../../eval/voc-read';
import { Progress } from '../../progress';
import { rng } from '../random';
import { BELOW_NOSE_TOP, PLACEMENT_CYCLE, TOP_JITTER } from './anchors';
import { pasteLooseMask, synthesizePhoto, TINTED_SHARE } from './generate';
import type { MaskTemplate } from './templates';

/** Synthetic copies per photo: one turn of PLACEMENT_CYCLE. */
export const VARIANTS = PLACEMENT_CYCLE.length;
/** Loose masks per photo copy, and their width range in px (the faces' range in these photos). */
const LOOSE_PER_PHOTO = 2;
const LOOSE_MIN = 16;
const LOOSE_MAX = 120;
/** Bump when the generator changes in a way the key cannot see. */
const GENERATOR_VERSION = 3;

export interface SynthPhotoEntry {
  /** A key like `maksssksksss12__s1` (variant 1) or `maksssksksss12__n` (loose masks). */
  key: string;
  /** The real photo it was made from. */
  source: string;
  file: string;
  annotation: VocAnnotation;
  /** Indices into annotation.objects that wear a synthetic mask. */
  synthetic: number[];
  /** Boxes of loose masks (no face behind them). */
  loose: Box[];
}

/** The JPEG quality a synthetic photo is saved at: 60-95, as the data set's photos were compressed. */
export const synthJpegQuality = (rand: () => number): number => 60 + Math.floor(rand() * 36);

/** The below-the-nose trial's range, in the key only when it differs from the default (old keys stay valid). */
const belowNoseKey = (): unknown[] => (BELOW_NOSE_TOP.every((v, i) => v === TOP_JITTER[i]) ? [] : [['belowNoseTop', BELOW_NOSE_TOP]]);

/** The source photo of a (possibly synthetic) image key. */
export const sourceOf = (key: string): string => key.split('__')[0]!;

function seedFor(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32LE(0);
}

export async function synthTrainingPhotos(opts: {
  dataDir: string;
  keys: readonly string[];
  annotations: ReadonlyMap<string, VocAnnotation>;
  candidates: ReadonlyMap<string, FaceCandidate[]>;
  templates: readonly MaskTemplate[];
  cache: string;
  seed: number;
}): Promise<SynthPhotoEntry[]> {
  const { dataDir, keys, annotations, candidates, templates, seed } = opts;
  const id = createHash('sha256').update(JSON.stringify([GENERATOR_VERSION, TINTED_SHARE, VARIANTS, LOOSE_PER_PHOTO, LOOSE_MIN, LOOSE_MAX, seed, keys, templates.map((t) => [t.name, t.anchors, createHash('sha256').update(t.rgba).digest('hex')]), ...belowNoseKey()])).digest('hex').slice(0, 12);
  const dir = path.join(opts.cache, `synth-${id}`);
  const index = path.join(dir, 'index.json');
  if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as SynthPhotoEntry[];
  mkdirSync(dir, { recursive: true });
  const out: SynthPhotoEntry[] = [];
  const bar = new Progress('synthetic photos', keys.length);
  const save = async (key: string, source: string, frame: RgbFrame, annotation: VocAnnotation, synthetic: number[], loose: Box[], rand: () => number) => {
    const file = path.join(dir, `${key}.jpg`);
    writeFileSync(file, await encodeJpeg(frame, synthJpegQuality(rand)));
    out.push({ key, source, file, annotation, synthetic, loose });
  };
  for (const [i, key] of keys.entries()) {
    const ann = annotations.get(key)!;
    const frame = await readImageRgb(path.join(dataDir, 'images', `${key}.jpg`));
    const faces = candidates.get(key) ?? [];
    for (let v = 0; v < VARIANTS; v++) {
      const rand = rng(seedFor(seed, `${key}__s${v}`));
      const s = synthesizePhoto(frame, ann, faces, templates, v, rand);
      if (s.synthetic.length) await save(`${key}__s${v}`, key, s.frame, s.annotation, s.synthetic, [], rand);
    }
    const rand = rng(seedFor(seed, `${key}__n`));
    const copy: RgbFrame = { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height };
    const avoid: Box[] = [...ann.objects.map((o) => o.box), ...faces.filter((f) => f.score >= 0.3).map((f) => f.box)];
    const loose: Box[] = [];
    for (let m = 0; m < LOOSE_PER_PHOTO; m++) {
      const size = LOOSE_MIN * Math.exp(rand() * Math.log(LOOSE_MAX / LOOSE_MIN));
      const placed = pasteLooseMask(copy, [...avoid, ...loose], templates, Math.min(size, copy.width / 3, copy.height / 3), rand);
      if (placed) loose.push(placed.box);
    }
    if (loose.length) await save(`${key}__n`, key, copy, ann, [], loose, rand);
    bar.tick(i + 1);
  }
  bar.done();
  writeFileSync(index, JSON.stringify(out));
  return out;
}
