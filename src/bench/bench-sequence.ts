import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHARED_DATASET } from '../cli/demo';
import { defaultDecideMinFacePx } from '../config/sections/gate';
import { DEFAULT_MIN_PHOTO_FACE_PX, findDoorSubjects, pickSubjects, type DoorSubject } from '../sequence/door-subjects';
import { makeDoorwaySequence } from '../sequence/doorway';
import { DEFAULT_TIMING, rng } from '../sequence/doorway-plan';

/** Bench sequences are made at run time from the shared photos (never committed) and cached here. */
export const BENCH_CACHE = path.join(tmpdir(), 'mask-gate-bench');

/**
 * The camera's default rate (camera.fps 30); the corridor empty just longer than gate.personGoneMs (1500);
 * a walk of 1.5 s from afar (30% of the size at the door), 1 s standing at the door, 0.4 s stepping aside.
 */
const TIMING = { ...DEFAULT_TIMING, fps: 30, emptyMs: 1700, approachMs: 1500, holdMs: 1000, leaveMs: 400 };

/**
 * The bench's doorway: 42 passages in a shuffled order, each cut out of a photo of the model's validation
 * split (`split/val.txt`: people the classifier never saw): every face with the mask worn wrongly that is
 * large enough (at least 30 px high in its photo) and can be cut out alone, 10 masked and 10 unmasked people,
 * 8 groups of two and 4 of three. Everyone walks up from under decision size (gate.decideMinFacePx) to a
 * tallest face of 1.45-2.2 times it (64-97 px at 640 wide). Made once per size and split.
 */
export const BENCH_PEOPLE = { masked: 10, unmasked: 10, incorrect: 'all', group2: 8, group3: 4 } as const;

export async function benchSequence(width: number, height: number, dataset = SHARED_DATASET, splitFile?: string): Promise<{ dir: string; made: boolean }> {
  const only = splitFile && (await exists(splitFile)) ? new Set((await readFile(splitFile, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean)) : undefined;
  const tag = only ? `val-${createHash('sha256').update([...only].sort().join('\n')).digest('hex').slice(0, 8)}` : 'all';
  const dir = path.join(BENCH_CACHE, `doorway-v4-${width}x${height}-${TIMING.fps}fps-${tag}`);
  if (await exists(path.join(dir, 'sequence.json'))) return { dir, made: false };
  if (!(await exists(dataset))) {
    throw new Error(`the bench needs the face-mask photos at ${path.resolve(dataset)} (the shared data sets beside this checkout); none there`);
  }
  const people = await benchPeople(dataset, width, height, only);
  await makeDoorwaySequence(people, dir, { ...TIMING, width, height, force: true, tool: 'mask-gate bench', decideMinFacePx: defaultDecideMinFacePx(width) });
  return { dir, made: true };
}

/** The bench's subjects in their (seeded) order of arrival. */
export async function benchPeople(dataset: string, width: number, height: number, only?: ReadonlySet<string>): Promise<DoorSubject[]> {
  const rules = { frameWidth: width, frameHeight: height, decideMinFacePx: defaultDecideMinFacePx(width), minPhotoFacePx: DEFAULT_MIN_PHOTO_FACE_PX, seed: TIMING.seed };
  const people = pickSubjects(await findDoorSubjects(dataset, rules, only), BENCH_PEOPLE);
  const rand = rng(TIMING.seed ^ 0xbe4c);
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [people[i], people[j]] = [people[j]!, people[i]!];
  }
  return people;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
