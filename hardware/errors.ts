/**
 * Error classes of the hardware layer. Real drivers and fakes throw the same classes with the same
 * messages for the same condition, so code above (the gate machine, the dashboard) can be tested on fakes.
 * `source` is what the gate's FAULT event carries (see machines/gate-events.ts).
 */
export type HardwareFaultSource = 'hardware' | 'thermometer';

export class HardwareError extends Error {
  override name = 'HardwareError';
  constructor(
    /** Device name as configured (e.g. `relay`, `thermometer`). */
    readonly device: string,
    message: string,
    readonly source: HardwareFaultSource = 'hardware',
    options?: { cause?: unknown },
  ) {
    super(`${device}: ${message}`, options);
  }
}

/** An operation on a device that is not open (before open() or after close()). */
export class DeviceClosedError extends HardwareError {
  override name = 'DeviceClosedError';
  constructor(device: string, op: string, source: HardwareFaultSource = 'hardware') {
    super(device, `${op}() on a closed device (call open() first)`, source);
  }
}

/** A level that is neither a boolean nor 0/1. */
export class InvalidLevelError extends HardwareError {
  override name = 'InvalidLevelError';
  constructor(device: string, value: unknown) {
    super(device, `expected a level true/false or 1/0, got ${describe(value)}`);
  }
}

/** The GPIO driver failed: export, request, write, or the monitor process died. */
export class GpioError extends HardwareError {
  override name = 'GpioError';
  constructor(device: string, message: string, options?: { cause?: unknown }) {
    super(device, message, 'hardware', options);
  }
}

/** Setup problems: unknown board, pin not usable as GPIO on this board, driver not available. */
export class BoardError extends Error {
  override name = 'BoardError';
}

/** Base class for every thermometer failure; FAULT source `thermometer`. */
export class ThermometerError extends HardwareError {
  override name = 'ThermometerError';
  constructor(device: string, message: string, options?: { cause?: unknown }) {
    super(device, message, 'thermometer', options);
  }
}
/** The I2C transfer failed (no ACK, bus error) or returned fewer bytes than asked. */
export class ThermometerIoError extends ThermometerError {
  override name = 'ThermometerIoError';
}
/** No answer within readTimeoutMs. */
export class ThermometerTimeoutError extends ThermometerError {
  override name = 'ThermometerTimeoutError';
}
/** The SMBus packet error code does not match the bytes: corrupted on the wire. */
export class ThermometerPecError extends ThermometerError {
  override name = 'ThermometerPecError';
}
/** The sensor set its error flag (MSB bit 7 of the word). */
export class ThermometerFlagError extends ThermometerError {
  override name = 'ThermometerFlagError';
}
/** A well-formed reading outside what the sensor can measure. */
export class ThermometerRangeError extends ThermometerError {
  override name = 'ThermometerRangeError';
}

/** Base class for display failures; FAULT source `hardware`. */
export class DisplayError extends HardwareError {
  override name = 'DisplayError';
  constructor(device: string, message: string, options?: { cause?: unknown }) {
    super(device, message, 'hardware', options);
  }
}
/** Text that the display cannot show as given (too many rows or columns). */
export class DisplayTextError extends DisplayError {
  override name = 'DisplayTextError';
}
/** The I2C write to the display's expander failed. */
export class DisplayIoError extends DisplayError {
  override name = 'DisplayIoError';
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

/** The text of an unknown thrown value, for messages. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}
