import type { Clock } from '../../hardware/clock';
import type { DigitalOutput, TextDisplay } from '../../hardware/types';
import type { Indication, LedMode } from '../../machines/gate-outputs';
import { displayMessages } from './display-messages';

import type { OutputName } from '../../hardware/create-hardware';

// The relay first: locking must never wait behind an LED.
const DRIVE_ORDER: readonly OutputName[] = ['relay', 'greenLed', 'redLed', 'amberLed', 'buzzer'];

export interface IndicationTargets {
  outputs: Readonly<Record<OutputName, DigitalOutput | null>>;
  display: TextDisplay | null;
}

export interface IndicationDriverOptions {
  clock: Clock;
  /** Half-period of a blinking LED. */
  blinkMs: number;
  /** Buzzer patterns: on/off durations in ms, repeated. */
  buzzer: { alert: number[]; escalated: number[] };
  /** A write failed: the root turns this into a hardware FAULT. */
  onError(err: unknown, output: string): void;
}

/** What one output should do: hold a level, or repeat a pattern of on/off durations. */
type Drive = { kind: 'level'; on: boolean } | { kind: 'pattern'; steps: number[] };

/**
 * Drives LEDs, buzzer, relay and display to an Indication. Only changed outputs are written; blinking and
 * buzzer patterns run on timers; the relay is written first, so locking never waits behind an LED.
 */
export class IndicationDriver {
  private current = new Map<OutputName, string>();
  private timers = new Map<OutputName, unknown>();
  private lastDisplay: string | null = null;
  private stopped = false;

  constructor(
    private readonly targets: IndicationTargets,
    private readonly opts: IndicationDriverOptions,
  ) {}

  /** Applies an indication; resolves when every write has settled. Failures go to onError. */
  async apply(ind: Indication): Promise<boolean> {
    if (this.stopped) return false;
    const drives: Record<OutputName, Drive> = {
      relay: { kind: 'level', on: ind.relay === 'released' },
      greenLed: this.led(ind.greenLed),
      redLed: this.led(ind.redLed),
      amberLed: this.led(ind.amberLed),
      buzzer: ind.buzzer === 'off' ? { kind: 'level', on: false } : { kind: 'pattern', steps: this.opts.buzzer[ind.buzzer] },
    };
    let ok = await this.drive('relay', drives.relay);
    const rest = await Promise.all(DRIVE_ORDER.filter((n) => n !== 'relay').map((n) => this.drive(n, drives[n])));
    ok = rest.every(Boolean) && ok;
    return (await this.show(ind.display)) && ok;
  }

  /** Forgets what was written, so the next apply() writes every output again (used after a fault). */
  invalidate(): void {
    this.current.clear();
    this.lastDisplay = null;
  }

  /** Stops patterns. Outputs are left as they are: the hardware's close() drives safe levels. */
  stop(): void {
    this.stopped = true;
    for (const name of [...this.timers.keys()]) this.cancel(name);
  }

  private led(mode: LedMode): Drive {
    if (mode === 'blink') return { kind: 'pattern', steps: [this.opts.blinkMs, this.opts.blinkMs] };
    return { kind: 'level', on: mode === 'on' };
  }

  private async drive(name: OutputName, d: Drive): Promise<boolean> {
    const out = this.targets.outputs[name];
    if (!out) return true;
    const key = JSON.stringify(d);
    if (this.current.get(name) === key) return true;
    this.cancel(name);
    this.current.set(name, key);
    if (d.kind === 'level') return this.write(name, out, d.on);
    this.runPattern(name, out, d.steps, 0);
    return true;
  }

  private runPattern(name: OutputName, out: DigitalOutput, steps: number[], i: number): void {
    if (this.stopped) return;
    void this.write(name, out, i % 2 === 0);
    const handle = this.opts.clock.setTimeout(() => this.runPattern(name, out, steps, (i + 1) % steps.length), steps[i % steps.length]!);
    this.timers.set(name, handle);
  }

  private cancel(name: OutputName): void {
    const h = this.timers.get(name);
    if (h !== undefined) this.opts.clock.clearTimeout(h);
    this.timers.delete(name);
  }

  private async write(name: OutputName, out: DigitalOutput, on: boolean): Promise<boolean> {
    try {
      await out.write(on);
      return true;
    } catch (e) {
      this.current.delete(name); // written state unknown: retry on the next apply()
      this.opts.onError(e, name);
      return false;
    }
  }

  private async show(msg: Indication['display']): Promise<boolean> {
    const d = this.targets.display;
    if (!d || this.lastDisplay === msg) return true;
    this.lastDisplay = msg;
    try {
      await d.writeLines(displayMessages[msg].map((l) => l.slice(0, d.columns)).slice(0, d.rows));
      return true;
    } catch (e) {
      this.lastDisplay = null;
      this.opts.onError(e, 'display');
      return false;
    }
  }
}
