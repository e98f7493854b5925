import type { Logger } from './log';

/** Something the composition root starts and stops. Both are async and idempotent. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts services in order and stops them in reverse. If one fails to start, the ones already started are
 * stopped (in reverse) before the error is rethrown, so nothing is left half-running.
 */
export class ServiceStack {
  private started: Service[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly services: readonly Service[],
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    for (const s of this.services) {
      if (this.started.includes(s)) continue;
      this.log.info(`starting ${s.name}`);
      try {
        await s.start();
      } catch (e) {
        this.log.error(`${s.name} failed to start`, { error: e });
        await this.stop();
        throw e;
      }
      this.started.push(s);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const s of [...this.started].reverse()) {
        this.log.info(`stopping ${s.name}`);
        try {
          await s.stop();
        } catch (e) {
          // Keep going: a service that fails to stop must not keep the hardware from reaching its safe state.
          this.log.error(`${s.name} failed to stop`, { error: e });
        }
      }
      this.started = [];
    })().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }
}
