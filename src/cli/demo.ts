import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pickDoorwayCases } from '../sequence/dataset-cases';
import { makeDoorwaySequence, type DoorwayPerson } from '../sequence/doorway';
import { DEFAULT_TIMING } from '../sequence/doorway-plan';
import { parseCommandArgs, usageError } from './args';

/** Where the shared face-mask photos sit beside a checkout. */
export const SHARED_DATASET = '../shared/datasets/face-mask-andrewmvd';
const DEFAULT_OUT = 'data/demo-sequence';
const IMAGE_RE = /\.(jpe?g|png)$/i;

const USAGE = `usage: mask-gate demo-sequence [--data DIR | --photos DIR] [--out ${DEFAULT_OUT}] [--force]
  Makes the recorded doorway sequence the default config replays (camera frames://./${DEFAULT_OUT}).
  --data DIR    a Pascal VOC face-mask set (images/ + annotations/); default ${SHARED_DATASET}.
                Picks two masked people, one unmasked, one with the mask below the nose and two groups,
                and records the outcomes the gate must reach.
  --photos DIR  any folder of photos of people (up to 6 are used); no expectations are recorded.`;

/** `mask-gate demo-sequence`: the setup step for the demo (README's first command). */
export async function demoSequenceCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('demo-sequence', USAGE, argv, { data: { type: 'string' }, photos: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } });
  if (typeof args === 'number') return args;
  const v = args.values;
  if (v.data && v.photos) return usageError('demo-sequence', USAGE, 'give --data or --photos, not both');
  let people: DoorwayPerson[];
  let from: string;
  try {
    if (v.photos) {
      from = v.photos;
      const files = (await readdir(v.photos)).filter((f) => IMAGE_RE.test(f)).sort().slice(0, 6);
      if (!files.length) return usageError('demo-sequence', USAGE, `--photos ${v.photos}: expected .jpg, .jpeg or .png photos, found none`);
      people = files.map((f) => ({ image: path.join(v.photos!, f) }));
    } else {
      from = v.data ?? SHARED_DATASET;
      if (!v.data && !(await exists(from))) {
        return usageError('demo-sequence', USAGE, `no photos: ${path.resolve(from)} does not exist; name a folder of photos with --photos DIR`);
      }
      people = await pickDoorwayCases(from, { masked: 2, unmasked: 1, incorrect: 1, multi: 2 });
    }
  } catch (e) {
    process.stderr.write(`mask-gate demo-sequence: ${(e as Error).message}\n`);
    return 1;
  }
  const out = v.out ?? DEFAULT_OUT;
  const seq = await makeDoorwaySequence(people, out, { ...DEFAULT_TIMING, width: 640, height: 360, force: v.force ?? true, tool: 'mask-gate demo-sequence' });
  const outcomes = seq.expectations?.outcomes.map((o) => `${o.outcome}${o.reason ? `(${o.reason})` : ''}`).join(', ') ?? 'none recorded';
  process.stdout.write(`demo sequence: ${seq.frames.length} frames of ${people.length} people from ${from} -> ${out} (expected: ${outcomes})\n`);
  return 0;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
