import { access } from 'node:fs/promises';
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
 * The bench's doorway: six people in turn (two masked, one unmasked, one with the mask below the nose, two
 * groups), 1 to 3 faces while someone is in view, the empty corridor between them. Made once per size.
 */
export async function benchSequence(width: number, height: number, dataset = SHARED_DATASET): Promise<{ dir: string; made: boolean }> {
  const dir = path.join(BENCH_CACHE, `doorway-${width}x${height}-${TIMING.fps}fps`);
  if (await exists(path.join(dir, 'sequence.json'))) return { dir, made: false };
  if (!(await exists(dataset))) {
    throw new Error(`the bench needs the face-mask photos at ${path.resolve(dataset)} (the shared data sets beside this checkout); none there`);
  }
  const people = await pickDoorwayCases(dataset, { masked: 2, unmasked: 1, incorrect: 1, multi: 2 });
  await makeDoorwaySequence(people, dir, { ...TIMING, width, height, force: true, tool: 'mask-gate bench' });
  return { dir, made: true };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
