import { sleep, systemClock, type Clock } from '../clock';
import { DeviceBase } from '../device-base';
import type { ThermometerSettings } from '../drivers/mlx90614';
import {
  MLX_AMBIENT,
  MLX_OBJECT,
  decodeWord,
  encodeWord,
  ioError,
  shortReadError,
  timeoutError,
  withErrorFlag,
  type MlxReadContext,
} from '../mlx90614-codec';
import type { Thermometer } from '../types';
import { History } from './history';

/** Failures a fake can be told to produce, each exactly as the MLX90614 driver reports it. */
export type FakeThermometerFault = 'io' | 'timeout' | 'pec' | 'flag' | 'short';

export interface FakeThermometerOptions {
  name?: string;
  /** Bus, address, offset and timeout, as for the real sensor (they appear in error messages). */
  config: ThermometerSettings;
  clock?: Clock;
}

/**
 * Simulated MLX90614. It encodes the set temperatures into the sensor's bytes and decodes them with the
 * driver's own codec, so range, flag and PEC failures are the driver's errors, not imitations. A `timeout`
 * fault rejects after readTimeoutMs on the clock, as the driver does. open() probes like the driver (one
 * ambient read), so a fault injected before open() makes open() fail. History ops: open, read, close.
 */
export class FakeThermometer extends DeviceBase implements Thermometer {
  private readonly log: History;
  private objectC = 36.6;
  private ambientC = 25;
  private readonly faults: FakeThermometerFault[] = [];

  constructor(private readonly opts: FakeThermometerOptions) {
    const clock = opts.clock ?? systemClock;
    super(opts.name ?? 'thermometer', clock, 'thermometer');
    this.log = new History(clock);
  }

  get history() {
    return this.log.entries;
  }

  /** Control: what the sensor sees from now on (raw, before the configured offset). */
  setTemperature(objectC: number, ambientC = this.ambientC): void {
    encodeWord(this.ctx(MLX_OBJECT), objectC); // throws RangeError if the sensor could not even encode it
    encodeWord(this.ctx(MLX_AMBIENT), ambientC);
    this.objectC = objectC;
    this.ambientC = ambientC;
    this.log.add('set', { objectC, ambientC });
  }

  /** Control: the next `times` reads (open's probe included) fail with `fault`. */
  injectError(fault: FakeThermometerFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  readObjectC(): Promise<number> {
    return this.serial(async () => {
      this.ensureOpen('readObjectC');
      const c = await this.respond(MLX_OBJECT);
      return Math.round((c + this.opts.config.offsetC) * 100) / 100;
    });
  }

  readAmbientC(): Promise<number> {
    return this.serial(async () => {
      this.ensureOpen('readAmbientC');
      return this.respond(MLX_AMBIENT);
    });
  }

  protected async doOpen(): Promise<void> {
    this.log.add('open');
    await this.respond(MLX_AMBIENT);
  }

  protected async doClose(): Promise<void> {
    this.log.add('close');
  }

  private ctx(register: number): MlxReadContext {
    return { device: this.name, bus: this.opts.config.bus, address: this.opts.config.address, register };
  }

  private async respond(register: number): Promise<number> {
    const c = this.ctx(register);
    const fault = this.faults.shift();
    try {
      let bytes = encodeWord(c, register === MLX_OBJECT ? this.objectC : this.ambientC);
      switch (fault) {
        case 'io': {
          // What i2c-bus rejects with when the sensor does not acknowledge.
          const err = Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
          throw ioError(c, err);
        }
        case 'timeout':
          await sleep(this.clock, this.opts.config.readTimeoutMs);
          throw timeoutError(c, this.opts.config.readTimeoutMs);
        case 'short':
          throw shortReadError(c, 2);
        case 'pec':
          bytes = [bytes[0], bytes[1], bytes[2] ^ 0x5a];
          break;
        case 'flag':
          bytes = withErrorFlag(c, bytes);
          break;
      }
      const value = decodeWord(c, bytes);
      this.log.add('read', { register, value });
      return value;
    } catch (e) {
      this.log.add('read', { register, error: (e as Error).name });
      throw e;
    }
  }
}
