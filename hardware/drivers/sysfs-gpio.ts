/**
 * sysfs GPIO through onoff, for JetPack 4 (Nano, Xavier NX). The only file that loads `onoff`; it is
 * required lazily in open(), and can be injected, since onoff cannot be pointed at a fake sysfs tree.
 * The kernel applies activeLow (sysfs `active_low`), so onoff gets logical values.
 */
import { systemClock, type Clock } from '../clock';
import { InputBase, OutputBase } from '../device-base';
import { BoardError, GpioError, errorText } from '../errors';
import { physicalLevel } from '../level';

type Bit = 0 | 1;
/** The part of onoff's Gpio used here, typed locally so onoff stays optional at compile time too. */
export interface OnoffGpio {
  readSync(): Bit;
  writeSync(value: Bit): void;
  watch(callback: (err: Error | null | undefined, value: Bit) => void): void;
  unwatchAll(): void;
  unexport(): void;
}
export interface OnoffModule {
  Gpio: new (
    gpio: number,
    direction: 'in' | 'out' | 'high' | 'low',
    edge: 'none' | 'both',
    options: { activeLow: boolean; debounceTimeout?: number },
  ) => OnoffGpio;
}
export type OnoffLoader = () => OnoffModule;

export const loadOnoff: OnoffLoader = () => {
  try {
    return require('onoff') as OnoffModule;
  } catch (e) {
    throw new BoardError(`the onoff module is not available (optionalDependency; build failed or not installed): ${(e as Error).message}`);
  }
};

interface SysfsCommon {
  name: string;
  /** Global sysfs number (board-pins.ts). */
  sysfs: number;
  activeLow: boolean;
  clock?: Clock;
  load?: OnoffLoader;
}

export class SysfsOutput extends OutputBase {
  private gpio: OnoffGpio | null = null;

  constructor(private readonly opts: SysfsCommon & { safeLevel: boolean }) {
    super(opts.name, opts, opts.clock ?? systemClock);
  }

  protected async claimLine(initial: boolean): Promise<void> {
    if (this.gpio) return this.set(initial); // still exported from a previous open
    const { Gpio } = (this.opts.load ?? loadOnoff)();
    // Direction 'high'/'low' sets the raw level together with the direction: no glitch through the
    // other level (plain 'out' starts low, which switches an active-low relay on).
    const direction = physicalLevel(initial, this.activeLow) ? 'high' : 'low';
    try {
      this.gpio = new Gpio(this.opts.sysfs, direction, 'none', { activeLow: this.activeLow });
    } catch (e) {
      throw new GpioError(this.name, `cannot export sysfs gpio${this.opts.sysfs} as output: ${errorText(e)}`, { cause: e });
    }
  }

  // writeSync even on the async path: a sysfs write takes microseconds, and an async write queued in the
  // thread pool could land after writeSafeSync.
  protected async driveLevel(level: boolean): Promise<void> {
    this.set(level);
  }

  protected driveSafeSync(): void {
    this.set(this.safeLevel);
  }

  protected hasLine(): boolean {
    return this.gpio !== null;
  }

  /** The pin stays exported and driven at the safe level, also after the process exits. */
  protected async releaseLine(): Promise<void> {}

  private set(level: boolean): void {
    try {
      this.gpio?.writeSync(level ? 1 : 0);
    } catch (e) {
      throw new GpioError(this.name, `write to sysfs gpio${this.opts.sysfs} failed: ${errorText(e)}`, { cause: e });
    }
  }
}

/** Input with edge 'both'; onoff debounces (debounceTimeout) with the rule of debounce.ts. */
export class SysfsInput extends InputBase {
  private gpio: OnoffGpio | null = null;

  constructor(private readonly opts: SysfsCommon & { debounceMs: number }) {
    super(opts.name, opts, opts.clock ?? systemClock);
  }

  protected async claimLine(): Promise<boolean> {
    const { Gpio } = (this.opts.load ?? loadOnoff)();
    let gpio: OnoffGpio;
    let initial: boolean;
    try {
      gpio = new Gpio(this.opts.sysfs, 'in', 'both', { activeLow: this.activeLow, debounceTimeout: this.debounceMs });
      initial = gpio.readSync() === 1;
    } catch (e) {
      throw new GpioError(this.name, `cannot export sysfs gpio${this.opts.sysfs} as input: ${errorText(e)}`, { cause: e });
    }
    gpio.watch((err, value) => {
      if (err) this.emitError(new GpioError(this.name, `watch on sysfs gpio${this.opts.sysfs} failed: ${errorText(err)}`, { cause: err }));
      else this.settledEdge(value === 1);
    });
    this.gpio = gpio;
    return initial;
  }

  protected async releaseLine(): Promise<void> {
    this.releaseLineSync();
  }

  protected releaseLineSync(): void {
    const gpio = this.gpio;
    this.gpio = null;
    if (!gpio) return;
    gpio.unwatchAll();
    gpio.unexport();
  }
}
