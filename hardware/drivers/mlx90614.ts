import { systemClock, withTimeout, type Clock } from '../clock';
import { DeviceBase } from '../device-base';
import { ThermometerError } from '../errors';
import type { HardwareConfig } from '../../src/config/sections/hardware';
import { MLX_AMBIENT, MLX_OBJECT, decodeWord, ioError, shortReadError, timeoutError, type MlxReadContext } from '../mlx90614-codec';
import type { Thermometer } from '../types';
import type { I2cBus, I2cOpener } from './i2c';

export type ThermometerSettings = NonNullable<HardwareConfig['thermometer']>;

export interface Mlx90614Options {
  name?: string;
  config: ThermometerSettings;
  openBus: I2cOpener;
  clock?: Clock;
}

/**
 * MLX90614 over SMBus: a read-word-with-PEC of RAM 0x07 (object) or 0x06 (ambient), done as an I2C block
 * read of 3 bytes so the PEC byte reaches us (the kernel's SMBus read-word would drop it).
 */
export class Mlx90614 extends DeviceBase implements Thermometer {
  private bus: I2cBus | null = null;
  /** A timed-out transfer still sits in the thread pool; no second one is stacked on it. */
  private stuck = false;

  constructor(private readonly opts: Mlx90614Options) {
    super(opts.name ?? 'thermometer', opts.clock ?? systemClock, 'thermometer');
  }

  readObjectC(): Promise<number> {
    return this.serial(async () => {
      this.ensureOpen('readObjectC');
      const c = await this.readRegister(MLX_OBJECT);
      return Math.round((c + this.opts.config.offsetC) * 100) / 100;
    });
  }

  readAmbientC(): Promise<number> {
    return this.serial(async () => {
      this.ensureOpen('readAmbientC');
      return this.readRegister(MLX_AMBIENT);
    });
  }

  protected async doOpen(): Promise<void> {
    try {
      this.bus = await this.opts.openBus(this.opts.config.bus);
    } catch (e) {
      throw ioError(this.ctx(MLX_AMBIENT), e);
    }
    try {
      // i2c-bus opens the device file only; the first transfer tells whether a sensor answers.
      await this.readRegister(MLX_AMBIENT);
    } catch (e) {
      await this.closeBus();
      throw e;
    }
  }

  protected async doClose(): Promise<void> {
    await this.closeBus();
  }

  private ctx(register: number): MlxReadContext {
    return { device: this.name, bus: this.opts.config.bus, address: this.opts.config.address, register };
  }

  private async readRegister(register: number): Promise<number> {
    const c = this.ctx(register);
    const bus = this.bus;
    if (!bus) throw ioError(c, new Error('bus not open'));
    if (this.stuck) throw timeoutError(c, this.opts.config.readTimeoutMs, true);
    this.stuck = true;
    const transfer = bus.readI2cBlock(c.address, register, 3, Buffer.alloc(3)).finally(() => {
      this.stuck = false;
    });
    let result: { bytesRead: number; buffer: Buffer };
    try {
      result = await withTimeout(this.clock, transfer, this.opts.config.readTimeoutMs, () => timeoutError(c, this.opts.config.readTimeoutMs));
    } catch (e) {
      if (e instanceof ThermometerError) throw e;
      throw ioError(c, e);
    }
    if (result.bytesRead !== 3) throw shortReadError(c, result.bytesRead);
    return decodeWord(c, result.buffer);
  }

  private async closeBus(): Promise<void> {
    const bus = this.bus;
    this.bus = null;
    if (bus) await bus.close().catch(() => undefined);
  }
}
