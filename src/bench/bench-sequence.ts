import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHARED_DATASET } from '../cli/demo';
import { pickDoorwayCases } from '../sequence/dataset-cases';
import { makeDoorwaySequence } from '../sequence/doorway';
import { DEFAULT_TIMING } from '../sequence/doorway-plan';

/** Bench sequences are made at run time from the shared photos (never committed) and cached here. */
export const BENCH_CACHE = path.join(tmpdir(), 'mask-gate-bench');

/** The camera's default rate (camera.fps 30); the corridor empty just longer than gate.personGoneMs (1500). */
const TIMING = { ...DEFAULT_TIMING, fps: 30, emptyMs: 2000 };

/**
 * The bench's doorway: twelve people in turn (four masked, three unmasked, two with the mask below the
 * nose, three groups of two or three), 1 to 3 faces while someone is in view, the empty corridor between
 * them. The photos come from the model's validation split when it has one (`split/val.txt`): people the
 * classifier never saw, as at a real door. Made once per size and split.
 */
export const BENCH_PEOPLE = { masked: 4, unmasked: 3, incorrect: 2, multi: 3 };

export async function benchSequence(width: number, height: number, dataset = SHARED_DATASET, splitFile?: string): Promise<{ dir: string; made: boolean }> {
  const only = splitFile && (await exists(splitFile)) ? new Set((await readFile(splitFile, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean)) : undefined;
  const tag = only ? `val-${createHash('sha256').update([...only].sort().join('\n')).digest('hex').slice(0, 8)}` : 'all';
  const dir = path.join(BENCH_CACHE, `doorway-v3-${width}x${height}-${TIMING.fps}fps-${tag}`);
  if (await exists(path.join(dir, 'sequence.json'))) return { dir, made: false };
  if (!(await exists(dataset))) {
    throw new Error(`the bench needs the face-mask photos at ${path.resolve(dataset)} (the shared data sets beside this checkout); none there`);
  }
  const people = await pickDoorwayCases(dataset, BENCH_PEOPLE, only);
  await makeDoorwaySequence(people, dir, { ...TIMING, width, height, force: true, tool: 'mask-gate bench' });
  return { dir, made: true };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
