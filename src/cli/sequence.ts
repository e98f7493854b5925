import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseVoc } from '../eval/voc-read';
import { readImageSize } from '../image/sharp-io';
import { createLogger, memoryLogger, type Logger } from '../log';
import { defaultDecideMinFacePx } from '../config/sections/gate';
import { doorPlacement } from '../sequence/door-place';
import { makeDoorwaySequence, type DoorwayPerson } from '../sequence/doorway';
import { DEFAULT_TIMING } from '../sequence/doorway-plan';
import { loadSequence, parseSequence } from '../sequence/read';
import { SEQUENCE_FILE, SEQUENCE_FORMAT } from '../sequence/schema';
import { SequenceSource } from '../sequence/source';
import { parseCommandArgs, usageError } from './args';

const USAGE = `usage: mask-gate sequence <make|index|check> ...
  make  --from-images DIR --out OUT [--annotations DIR] [--width 640 --height 360 --fps 15] [--seed 1]
        [--empty-ms 2500 --approach-ms 1500 --hold-ms 2000 --leave-ms 600] [--quality 90] [--force]
        A doorway sequence from still photos: each person walks up to the camera, stands, steps aside,
        with the empty scene before, between and after. With Pascal VOC annotations (DIR/NAME.xml per
        image), sequence.json expects each outcome: masked -> cleared; unmasked or incorrect -> alert.
  index DIR [--fps 15] [--force]
        Writes sequence.json for a folder of JPEG frames (e.g. from gst-launch multifilesink).
  check SEQ
        Validates sequence.json and decodes every frame; exit 1 if anything is wrong.`;

const IMAGE_RE = /\.(jpe?g|png)$/i;
const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** `mask-gate sequence`: exit 0 on success, 1 when the input is bad, 2 on a usage error. */
export async function sequenceCommand(argv: string[], deps: { logger?: Logger } = {}): Promise<number> {
  const [sub, ...rest] = argv;
  const logger = deps.logger ?? createLogger('mask-gate:sequence');
  try {
    switch (sub) {
      case 'make':
        return await make(rest, logger);
      case 'index':
        return await index(rest);
      case 'check':
        return await check(rest);
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        return usageError('sequence', USAGE, sub ? `unknown subcommand "${sub}"` : 'expected a subcommand');
    }
  } catch (e) {
    process.stderr.write(`mask-gate sequence ${sub}: ${(e as Error).message}\n`);
    return 1;
  }
}

function int(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer ${min}..${max}, got "${v}"`);
  return n;
}

class UsageError extends Error {}

async function make(argv: string[], logger: Logger): Promise<number> {
  const args = parseCommandArgs('sequence make', USAGE, argv, {
    'from-images': { type: 'string' },
    out: { type: 'string', short: 'o' },
    annotations: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    fps: { type: 'string' },
    seed: { type: 'string' },
    'empty-ms': { type: 'string' },
    'approach-ms': { type: 'string' },
    'hold-ms': { type: 'string' },
    'leave-ms': { type: 'string' },
    quality: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (typeof args === 'number') return args;
  const v = args.values;
  const bad = (m: string) => usageError('sequence make', USAGE, m);
  if (args.positionals.length) return bad(`unexpected argument "${args.positionals[0]}"`);
  if (!v['from-images']) return bad('--from-images DIR is required');
  if (!v.out) return bad('--out OUT is required');
  let opts;
  try {
    opts = {
      width: int('width', v.width, 640, 32, 3840),
      height: int('height', v.height, 360, 32, 2160),
      fps: int('fps', v.fps, DEFAULT_TIMING.fps, 1, 60),
      seed: int('seed', v.seed, DEFAULT_TIMING.seed, 0, 2 ** 31),
      emptyMs: int('empty-ms', v['empty-ms'], DEFAULT_TIMING.emptyMs, 0, 60_000),
      approachMs: int('approach-ms', v['approach-ms'], DEFAULT_TIMING.approachMs, 100, 10_000),
      holdMs: int('hold-ms', v['hold-ms'], DEFAULT_TIMING.holdMs, 100, 60_000),
      leaveMs: int('leave-ms', v['leave-ms'], DEFAULT_TIMING.leaveMs, 100, 10_000),
      quality: int('quality', v.quality, 90, 1, 100),
      force: v.force ?? false,
      tool: 'mask-gate sequence make',
    };
  } catch (e) {
    if (e instanceof UsageError) return bad(e.message);
    throw e;
  }
  const dir = v['from-images'];
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => IMAGE_RE.test(f)).sort(byName);
  } catch {
    throw new Error(`--from-images ${dir}: directory does not exist`);
  }
  if (files.length === 0) throw new Error(`--from-images ${dir}: expected .jpg, .jpeg or .png photos, found none`);
  const people: DoorwayPerson[] = [];
  for (const f of files) {
    const person: DoorwayPerson = { image: path.join(dir, f) };
    if (v.annotations) {
      const xml = path.join(v.annotations, f.replace(IMAGE_RE, '.xml'));
      let text: string;
      try {
        text = await readFile(xml, 'utf8');
      } catch {
        throw new Error(`--annotations ${v.annotations}: no annotation for ${f} (expected ${xml})`);
      }
      const ann = parseVoc(text, xml);
      person.faces = ann.objects.map((o) => ({ label: o.label, box: o.box }));
      if (person.faces.length === 0) throw new Error(`${xml}: no labelled faces, so there is no outcome to expect for ${f}`);
      // Bring the faces to the gate's decision size at the door, cropping the photo if it must.
      const decide = defaultDecideMinFacePx(opts.width);
      const door = doorPlacement(person.faces.map((x) => x.box), ann, { width: opts.width, height: opts.height }, decide, Math.round(1.5 * decide));
      if (door.place) person.place = door.place;
      if (door.facePx < decide) logger.warn(`${f}: its tallest face reaches ${door.facePx.toFixed(0)} px at the door, under the decision size ${decide} px at ${opts.width} wide: the gate will not decide on it`);
    }
    people.push(person);
  }
  const seq = await makeDoorwaySequence(people, v.out, opts, logger);
  const outcomes = seq.expectations?.outcomes.map((o) => `${o.outcome}${o.reason ? `(${o.reason})` : ''}@${o.t_ms}`).join(' ') ?? 'none (no --annotations)';
  process.stderr.write(`wrote ${seq.frames.length} frames (${people.length} people) to ${v.out}; expected outcomes: ${outcomes}\n`);
  return 0;
}

async function index(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sequence index', USAGE, argv, { fps: { type: 'string' }, force: { type: 'boolean' } });
  if (typeof args === 'number') return args;
  if (args.positionals.length !== 1) return usageError('sequence index', USAGE, 'expected one DIR');
  let fps: number;
  try {
    fps = int('fps', args.values.fps, 15, 1, 240);
  } catch (e) {
    return usageError('sequence index', USAGE, (e as Error).message);
  }
  const dir = args.positionals[0]!;
  const target = path.join(dir, SEQUENCE_FILE);
  if (!args.values.force && (await exists(target))) throw new Error(`${target} already exists (use --force to replace it)`);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => /\.jpe?g$/i.test(f)).sort(byName);
  } catch {
    throw new Error(`${dir}: directory does not exist`);
  }
  if (names.length === 0) throw new Error(`${dir}: expected JPEG frames (.jpg, .jpeg), found none`);
  const meta = await readImageSize(path.join(dir, names[0]!)).catch((e: Error) => {
    throw new Error(`${path.join(dir, names[0]!)}: frame 0 is not a readable JPEG: ${e.message}`);
  });
  const seq = parseSequence(
    {
      format: SEQUENCE_FORMAT,
      version: 1,
      fps,
      width: meta.width,
      height: meta.height,
      source: { kind: 'imported', tool: 'mask-gate sequence index', created: new Date().toISOString() },
      frames: names.map((file, i) => ({ file, t_ms: Math.round((i * 1000) / fps) })),
    },
    target,
  );
  await writeFile(target, JSON.stringify(seq, null, 2) + '\n');
  process.stderr.write(`wrote ${target}: ${names.length} frames, ${meta.width}x${meta.height}, ${fps} fps\n`);
  return 0;
}

async function check(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sequence check', USAGE, argv, {});
  if (typeof args === 'number') return args;
  if (args.positionals.length !== 1) return usageError('sequence check', USAGE, 'expected one SEQ directory');
  const dir = args.positionals[0]!;
  const { sequence: s } = await loadSequence(dir);
  // Decode every frame the way a replay does; problems come back as warnings naming frame and file.
  const src = new SequenceSource({ dir, uri: dir, width: s.width, height: s.height, loop: false, logger: memoryLogger() });
  const problems: string[] = [];
  src.on('warning', (w) => problems.push(w.message));
  let good = 0;
  try {
    await src.start();
    while (await src.next()) good++;
  } catch (e) {
    problems.push((e as Error).message);
  }
  const last = s.frames[s.frames.length - 1]!.t_ms;
  process.stdout.write(
    `${dir}: ${s.frames.length} frames, ${(last / 1000).toFixed(1)} s, ${s.width}x${s.height} at ${s.fps} fps, ${s.source.kind}` +
      `${s.source.uri ? ` from ${s.source.uri}` : ''}; ${s.expectations ? `${s.expectations.outcomes.length} expected outcome(s)` : 'no expectations'}; ${good} frame(s) decode\n`,
  );
  for (const p of problems) process.stdout.write(`  ${p}\n`);
  return problems.length ? 1 : 0;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
