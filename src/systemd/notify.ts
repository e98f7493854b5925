import { execFile } from 'node:child_process';
import type { Logger } from '../log';

export interface NotifierDeps {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Runs `systemd-notify`; injected by tests. */
  run?: (args: string[]) => Promise<void>;
  now?: () => number;
}

/**
 * sd_notify for Type=notify units: READY=1 once the detector is warm, WATCHDOG=1 while frames flow, STOPPING=1
 * on stop. Node has no unix datagram sockets, so this goes through `systemd-notify`, which needs the unit's
 * NotifyAccess=all. Without NOTIFY_SOCKET (not under systemd) it does nothing.
 */
export class SystemdNotifier {
  private readonly enabled: boolean;
  private readonly intervalMs: number;
  private lastPing = -Infinity;
  private readonly run: (args: string[]) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly deps: NotifierDeps) {
    const env = deps.env ?? process.env;
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    // WATCHDOG_USEC is the unit's WatchdogSec; ping at half of it so one late ping is not fatal.
    const usec = Number(env.WATCHDOG_USEC);
    this.intervalMs = Number.isFinite(usec) && usec > 0 ? usec / 2000 : 10_000;
    this.run =
      deps.run ??
      ((args) =>
        new Promise((resolve, reject) => execFile('systemd-notify', args, { env: { ...process.env } }, (err) => (err ? reject(err) : resolve()))));
    this.now = deps.now ?? Date.now;
  }

  ready(status: string): void {
    this.send(['--ready', `--status=${status}`]);
  }

  /** Called for every processed frame; pings at most every WatchdogSec/2. No frames, no pings: systemd restarts us. */
  watchdog(): void {
    const t = this.now();
    if (t - this.lastPing < this.intervalMs) return;
    this.lastPing = t;
    this.send(['WATCHDOG=1']);
  }

  stopping(): void {
    this.send(['STOPPING=1']);
  }

  private send(args: string[]): void {
    if (!this.enabled) return;
    this.run(args).catch((e) => this.deps.log.warn('systemd-notify failed', { args, error: e }));
  }
}
