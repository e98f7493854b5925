import { systemClock, type Clock } from '../clock';
import { InputBase } from '../device-base';
import { GpioError } from '../errors';
import { toLevel } from '../level';
import { History } from './history';

export interface FakeInputOptions {
  name: string;
  activeLow?: boolean;
  debounceMs?: number;
  /** Logical level of the contact before any control is used. */
  initial?: boolean;
  clock?: Clock;
}

/**
 * In-memory DigitalInput. Controls change the raw logical level of the contact (`setLevel`, `press`,
 * `release`); it goes through the same Debouncer as the gpiod driver. The contact keeps its level while the
 * device is closed, and open() reads it, as a real line would. History ops: raw, change, open, close, error.
 */
export class FakeDigitalInput extends InputBase {
  private readonly log: History;
  private line: boolean;

  constructor(opts: FakeInputOptions) {
    const clock = opts.clock ?? systemClock;
    super(opts.name, { activeLow: opts.activeLow ?? true, debounceMs: opts.debounceMs ?? 30 }, clock);
    this.log = new History(clock);
    this.line = opts.initial ?? false;
  }

  get history() {
    return this.log.entries;
  }

  /** Control: the contact's raw logical level changes (each call is one edge, as a bounce would be). */
  setLevel(level: boolean | 0 | 1): void {
    const l = toLevel(this.name, level);
    this.line = l;
    this.log.add('raw', { level: l });
    if (this.isOpen) this.rawEdge(l);
  }

  press(): void {
    this.setLevel(true);
  }

  release(): void {
    this.setLevel(false);
  }

  /** Control: report an asynchronous monitor failure through onError. */
  injectError(reason = 'injected failure'): void {
    this.log.add('error', { reason });
    this.emitError(new GpioError(this.name, reason));
  }

  protected override notify(level: boolean, t: number): void {
    this.log.add('change', { level });
    super.notify(level, t);
  }

  protected async claimLine(): Promise<boolean> {
    this.log.add('open', { level: this.line });
    return this.line;
  }

  protected async releaseLine(): Promise<void> {
    this.log.add('close');
  }

  protected releaseLineSync(): void {
    this.log.add('close', { sync: true });
  }
}
