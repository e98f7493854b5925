import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { problemsFromZod } from '../config/errors';
import { MASK_LABELS, type Box, type Detection, type MaskLabel } from '../detector/types';

/**
 * The detections file `mask-gate detect --json` writes and `eval --detections` reads: one entry per
 * face per label scored at or above the floor, boxes in original image pixels.
 */
export interface DetectionEntry {
  /** Image file name without folder or extension. */
  image: string;
  label: MaskLabel;
  score: number;
  box: Box;
}

const Entry = z.strictObject({
  image: z.string().min(1),
  label: z.enum(MASK_LABELS),
  score: z.number().min(0).max(1),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

/** One entry per label a face scored at or above `floor`; per-class boxes where the decoder gives them. */
export function toEntries(image: string, detections: readonly Detection[], floor: number): DetectionEntry[] {
  const out: DetectionEntry[] = [];
  for (const d of detections) {
    for (const label of MASK_LABELS) {
      const score = d.scores[label];
      if (score === undefined || score < floor) continue;
      const box = d.labelBoxes?.[label] ?? d.box;
      out.push({ image, label, score: round(score, 6), box: box.map((v) => round(v, 2)) as Box });
    }
  }
  return out;
}

export async function readDetections(file: string): Promise<DetectionEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read detections: ${(err as Error).message}`);
  }
  if (!Array.isArray(json)) throw new Error(`${file}: expected a JSON array of detections, got ${typeof json}`);
  return json.map((e, i) => {
    const r = Entry.safeParse(e);
    if (!r.success) {
      const p = problemsFromZod(r.error.issues, e)[0]!;
      throw new Error(`${file}: [${i}]${p.path ? '.' + p.path : ''}: ${p.message}`);
    }
    return r.data as DetectionEntry;
  });
}

export async function writeDetections(file: string, entries: readonly DetectionEntry[]): Promise<void> {
  await writeFile(file, '[\n' + entries.map((e) => '  ' + JSON.stringify(e)).join(',\n') + (entries.length ? '\n' : '') + ']\n');
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
