import { systemClock, type Clock } from '../clock';
import { DeviceBase } from '../device-base';
import { displayIoError, type DisplaySettings } from '../drivers/hd44780-pcf8574';
import { whenRendered } from '../display-text';
import type { TextDisplay } from '../types';
import { History } from './history';

export interface FakeDisplayOptions {
  name?: string;
  config: DisplaySettings;
  clock?: Clock;
}

/**
 * Simulated character display with the driver's text rules (renderLines). State: `screen` (exactly what the
 * LCD would show), `backlight`. Control: `injectError(times)` makes the next operations fail with the
 * driver's DisplayIoError. History ops: open, write, clear, backlight, close.
 */
export class FakeTextDisplay extends DeviceBase implements TextDisplay {
  readonly columns: number;
  readonly rows: number;
  private readonly log: History;
  private content: string[] = [];
  private light = false;
  private failures = 0;

  constructor(private readonly opts: FakeDisplayOptions) {
    const clock = opts.clock ?? systemClock;
    super(opts.name ?? 'display', clock);
    this.columns = opts.config.columns;
    this.rows = opts.config.rows;
    this.log = new History(clock);
  }

  get history() {
    return this.log.entries;
  }

  get screen(): readonly string[] {
    return this.content;
  }

  get backlight(): boolean {
    return this.light;
  }

  injectError(times = 1): void {
    this.failures += times;
  }

  writeLines(lines: readonly string[]): Promise<void> {
    return whenRendered(this.name, lines, this.columns, this.rows, (rendered) =>
      this.serial(async () => {
        this.ensureOpen('writeLines');
        this.io();
        this.content = rendered;
        this.log.add('write', { lines: rendered });
      }),
    );
  }

  clear(): Promise<void> {
    return this.serial(async () => {
      this.ensureOpen('clear');
      this.io();
      this.blank();
      this.log.add('clear');
    });
  }

  setBacklight(on: boolean): Promise<void> {
    return this.serial(async () => {
      this.ensureOpen('setBacklight');
      this.io();
      this.light = on;
      this.log.add('backlight', { on });
    });
  }

  protected async doOpen(): Promise<void> {
    this.io();
    this.blank();
    this.light = true;
    this.log.add('open');
  }

  protected async doClose(): Promise<void> {
    this.log.add('close');
  }

  private blank(): void {
    this.content = Array.from({ length: this.rows }, () => ' '.repeat(this.columns));
  }

  private io(): void {
    if (this.failures === 0) return;
    this.failures--;
    const err = Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
    throw displayIoError(this.name, this.opts.config, err);
  }
}
