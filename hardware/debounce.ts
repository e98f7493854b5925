import type { Clock } from './clock';

/**
 * The one debounce rule of the hardware layer (documented on DigitalInput): each raw edge restarts a quiet
 * timer; when it expires the raw level then current becomes stable, reported only if it changed. This is
 * what onoff does with `debounceTimeout` (a trailing lodash.debounce, then a read), so fakes, gpiod and sysfs
 * report the same changes at the same times.
 */
export class Debouncer {
  private stableLevel: boolean;
  private rawLevel: boolean;
  private timer: unknown = null;

  constructor(
    private readonly ms: number,
    initial: boolean,
    private readonly emit: (level: boolean, t: number) => void,
    private readonly clock: Clock,
  ) {
    this.stableLevel = initial;
    this.rawLevel = initial;
  }

  get level(): boolean {
    return this.stableLevel;
  }

  /** A raw edge (or sample) from the line. */
  raw(level: boolean): void {
    this.rawLevel = level;
    if (this.ms === 0) return this.settle();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.settle();
    }, this.ms);
  }

  /** A level already debounced upstream (onoff): only the change check applies. */
  settled(level: boolean): void {
    this.rawLevel = level;
    this.settle();
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private settle(): void {
    if (this.rawLevel === this.stableLevel) return;
    this.stableLevel = this.rawLevel;
    this.emit(this.stableLevel, this.clock.now());
  }
}
