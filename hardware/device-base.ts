/**
 * Shared lifecycle and rules for every device, real or fake, so that both enforce the contract in types.ts
 * identically: idempotent open/close, one operation at a time, DeviceClosedError, level validation,
 * the debounce rule, and safe-state precedence over in-flight writes.
 */
import type { Clock } from './clock';
import { Debouncer } from './debounce';
import { DeviceClosedError, type HardwareError, type HardwareFaultSource } from './errors';
import { toLevel } from './level';
import type { DigitalInput, DigitalOutput, HardwareDevice, LevelInput, Unsubscribe } from './types';

export abstract class DeviceBase implements HardwareDevice {
  private opened = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly errorListeners = new Set<(err: HardwareError) => void>();

  constructor(
    readonly name: string,
    protected readonly clock: Clock,
    protected readonly faultSource: HardwareFaultSource = 'hardware',
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  open(): Promise<void> {
    return this.serial(async () => {
      if (this.opened) return;
      await this.doOpen();
      this.opened = true;
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (!this.opened) return;
      this.opened = false;
      await this.doClose();
    });
  }

  onError(listener: (err: HardwareError) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  protected abstract doOpen(): Promise<void>;
  protected abstract doClose(): Promise<void>;

  /** Runs `op` after every operation queued before it, whatever their outcome. */
  protected serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  protected ensureOpen(op: string): void {
    if (!this.opened) throw new DeviceClosedError(this.name, op, this.faultSource);
  }

  /** Marks the device closed without I/O (exit paths that released resources synchronously). */
  protected markClosed(): void {
    this.opened = false;
  }

  protected emitError(err: HardwareError): void {
    for (const l of [...this.errorListeners]) l(err);
  }
}

export interface OutputOptions {
  activeLow: boolean;
  safeLevel: boolean;
}

/**
 * Output rules on top of a driver's four primitives. Drivers receive logical levels and apply activeLow
 * themselves (sysfs through the kernel's active_low, gpiod by inverting the value it sets).
 */
export abstract class OutputBase extends DeviceBase implements DigitalOutput {
  readonly activeLow: boolean;
  readonly safeLevel: boolean;
  private current: boolean;
  /** Bumped by writeSafeSync, so a write that was in flight knows it lost. */
  private safeEpoch = 0;

  constructor(name: string, opts: OutputOptions, clock: Clock) {
    super(name, clock);
    this.activeLow = opts.activeLow;
    this.safeLevel = opts.safeLevel;
    this.current = opts.safeLevel;
  }

  get level(): boolean {
    return this.current;
  }

  write(value: LevelInput): Promise<void> {
    let level: boolean;
    try {
      level = toLevel(this.name, value);
    } catch (e) {
      return Promise.reject(e);
    }
    const epoch = this.safeEpoch;
    return this.serial(async () => {
      this.ensureOpen('write');
      if (epoch !== this.safeEpoch) return; // safe state was forced after this call: not performed
      try {
        await this.driveLevel(level);
      } catch (e) {
        if (epoch === this.safeEpoch) throw e;
        // Failed because safe state took the line meanwhile (gpiod: EBUSY, killed holder): that is the outcome wanted.
      }
      if (epoch !== this.safeEpoch) {
        await this.driveLevel(this.safeLevel);
        level = this.safeLevel;
      }
      this.current = level;
    });
  }

  writeSafeSync(): boolean {
    if (!this.hasLine()) return false;
    if (!this.isOpen && this.current === this.safeLevel) return true; // close() already left it there
    this.safeEpoch++;
    this.driveSafeSync();
    this.current = this.safeLevel;
    return true;
  }

  protected async doOpen(): Promise<void> {
    await this.claimLine(this.safeLevel);
    this.current = this.safeLevel;
  }

  protected async doClose(): Promise<void> {
    try {
      await this.driveLevel(this.safeLevel);
      this.current = this.safeLevel;
    } finally {
      await this.releaseLine();
    }
  }

  /** Requests the line as an output already at `initial` (no glitch through the other level). */
  protected abstract claimLine(initial: boolean): Promise<void>;
  protected abstract driveLevel(level: boolean): Promise<void>;
  /** Drives the safe level without yielding to the event loop. */
  protected abstract driveSafeSync(): void;
  /** Whether the line was claimed at least once (writeSafeSync has something to drive). */
  protected abstract hasLine(): boolean;
  protected abstract releaseLine(): Promise<void>;
}

export interface InputOptions {
  activeLow: boolean;
  debounceMs: number;
}

export abstract class InputBase extends DeviceBase implements DigitalInput {
  readonly activeLow: boolean;
  readonly debounceMs: number;
  private debouncer: Debouncer | null = null;
  private readonly listeners = new Set<(level: boolean, t: number) => void>();

  constructor(name: string, opts: InputOptions, clock: Clock) {
    super(name, clock);
    this.activeLow = opts.activeLow;
    this.debounceMs = opts.debounceMs;
  }

  read(): Promise<boolean> {
    return this.serial(async () => {
      this.ensureOpen('read');
      return this.debouncer?.level ?? false;
    });
  }

  onChange(listener: (level: boolean, t: number) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Exit paths: stop monitoring without yielding (kills a monitor process); the input is closed after. */
  releaseSync(): void {
    this.stopDebounce();
    this.releaseLineSync();
    this.markClosed();
  }

  protected async doOpen(): Promise<void> {
    const initial = await this.claimLine();
    this.debouncer = new Debouncer(this.debounceMs, initial, (level, t) => this.notify(level, t), this.clock);
  }

  protected async doClose(): Promise<void> {
    this.stopDebounce();
    await this.releaseLine();
  }

  /** A raw logical edge from the line: goes through the debounce rule. */
  protected rawEdge(level: boolean): void {
    this.debouncer?.raw(level);
  }

  /** A logical level already debounced by the driver (onoff's debounceTimeout). */
  protected settledEdge(level: boolean): void {
    this.debouncer?.settled(level);
  }

  protected notify(level: boolean, t: number): void {
    for (const l of [...this.listeners]) l(level, t);
  }

  /** Requests the line as an input with edge events; resolves with its current logical level. */
  protected abstract claimLine(): Promise<boolean>;
  protected abstract releaseLine(): Promise<void>;
  protected abstract releaseLineSync(): void;

  private stopDebounce(): void {
    this.debouncer?.dispose();
    this.debouncer = null;
  }
}
