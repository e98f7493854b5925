import { availableParallelism } from 'node:os';

/**
 * How many intra-op threads the machine has room for. onnxruntime gives each session a pool of `threads`
 * threads; with `detector.overlap` two sessions run at once (frame n+1's face network while frame n is
 * classified), so the gate asks for threads x 2 cores, plus the main thread's decoding hand-off, cropping,
 * tracking and statechart. More pool threads than cores only take turns with the other network and the main
 * thread: measured on this project's 2-core build machine (2026-12-02, `npm run bench -- --changes`, each
 * mode in its own process, the same hour), threads 2 gave 46.5 FPS against 53.8 with threads 1, frame
 * latency p95 61.8 ms against 54.0.
 *
 * Pure: the caller passes the core count (os.availableParallelism() in production), so tests do not depend
 * on the machine they run on.
 */
export interface ThreadDemand {
  /** Intra-op threads per session (detector.threads, or a tool's --threads). */
  threads: number;
  /** Sessions running inference at the same moment (sessionsAtOnce). */
  sessionsAtOnce: number;
  /** Cores this process may use. */
  cores: number;
}

/**
 * With overlap, two frames are in the detector at once, each in a different network: two sessions run at
 * the same moment. Without it (and in the offline tools) sessions run one at a time on the calling thread.
 */
export function sessionsAtOnce(overlap: boolean): number {
  return overlap ? 2 : 1;
}

/** The most threads per session the machine has room for; never under 1 (one thread is the least a session runs on). */
export function maxThreads(sessions: number, cores: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, sessions)));
}

/**
 * Why `d` asks for more threads than the machine has cores, or null when it fits. `setting` names the knob in
 * the message (`detector.threads`, `--threads`). threads 1 always fits: it is the least there is.
 */
export function threadBudgetProblem(d: ThreadDemand, setting: string): string | null {
  const cap = maxThreads(d.sessionsAtOnce, d.cores);
  if (d.threads <= cap) return null;
  const head = `${setting} ${d.threads}`;
  if (d.sessionsAtOnce > 1) {
    return (
      `${head} x ${d.sessionsAtOnce} networks running at once (detector.overlap) needs ${d.threads * d.sessionsAtOnce} cores, this machine has ${d.cores}; use at most ${cap}. ` +
      `Pool threads beyond the cores take turns with the other network and the main thread: on 2 cores the bench ran ` +
      `46.5 FPS with threads 2 against 53.8 with threads 1 (README, Performance)`
    );
  }
  return `${head} needs ${d.threads} cores, this machine has ${d.cores}; use at most ${cap}. Pool threads beyond the cores only take turns on them`;
}

/** The gate's detector settings against the machine: why `detector.threads` does not fit, or null. */
export function detectorThreadProblem(c: { threads: number; overlap: boolean }, cores: number): string | null {
  return threadBudgetProblem({ threads: c.threads, sessionsAtOnce: sessionsAtOnce(c.overlap), cores }, 'detector.threads');
}

/** Cores this process may use (the affinity mask and cgroup limits, as Node reports them). */
export function machineCores(): number {
  return availableParallelism();
}

/** The daemon refuses to start: the configured threads do not fit the machine. */
export class ThreadBudgetError extends Error {
  override readonly name = 'ThreadBudgetError';
}
