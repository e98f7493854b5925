/**
 * MLX90614 word format, shared by the driver and its fake so both fail the same way for the same bytes.
 * A RAM read returns LSB, MSB, PEC. PEC is SMBus CRC-8 (x^8+x^2+x+1, init 0) over the whole frame:
 * [address<<1 (write), command, address<<1|1 (read), LSB, MSB]. Bit 15 of the word is the error flag.
 * Celsius = raw * 0.02 - 273.15.
 */
import {
  ThermometerFlagError,
  ThermometerIoError,
  ThermometerPecError,
  ThermometerRangeError,
  ThermometerTimeoutError,
  errorText,
} from './errors';

export const MLX_AMBIENT = 0x06;
export const MLX_OBJECT = 0x07;

/** What the sensor can measure (datasheet): beyond this a reading is a fault, not a temperature. */
const RANGE_C: Record<number, [number, number]> = {
  [MLX_AMBIENT]: [-40, 125],
  [MLX_OBJECT]: [-70, 380],
};

export interface MlxReadContext {
  device: string;
  bus: number;
  address: number;
  register: number;
}

export function hex(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

/** "MLX90614 on bus 1 at 0x5a, register 0x07 (object)": every error message starts with this. */
export function where(c: MlxReadContext): string {
  const what = c.register === MLX_OBJECT ? 'object' : c.register === MLX_AMBIENT ? 'ambient' : 'register';
  return `MLX90614 on bus ${c.bus} at ${hex(c.address)}, register ${hex(c.register)} (${what})`;
}

/** SMBus packet error code: CRC-8, polynomial 0x07, initial value 0, no reflection. */
export function smbusPec(bytes: Iterable<number>): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b & 0xff;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function framePec(c: MlxReadContext, lsb: number, msb: number): number {
  return smbusPec([c.address << 1, c.register, (c.address << 1) | 1, lsb, msb]);
}

/** Checks PEC, error flag and range of [LSB, MSB, PEC]; returns degrees C rounded to the 0.01 grid. */
export function decodeWord(c: MlxReadContext, bytes: ArrayLike<number>): number {
  const lsb = bytes[0] ?? 0;
  const msb = bytes[1] ?? 0;
  const pec = bytes[2] ?? 0;
  const expected = framePec(c, lsb, msb);
  if (pec !== expected) {
    throw new ThermometerPecError(c.device, `${where(c)}: PEC mismatch (read ${hex(pec)}, computed ${hex(expected)} over data ${hex(lsb)} ${hex(msb)})`);
  }
  if (msb & 0x80) {
    throw new ThermometerFlagError(c.device, `${where(c)}: sensor error flag set (word ${hex((msb << 8) | lsb)})`);
  }
  const raw = (msb << 8) | lsb;
  const celsius = Math.round((raw * 0.02 - 273.15) * 100) / 100;
  const [lo, hi] = RANGE_C[c.register] ?? [-Infinity, Infinity];
  if (celsius < lo || celsius > hi) {
    throw new ThermometerRangeError(c.device, `${where(c)}: ${celsius} C is outside the sensor range ${lo}..${hi} C`);
  }
  return celsius;
}

/** The bytes a healthy sensor returns for `celsius` (used by the fake). */
export function encodeWord(c: MlxReadContext, celsius: number): [number, number, number] {
  const raw = Math.round((celsius + 273.15) / 0.02);
  if (!(raw >= 0 && raw <= 0x7fff)) throw new RangeError(`${celsius} C cannot be encoded as an MLX90614 word`);
  const lsb = raw & 0xff;
  const msb = raw >> 8;
  return [lsb, msb, framePec(c, lsb, msb)];
}

/** Same bytes with the flag bit set and a PEC that matches them (a sensor reporting its own fault). */
export function withErrorFlag(c: MlxReadContext, bytes: [number, number, number]): [number, number, number] {
  const msb = bytes[1] | 0x80;
  return [bytes[0], msb, framePec(c, bytes[0], msb)];
}

export function ioError(c: MlxReadContext, cause: unknown): ThermometerIoError {
  return new ThermometerIoError(c.device, `${where(c)}: read failed: ${errorText(cause)}`, { cause });
}

export function shortReadError(c: MlxReadContext, bytesRead: number): ThermometerIoError {
  return new ThermometerIoError(c.device, `${where(c)}: short read (${bytesRead} of 3 bytes)`);
}

export function timeoutError(c: MlxReadContext, ms: number, stillPending = false): ThermometerTimeoutError {
  const what = stillPending ? `the previous read, which timed out, has still not returned` : `no answer within ${ms} ms`;
  return new ThermometerTimeoutError(c.device, `${where(c)}: ${what}`);
}
