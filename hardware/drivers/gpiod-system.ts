/**
 * Process and /proc access for the gpiod driver, behind an interface so tests assert exact command lines
 * without running anything. `nodeGpiodSystem` is the real one (Linux only: it reads /proc).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the program could not be started at all (ENOENT: tools not installed). */
  error?: Error;
}

/** A running gpioset (line holder) or gpiomon (line monitor). */
export interface LineProcess {
  /** Undefined when the program could not be started. */
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
  onStdoutLine(listener: (line: string) => void): void;
  /** What the process wrote to stderr so far (the reason when gpioset fails). */
  stderr(): string;
  /** Lets Node exit while the process runs (the hardware layer never keeps the process alive by itself). */
  unref(): void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

export interface GpiodSystem {
  /** Starts a long-running tool. `detached`: own process group, so it survives our exit and a terminal's Ctrl-C. */
  spawn(cmd: string, args: readonly string[], detached: boolean): LineProcess;
  /** Runs a short tool to completion (gpioset --version, gpiodetect, gpioget). */
  run(cmd: string, args: readonly string[]): Promise<RunResult>;
  /** False once the process is gone or a zombie: by then the kernel has released its lines. */
  isAlive(pid: number): boolean;
  /** Pids of other processes whose argv satisfies `match` (finds a holder a previous run left behind). */
  findProcesses(match: (argv: string[]) => boolean): number[];
  kill(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Blocks the thread (exit paths only). */
  sleepSync(ms: number): void;
}

function lines(stream: Readable, listener: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      listener(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

export const nodeGpiodSystem: GpiodSystem = {
  spawn(cmd, args, detached) {
    const child = spawn(cmd, [...args], { detached, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      err = (err + d).slice(-4096);
    });
    const listeners: ((line: string) => void)[] = [];
    if (child.stdout) lines(child.stdout, (l) => listeners.forEach((f) => f(l)));
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    return {
      pid: child.pid,
      exited,
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
      onStdoutLine: (l) => listeners.push(l),
      stderr: () => err,
      unref: () => {
        child.unref();
        (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
        (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      },
    };
  },

  run(cmd, args) {
    return new Promise((resolve) => {
      execFile(cmd, [...args], { timeout: 5000, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr, ...(error && typeof error.code !== 'number' ? { error } : {}) });
      });
    });
  },

  isAlive(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  },

  findProcesses(match) {
    const found: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (match(argv)) found.push(Number(entry));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return found;
  },

  kill(pid, signal) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  },

  sleepSync(ms) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  },
};

/** Whether argv runs `program` (directly or as a script), e.g. ['gpioset', ...] or ['/bin/sh', '/x/gpioset', ...]. */
export function runsProgram(argv: readonly string[], program: string): boolean {
  return argv.slice(0, 2).some((a) => basename(a) === program);
}
