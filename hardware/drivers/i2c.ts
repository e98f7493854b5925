/**
 * The only file that loads `i2c-bus` (an optionalDependency with a native addon). It is required lazily,
 * inside the opener, so a machine without it still runs the simulated hardware. Only the calls the drivers
 * use are typed here.
 */
import { BoardError } from '../errors';

/** The subset of i2c-bus's PromisifiedBus used by the drivers. */
export interface I2cBus {
  /** SMBus "I2C block read": write `command`, repeated start, read `length` bytes into `buffer`. */
  readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  /** Plain I2C write of `length` bytes from `buffer` in one transfer. */
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
  close(): Promise<void>;
}

/** The part of the i2c-bus module used: `openPromisified(busNumber)`. */
export interface I2cBusModule {
  openPromisified(busNumber: number): Promise<I2cBus>;
}

/** Opens /dev/i2c-N. Injected into drivers; tests pass one built on a mock module. */
export type I2cOpener = (busNumber: number) => Promise<I2cBus>;

function requireI2cBus(): I2cBusModule {
  try {
    return require('i2c-bus') as I2cBusModule;
  } catch (e) {
    throw new BoardError(`the i2c-bus module is not available (optionalDependency; build failed or not installed): ${(e as Error).message}`);
  }
}

/** An opener on top of the i2c-bus module; `load` is only called when a bus is opened. */
export function i2cBusOpener(load: () => I2cBusModule = requireI2cBus): I2cOpener {
  return async (busNumber) => load().openPromisified(busNumber);
}
