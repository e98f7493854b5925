import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SHARED_DATASET } from '../cli/demo';
import { BENCH_CACHE, benchSequence } from './bench-sequence';
import { formatCompare, formatRun } from './report';
import { runBench, type BenchResult } from './run-bench';

const USAGE = `usage: npm run bench -- [--json] [--threads 1|2] [--size 640x360|960x544] [--decoder two_stage|detectnet_v2] [--compare]
  Replays a doorway sequence (42 people and groups cut out of the model's validation split of
  ${SHARED_DATASET}, cached in ${BENCH_CACHE}) through the real pipeline, fake hardware, no outputs,
  and prints FPS, per-stage ms, outcomes against the labels, decision latency from decision size, peak RSS.
  --model DIR    the two_stage model (default models/mask-two-stage)
  --data DIR     the face-mask photos (default ${SHARED_DATASET})
  --compare      runs the matrix (threads x sizes, and detectnet_v2), each in its own process
  --changes      runs the default with and without each throughput change (overlap, reclassify, idle
                 stride, all three), each in its own process
  --sequential   detector.overlap off: one frame at a time, inference on the main thread
  --reclassify N detector.reclassify.everyFrames (1: every face every frame)
  --idle-every N detector.idle.every (1: the face network on every frame)
  detectnet_v2 runs a SYNTHETIC-weights DetectNet_v2-format model (no real one ships): overhead only.`;

const SIZES = ['640x360', '960x544'] as const;

export async function benchMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        threads: { type: 'string', default: '1' }, // the config default: faster than 2 on 2 cores
        size: { type: 'string', default: '640x360' },
        decoder: { type: 'string', default: 'two_stage' },
        compare: { type: 'boolean' },
        changes: { type: 'boolean' },
        sequential: { type: 'boolean' },
        reclassify: { type: 'string' },
        'idle-every': { type: 'string' },
        model: { type: 'string', default: 'models/mask-two-stage' },
        data: { type: 'string', default: SHARED_DATASET },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) return process.stdout.write(USAGE + '\n'), 0;
  const threads = Number(args.threads);
  const size = /^(\d+)x(\d+)$/.exec(args.size);
  if (![1, 2].includes(threads) || !size || !['two_stage', 'detectnet_v2'].includes(args.decoder)) {
    process.stderr.write(`bench: expected --threads 1|2, --size WxH, --decoder two_stage|detectnet_v2\n${USAGE}\n`);
    return 2;
  }
  const reclassifyEvery = args.reclassify === undefined ? undefined : Number(args.reclassify);
  const idleEvery = args['idle-every'] === undefined ? undefined : Number(args['idle-every']);
  if ((reclassifyEvery !== undefined && !(Number.isInteger(reclassifyEvery) && reclassifyEvery >= 1 && reclassifyEvery <= 30)) || (idleEvery !== undefined && !(Number.isInteger(idleEvery) && idleEvery >= 1 && idleEvery <= 4))) {
    process.stderr.write(`bench: expected --reclassify 1..30 and --idle-every 1..4\n${USAGE}\n`);
    return 2;
  }
  if (args.compare) return compare(argv.filter((a) => a !== '--compare' && a !== '--json'), args.json === true, matrixModes());
  if (args.changes) return compare(argv.filter((a) => a !== '--changes' && a !== '--json'), args.json === true, changeModes());

  try {
    const [width, height] = [Number(size[1]), Number(size[2])];
    const { dir: seqDir, made } = await benchSequence(width, height, args.data, path.join(args.model, 'split', 'val.txt'));
    // Making the sequence takes memory the measurement must not see: measure in a fresh process.
    if (made) return await rerun(argv);
    let model = path.resolve(args.model);
    if (args.decoder === 'detectnet_v2') {
      mkdirSync(BENCH_CACHE, { recursive: true });
      model = (await import('./synthetic-detectnet.js')).writeSyntheticDetectNet(BENCH_CACHE);
    }
    const r = await runBench({
      seqDir,
      model,
      threads,
      width,
      height,
      ...(args.sequential ? { overlap: false } : {}),
      ...(reclassifyEvery !== undefined ? { reclassifyEvery } : {}),
      ...(idleEvery !== undefined ? { idleEvery } : {}),
    });
    process.stdout.write(args.json ? JSON.stringify(r) + '\n' : formatRun(r) + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 1;
  }
}

interface Mode {
  mode: string;
  args: string[];
}

function matrixModes(): Mode[] {
  const modes: Mode[] = [];
  for (const s of SIZES) for (const t of ['1', '2']) modes.push({ mode: `two_stage ${s} ${t} thread(s)`, args: ['--size', s, '--threads', t] });
  for (const t of ['1', '2']) modes.push({ mode: `detectnet_v2 (synthetic) 640x360 ${t} thread(s)`, args: ['--size', '640x360', '--threads', t, '--decoder', 'detectnet_v2'] });
  return modes;
}

/** The default, without each throughput change, and without all of them (the frame loop before issue 16). */
function changeModes(): Mode[] {
  return [
    { mode: 'default (all three on)', args: [] },
    { mode: 'without overlap', args: ['--sequential'] },
    { mode: 'without reclassify (every face, every frame)', args: ['--reclassify', '1'] },
    { mode: 'without idle stride', args: ['--idle-every', '1'] },
    { mode: 'without all three', args: ['--sequential', '--reclassify', '1', '--idle-every', '1'] },
  ];
}

/** Each mode in a child process of its own: peak RSS and onnxruntime's thread pools do not carry over. */
async function compare(base: string[], json: boolean, modes: Mode[]): Promise<number> {
  const rows: { mode: string; result: BenchResult | { error: string } }[] = [];
  for (const m of modes) {
    if (!json) process.stderr.write(`bench: ${m.mode} ...\n`);
    const result = await new Promise<BenchResult | { error: string }>((resolve) => {
      execFile(process.execPath, [...process.execArgv, __filename, ...stripModeArgs(base), ...m.args, '--json'], { maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
        resolve(err ? { error: (stderr.trim().split('\n').at(-1) ?? String(err)).replace(/^bench: /, '') } : (JSON.parse(stdout) as BenchResult)),
      );
    });
    rows.push({ mode: m.mode, result });
  }
  process.stdout.write(json ? JSON.stringify({ compare: rows }) + '\n' : formatCompare(rows) + '\n');
  return rows.some((r) => 'error' in r.result) ? 1 : 0;
}

function rerun(argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, ...argv], { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** The matrix sets --size, --threads and --decoder itself. */
function stripModeArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (['--size', '--threads', '--decoder', '--reclassify', '--idle-every'].includes(a)) i++;
    else if (a === '--sequential') continue;
    else if (!/^--(size|threads|decoder|reclassify|idle-every)=/.test(a)) out.push(a);
  }
  return out;
}

if (require.main === module) {
  benchMain(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
