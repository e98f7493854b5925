/**
 * Safe state on the way out. On SIGTERM, SIGINT, SIGHUP, an uncaught exception or an unhandled rejection,
 * every output is driven to its configured safe level synchronously (async work may never run on a
 * crash), input monitors are stopped, and the process exits with 128 + signal number, or 1 for a crash.
 *
 * SIGKILL (kill -9, the OOM killer) cannot be caught: then the relay's wiring decides (fail-secure or
 * fail-safe lock), together with the service manager's ExecStopPost (provisioning).
 */
import { constants } from 'node:os';
import type { Logger } from '../src/log';
import type { SafeStateReport } from './create-hardware';
import { errorText } from './errors';

export interface SafeStateTarget {
  safeState(): SafeStateReport[];
  exitSync(): SafeStateReport[];
}

/** The parts of `process` used; injected by tests that must not exit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches process.on's own listener type
type Listener = (...args: any[]) => void;
export interface ProcessLike {
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  exit(code: number): void;
}

export const SAFE_STATE_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function logReport(logger: Logger, reason: string, report: SafeStateReport[]): void {
  const failed = report.filter((r) => r.result === 'failed');
  const summary = report.map((r) => `${r.name}=${r.level ? 'on' : 'off'}${r.result === 'driven' ? '' : ` (${r.result})`}`).join(' ');
  if (failed.length) logger.error(`safe state (${reason}) incomplete: ${summary}`, { failed });
  else logger.warn(`safe state (${reason}): ${summary}`);
}

/** The machine's fault path: outputs to their safe levels now; the process carries on. */
export function enterSafeState(hw: SafeStateTarget, logger: Logger, reason: string): SafeStateReport[] {
  const report = hw.safeState();
  logReport(logger, reason, report);
  return report;
}

/**
 * Registers the exit handlers; returns a function that removes them. With `signals: false` the caller
 * handles SIGTERM/SIGINT/SIGHUP itself (the daemon stops gracefully), and only crashes and exit are covered.
 */
export function installSafeState(hw: SafeStateTarget, logger: Logger, proc: ProcessLike = process, opts: { signals?: boolean } = {}): () => void {
  let done = false;
  const leave = (reason: string) => {
    if (done) return;
    done = true;
    try {
      logReport(logger, reason, hw.exitSync());
    } catch (e) {
      logger.error(`safe state (${reason}) failed: ${errorText(e)}`);
    }
  };

  const handlers: [string, Listener][] = [];
  for (const sig of opts.signals === false ? [] : SAFE_STATE_SIGNALS) {
    handlers.push([
      sig,
      () => {
        leave(`signal ${sig}`);
        proc.exit(128 + constants.signals[sig]);
      },
    ]);
  }
  const crash = (kind: string) => (err: unknown) => {
    logger.error(`${kind}: ${errorText(err)}`, { stack: err instanceof Error ? err.stack : undefined });
    leave(kind);
    proc.exit(1);
  };
  handlers.push(['uncaughtException', crash('uncaught exception')]);
  handlers.push(['unhandledRejection', crash('unhandled rejection')]);
  // Someone called process.exit() elsewhere: still leave safely ('exit' listeners run synchronously).
  handlers.push(['exit', () => leave('exit')]);

  for (const [event, fn] of handlers) proc.on(event, fn);
  return () => {
    for (const [event, fn] of handlers) proc.removeListener(event, fn);
  };
}
