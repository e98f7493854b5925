import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SHARED_DATASET } from '../cli/demo';
import { ConfigSchema } from '../config/schema';
import { machineCores, maxThreads, sessionsAtOnce } from '../detector/thread-budget';
import { createLogger } from '../log';
import { buildDaemon } from '../main';
import { benchSequence } from './bench-sequence';

const USAGE = `usage: npm run soak -- [--minutes 20] [--warmup 2] [--model DIR] [--data DIR]
  Loops the bench's doorway replay (640x360, 30 fps, real time) through the whole daemon: camera, detector,
  tracker, statechart, event log (a temp SQLite file), dashboard (loopback, a free port), simulated
  hardware. Prints a line a minute (RSS, heap, event-loop lag p99, frames, decisions) and, at the end, RSS
  growth after the warm-up against the 10% limit. Exit 1 when it is over.`;

const LIMIT = 0.1;
const SAMPLE_MS = 5000;

export async function soakMain(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, options: { minutes: { type: 'string', default: '20' }, warmup: { type: 'string', default: '2' }, model: { type: 'string', default: 'models/mask-two-stage' }, data: { type: 'string', default: SHARED_DATASET }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (e) {
    process.stderr.write(`soak: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) return process.stdout.write(USAGE + '\n'), 0;
  const minutes = Number(v.minutes);
  const warmup = Math.min(Number(v.warmup), minutes / 2);
  if (!(minutes > 0) || !(warmup >= 0)) {
    process.stderr.write(`soak: expected --minutes > 0 and --warmup >= 0\n${USAGE}\n`);
    return 2;
  }
  const { dir: seqDir } = await benchSequence(640, 360, v.data);
  const data = mkdtempSync(path.join(tmpdir(), 'mask-gate-soak-'));
  const config = ConfigSchema.parse({
    camera: { source: `frames://${seqDir}`, paced: true, loop: true, width: 640, height: 360 },
    // 2 threads per network where the daemon accepts them (not on 2 cores: thread-budget.ts).
    detector: { model: path.resolve(v.model), threads: Math.min(2, maxThreads(sessionsAtOnce(true), machineCores())) },
    hardware: { driver: 'simulated' },
    eventLog: { path: path.join(data, 'events.sqlite') },
    dashboard: { enabled: true, host: '127.0.0.1', port: 0 },
    voice: { enabled: false },
    log: { level: 'warn' },
  });
  let frames = 0;
  let decisions = 0;
  const daemon = buildDaemon(config, {
    log: createLogger('soak', 'warn'),
    listeners: [{ onDecision: () => decisions++ }],
    onFrame: () => frames++,
    services: { voice: false, mqtt: false, systemd: false },
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const samples: { t: number; rss: number }[] = [];
  const mb = (b: number) => b / 2 ** 20;
  const t0 = Date.now();
  await daemon.start();
  await daemon.ready;
  lag.enable();
  process.stdout.write('minute   rss MB  heap MB  lag p99 ms  frames (fps)  decisions\n');
  const sampler = setInterval(() => samples.push({ t: Date.now() - t0, rss: process.memoryUsage.rss() }), SAMPLE_MS);
  let lastFrames = 0;
  for (let m = 1; m <= minutes; m++) {
    await new Promise((r) => setTimeout(r, 60_000));
    const mem = process.memoryUsage();
    const fps = (frames - lastFrames) / 60;
    lastFrames = frames;
    process.stdout.write(`${String(m).padStart(6)} ${mb(mem.rss).toFixed(1).padStart(8)} ${mb(mem.heapUsed).toFixed(1).padStart(8)} ${(lag.percentile(99) / 1e6).toFixed(1).padStart(11)} ${String(frames).padStart(7)} (${fps.toFixed(1)}) ${String(decisions).padStart(10)}\n`);
    lag.reset();
  }
  clearInterval(sampler);
  await daemon.stop();
  rmSync(data, { recursive: true, force: true });
  const growth = rssGrowth(samples, warmup * 60_000);
  const verdict = growth.ratio < LIMIT ? 'PASS' : 'FAIL';
  process.stdout.write(`RSS after warm-up (${warmup} min) ${growth.baseMb.toFixed(1)} MB, at the end ${growth.endMb.toFixed(1)} MB: growth ${(growth.ratio * 100).toFixed(1)}% (limit ${LIMIT * 100}%) ${verdict}\n`);
  return verdict === 'PASS' ? 0 : 1;
}

/** Median RSS of the minute after the warm-up against the median of the last minute. */
export function rssGrowth(samples: { t: number; rss: number }[], warmupMs: number): { baseMb: number; endMb: number; ratio: number } {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const after = samples.filter((s) => s.t >= warmupMs);
  const end = after.at(-1)?.t ?? 0;
  const base = median(after.filter((s) => s.t < warmupMs + 60_000).map((s) => s.rss));
  const last = median(after.filter((s) => s.t > end - 60_000).map((s) => s.rss));
  return { baseMb: base / 2 ** 20, endMb: last / 2 ** 20, ratio: base ? (last - base) / base : 0 };
}

if (require.main === module) {
  soakMain(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
