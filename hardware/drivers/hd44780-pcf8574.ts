import { sleep as clockSleep, systemClock, type Clock } from '../clock';
import { DeviceBase } from '../device-base';
import { DisplayIoError, errorText } from '../errors';
import { whenRendered } from '../display-text';
import type { HardwareConfig } from '../../src/config/sections/hardware';
import type { TextDisplay } from '../types';
import type { I2cBus, I2cOpener } from './i2c';

export type DisplaySettings = NonNullable<HardwareConfig['display']>;

/** PCF8574 backpack wiring (the common one): P0=RS, P1=RW, P2=E, P3=backlight, P4..P7=D4..D7. */
export const PCF_RS = 0x01;
export const PCF_E = 0x04;
export const PCF_BACKLIGHT = 0x08;

/** HD44780 instructions used. */
const CLEAR = 0x01;
const ENTRY_INCREMENT = 0x06;
const DISPLAY_OFF = 0x08;
const DISPLAY_ON = 0x0c;
const FUNCTION_4BIT_2LINE = 0x28;
const FUNCTION_4BIT_1LINE = 0x20;
const SET_DDRAM = 0x80;

/** Expander bytes that clock one nibble in: E high with data, then E low (falling edge latches). */
export function nibbleBytes(nibble: number, flags: number): [number, number] {
  const b = ((nibble & 0x0f) << 4) | flags;
  return [b | PCF_E, b & ~PCF_E];
}

/** Expander bytes for one instruction (rs false) or character (rs true): high nibble first. */
export function byteBytes(value: number, rs: boolean, backlight: boolean): number[] {
  const flags = (rs ? PCF_RS : 0) | (backlight ? PCF_BACKLIGHT : 0);
  return [...nibbleBytes(value >> 4, flags), ...nibbleBytes(value, flags)];
}

/** DDRAM address of the first column of each row (rows 3 and 4 continue rows 1 and 2). */
export function rowAddress(row: number, columns: number): number {
  return [0x00, 0x40, columns, 0x40 + columns][row] ?? 0;
}

export interface Hd44780Options {
  name?: string;
  config: DisplaySettings;
  openBus: I2cOpener;
  clock?: Clock;
  /** Delays of the init sequence and of CLEAR; injected so tests record them instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * HD44780 character LCD in 4-bit mode behind a PCF8574 at `address`. Only rows whose text changed are
 * rewritten (a set-address instruction and the row's characters, in one I2C transfer).
 */
export class Hd44780Pcf8574 extends DeviceBase implements TextDisplay {
  readonly columns: number;
  readonly rows: number;
  private bus: I2cBus | null = null;
  private backlight = true;
  private shown: string[] = [];
  private readonly pause: (ms: number) => Promise<void>;

  constructor(private readonly opts: Hd44780Options) {
    super(opts.name ?? 'display', opts.clock ?? systemClock);
    this.columns = opts.config.columns;
    this.rows = opts.config.rows;
    this.pause = opts.sleep ?? ((ms) => clockSleep(this.clock, ms));
  }

  writeLines(lines: readonly string[]): Promise<void> {
    return whenRendered(this.name, lines, this.columns, this.rows, (rendered) =>
      this.serial(async () => {
        this.ensureOpen('writeLines');
        for (let row = 0; row < this.rows; row++) {
          const text = rendered[row] ?? '';
          if (this.shown[row] === text) continue;
          const bytes = byteBytes(SET_DDRAM | rowAddress(row, this.columns), false, this.backlight);
          for (const ch of text) bytes.push(...byteBytes(ch.charCodeAt(0), true, this.backlight));
          await this.send(bytes);
          this.shown[row] = text;
        }
      }),
    );
  }

  clear(): Promise<void> {
    return this.serial(async () => {
      this.ensureOpen('clear');
      await this.clearScreen();
    });
  }

  setBacklight(on: boolean): Promise<void> {
    return this.serial(async () => {
      this.ensureOpen('setBacklight');
      this.backlight = on;
      await this.send([on ? PCF_BACKLIGHT : 0]);
    });
  }

  protected async doOpen(): Promise<void> {
    try {
      this.bus = await this.opts.openBus(this.opts.config.bus);
    } catch (e) {
      throw this.ioError(e);
    }
    try {
      await this.init();
    } catch (e) {
      await this.closeBus();
      throw e;
    }
  }

  protected async doClose(): Promise<void> {
    await this.closeBus();
  }

  /** The datasheet's "initialization by instruction" for 4-bit mode, then a cleared, visible display. */
  private async init(): Promise<void> {
    this.backlight = true;
    const bl = PCF_BACKLIGHT;
    await this.send([bl]); // all expander lines low except the backlight (they power up high)
    await this.pause(50); // > 40 ms after Vcc rises
    await this.send(nibbleBytes(0x3, bl));
    await this.pause(5); // > 4.1 ms
    await this.send(nibbleBytes(0x3, bl));
    await this.pause(1); // > 100 us
    await this.send(nibbleBytes(0x3, bl));
    await this.pause(1);
    await this.send(nibbleBytes(0x2, bl)); // now in 4-bit mode
    await this.pause(1);
    await this.command(this.rows > 1 ? FUNCTION_4BIT_2LINE : FUNCTION_4BIT_1LINE);
    await this.command(DISPLAY_OFF);
    await this.clearScreen();
    await this.command(ENTRY_INCREMENT);
    await this.command(DISPLAY_ON);
  }

  private async clearScreen(): Promise<void> {
    await this.command(CLEAR);
    await this.pause(2); // CLEAR takes 1.52 ms
    this.shown = Array.from({ length: this.rows }, () => ' '.repeat(this.columns));
  }

  private command(value: number): Promise<void> {
    return this.send(byteBytes(value, false, this.backlight));
  }

  private async send(bytes: number[]): Promise<void> {
    const bus = this.bus;
    if (!bus) throw this.ioError(new Error('bus not open'));
    try {
      await bus.i2cWrite(this.opts.config.address, bytes.length, Buffer.from(bytes));
    } catch (e) {
      throw this.ioError(e);
    }
  }

  private ioError(cause: unknown): DisplayIoError {
    return displayIoError(this.name, this.opts.config, cause);
  }

  private async closeBus(): Promise<void> {
    const bus = this.bus;
    this.bus = null;
    if (bus) await bus.close().catch(() => undefined);
  }
}

/** The error of a failed transfer to the display, shared with the fake. */
export function displayIoError(device: string, config: DisplaySettings, cause: unknown): DisplayIoError {
  const addr = '0x' + config.address.toString(16).padStart(2, '0');
  return new DisplayIoError(device, `PCF8574 on bus ${config.bus} at ${addr}: write failed: ${errorText(cause)}`, { cause });
}
