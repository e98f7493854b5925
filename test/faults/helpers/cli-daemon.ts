import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const BIN = path.join(__dirname, '../../../bin/mask-gate.js');

export interface CliDaemon {
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output(): string;
  /** Resolves once `ok(output)` holds; rejects if the process exits first or after `ms`. */
  until(what: string, ok: (output: string) => boolean, ms?: number): Promise<void>;
  /** until() for a pattern. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real `mask-gate run` (the compiled CLI, as systemd starts it) on a config written to `dir`.
 * `wrap` prefixes the command (e.g. runuser to drop privileges); `bin` is another install's launcher.
 */
export function startCli(dir: string, config: Record<string, unknown>, opts: { wrap?: string[]; env?: NodeJS.ProcessEnv; bin?: string; cwd?: string } = {}): CliDaemon {
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2)); // YAML is a superset of JSON
  const argv = [...(opts.wrap ?? []), process.execPath, opts.bin ?? BIN, 'run', '--config', file];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { PATH: process.env.PATH, MASK_GATE_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const until = (what: string, ok: (output: string) => boolean, ms = 25_000) =>
      new Promise<void>((resolve, reject) => {
        const done = (fn: () => void) => {
          waiters.delete(check);
          clearTimeout(timer);
          fn();
        };
        const check = () => ok(out) && done(resolve);
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}:\n${out.slice(-3000)}`))), ms);
        waiters.add(check);
        void exited.then(() => setImmediate(() => waiters.has(check) && done(() => reject(new Error(`daemon exited before ${what}:\n${out.slice(-3000)}`)))));
        check();
      });
  return { child, output: () => out, exited, until, waitFor: (re, ms) => until(String(re), (o) => re.test(o), ms) };
}

/** A daemon config for the colour world: simulated hardware, no voice, no dashboard unless asked. */
export function cliConfig(dir: string, model: string, over: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    ...over,
    camera: { source: 'frames://' + path.join(dir, 'seq'), width: 160, height: 96, paced: true, loop: true, ...over.camera },
    detector: { model, threads: 1, ...over.detector },
    // The colour world's face never moves (one fixed box): the picture rule is off, as in daemon-rig's FAST_GATE.
    gate: { selfTestBlinkMs: 20, personGoneMs: 400, faultRetryMs: 300, relayOpenMs: 300, stationaryAfterMs: 0, ...over.gate },
    hardware: { driver: 'simulated', ...over.hardware },
    eventLog: { path: path.join(dir, 'events.sqlite'), ...over.eventLog },
    voice: { enabled: false },
    dashboard: { enabled: false, ...over.dashboard },
  };
}
