import { systemClock, type Clock } from '../clock';
import { OutputBase } from '../device-base';
import { GpioError } from '../errors';
import { physicalLevel } from '../level';
import type { Unsubscribe } from '../types';
import { History } from './history';

export interface FakeOutputOptions {
  name: string;
  activeLow?: boolean;
  safeLevel?: boolean;
  clock?: Clock;
}

/**
 * In-memory DigitalOutput with the same rules as the drivers (OutputBase). Controls: `failNextWrite`,
 * `injectError`, `watch`; state: `physicalLevel` (the electrical level, null before the first open, kept
 * after close like sysfs keeps a pin exported) and `history` (ops open/write/safe/close with logical and
 * physical levels).
 */
export class FakeDigitalOutput extends OutputBase {
  private readonly log: History;
  private physical: boolean | null = null;
  private nextFailure: string | null = null;
  private readonly watchers = new Set<(level: boolean, physical: boolean) => void>();

  constructor(opts: FakeOutputOptions) {
    const clock = opts.clock ?? systemClock;
    super(opts.name, { activeLow: opts.activeLow ?? false, safeLevel: opts.safeLevel ?? false }, clock);
    this.log = new History(clock);
  }

  get history() {
    return this.log.entries;
  }

  get physicalLevel(): boolean | null {
    return this.physical;
  }

  /** Control: the next write (not open, close or safe) fails as a driver write failure does. */
  failNextWrite(reason = 'injected write failure'): void {
    this.nextFailure = reason;
  }

  /** Control: report an asynchronous driver failure (a line holder died) through onError. */
  injectError(reason = 'injected failure'): void {
    this.log.add('error', { reason });
    this.emitError(new GpioError(this.name, reason));
  }

  /** Observes every level driven, synchronously (tests, the safe-state child fixture). */
  watch(fn: (level: boolean, physical: boolean) => void): Unsubscribe {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  protected async claimLine(initial: boolean): Promise<void> {
    this.drive('open', initial);
  }

  protected async driveLevel(level: boolean): Promise<void> {
    if (this.nextFailure !== null) {
      const reason = this.nextFailure;
      this.nextFailure = null;
      this.log.add('write-failed', { level, reason });
      throw new GpioError(this.name, `write failed: ${reason}`);
    }
    this.drive('write', level);
  }

  protected driveSafeSync(): void {
    this.drive('safe', this.safeLevel);
  }

  protected hasLine(): boolean {
    return this.physical !== null;
  }

  protected async releaseLine(): Promise<void> {
    this.log.add('close');
  }

  private drive(op: string, level: boolean): void {
    this.physical = physicalLevel(level, this.activeLow);
    this.log.add(op, { level, physical: this.physical });
    for (const w of [...this.watchers]) w(level, this.physical);
  }
}
