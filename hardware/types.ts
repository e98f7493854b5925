/**
 * The hardware contract: small Promise-based interfaces that every driver and every fake implements.
 * The shared contract suites in test/hardware/contracts/ check each rule written here.
 */
import type { HardwareError } from './errors';

export type Unsubscribe = () => void;

/** A logical level as callers may write it. Anything else is rejected with InvalidLevelError. */
export type LevelInput = boolean | 0 | 1;

/**
 * Lifecycle common to every device.
 * - The constructor only stores configuration and dependencies: no I/O, no native module loaded.
 * - `open()` and `close()` are idempotent, and all operations on one device run one at a time in call order
 *   (a `write()` called right after `open()` waits for it).
 * - Every operation other than open/close rejects with DeviceClosedError when the device is not open.
 */
export interface HardwareDevice {
  /** The configured name (`relay`, `staffButton`, `thermometer`, ...), used in every error message. */
  readonly name: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Failures that happen outside a call (a monitor process died, a line holder exited). Errors of a call
   * reject that call's promise instead. Returns a function that removes the listener.
   */
  onError(listener: (err: HardwareError) => void): Unsubscribe;
}

/**
 * A digital output: LED, buzzer, relay. Levels are logical (`true` = on / relay released); `activeLow`
 * inverts at the driver, so callers never see electrical levels.
 * - `open()` claims the line and drives it to `safeLevel` before resolving.
 * - `write()` accepts true/false/1/0; anything else rejects with InvalidLevelError (checked before the
 *   closed check, so a bad value is reported as such even on a closed device).
 * - `close()` drives `safeLevel` and leaves it driven where the driver can (sysfs keeps the pin exported;
 *   gpiod leaves a holder process at the safe level).
 * - `writeSafeSync()` drives `safeLevel` synchronously, for crash, signal and fault handlers where async
 *   work may never complete. Writes called before it that have not completed are superseded: they resolve
 *   and the output stays at `safeLevel`. Later writes work normally. Returns false (and does nothing) when
 *   the line was never opened. Throws GpioError on failure.
 */
export interface DigitalOutput extends HardwareDevice {
  readonly activeLow: boolean;
  /** Logical level forced on exit, crash or fault. */
  readonly safeLevel: boolean;
  /** The last logical level driven (the safe level before the first write). */
  readonly level: boolean;
  write(level: LevelInput): Promise<void>;
  writeSafeSync(): boolean;
}

/**
 * A digital input: staff button, fire alarm contact, passage sensor. Levels are logical (`true` = active);
 * `activeLow` (a contact to ground with a pull-up) is applied by the driver.
 *
 * Debounce rule, identical in every driver and fake: each raw edge restarts a `debounceMs` quiet timer; when
 * it expires, the raw level at that moment becomes the stable level, and listeners are called only if it
 * differs from the previous stable level. So a change is reported `debounceMs` after the last bounce, and a
 * glitch shorter than `debounceMs` is never reported. With `debounceMs` 0 every change is reported at once.
 * (onoff applies the same rule itself through its `debounceTimeout` option.)
 */
export interface DigitalInput extends HardwareDevice {
  readonly activeLow: boolean;
  readonly debounceMs: number;
  /** The current stable (debounced) level: the one listeners last saw, or the level read at open(). */
  read(): Promise<boolean>;
  /** Calls `listener(level, t)` on each stable change; `t` is the clock time of the change. */
  onChange(listener: (level: boolean, t: number) => void): Unsubscribe;
  /**
   * Exit paths only: stops monitoring without yielding to the event loop (kills a gpiomon process, which
   * would otherwise outlive us and keep the line busy). The input is closed afterwards.
   */
  releaseSync(): void;
}

/**
 * A contactless thermometer. Readings are degrees Celsius.
 * - `readObjectC()` is the object (skin) temperature plus the configured offset.
 * - `readAmbientC()` is the sensor's own temperature, without offset.
 * - Every failure rejects with a subclass of ThermometerError naming bus, address and register:
 *   ThermometerIoError, ThermometerTimeoutError, ThermometerPecError, ThermometerFlagError,
 *   ThermometerRangeError. Whether a reading is plausible for a person is the caller's business.
 * - `open()` probes the sensor (one ambient read), so a missing sensor fails at open.
 */
export interface Thermometer extends HardwareDevice {
  readObjectC(): Promise<number>;
  readAmbientC(): Promise<number>;
}

/**
 * A character display for prompts.
 * - `writeLines(lines)` shows up to `rows` lines; missing lines are blank, short lines are padded.
 * - A line longer than `columns`, or more lines than `rows`, rejects with DisplayTextError: nothing is
 *   truncated silently. Characters the HD44780 ROM (A00) cannot show (outside ASCII 0x20-0x7D, and `\`,
 *   which shows as a yen sign) are shown as `?`. See renderLines() in display-text.ts.
 * - `open()` initialises the controller, clears the screen and turns the backlight on.
 */
export interface TextDisplay extends HardwareDevice {
  readonly columns: number;
  readonly rows: number;
  writeLines(lines: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  setBacklight(on: boolean): Promise<void>;
}

/** One timestamped entry of a fake's history. */
export interface HistoryEntry {
  t: number;
  op: string;
  [key: string]: unknown;
}
