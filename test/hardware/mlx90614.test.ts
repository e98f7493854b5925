import {
  ThermometerFlagError,
  ThermometerIoError,
  ThermometerPecError,
  ThermometerRangeError,
  ThermometerTimeoutError,
} from '../../hardware/errors';
import { i2cBusOpener } from '../../hardware/drivers/i2c';
import { Mlx90614 } from '../../hardware/drivers/mlx90614';
import { FakeThermometer } from '../../hardware/fake/thermometer';
import { smbusPec } from '../../hardware/mlx90614-codec';
import { MlxDevice, mockI2cModule } from './helpers/i2c-devices';

// Published frames (Melexis datasheet example, and a logic-analyser capture): the PEC covers
// [0xB4 (0x5A write), command, 0xB5 (0x5A read), LSB, MSB].
//   object  0x07: D2 3A -> PEC 0x30, raw 0x3AD2 = 15058 -> 15058*0.02-273.15 = 28.01 C
//   ambient 0x06: DF 3A -> PEC 0xCF, raw 0x3ADF = 15071 -> 28.27 C
const OBJECT = [0xd2, 0x3a, 0x30];
const AMBIENT = [0xdf, 0x3a, 0xcf];

function setup(config: Partial<{ offsetC: number; readTimeoutMs: number; bus: number }> = {}) {
  const sensor = new MlxDevice();
  sensor.bytes = { 0x07: [...OBJECT], 0x06: [...AMBIENT] };
  const i2c = mockI2cModule({ 0x5a: sensor });
  const full = { type: 'mlx90614' as const, bus: 1, address: 0x5a, offsetC: 0, readTimeoutMs: 500, ...config };
  const thermometer = new Mlx90614({ config: full, openBus: i2cBusOpener(() => i2c.module) });
  return { sensor, i2c, thermometer, config: full };
}

describe('SMBus PEC (CRC-8, polynomial 0x07)', () => {
  it('matches the published frames', () => {
    expect(smbusPec([0xb4, 0x07, 0xb5, 0xd2, 0x3a])).toBe(0x30);
    expect(smbusPec([0xb4, 0x06, 0xb5, 0xdf, 0x3a])).toBe(0xcf);
  });
  it('is the plain CRC-8 check value over "123456789" (0xF4)', () => {
    expect(smbusPec(Buffer.from('123456789'))).toBe(0xf4);
  });
});

describe('Mlx90614 driver on a mocked i2c-bus', () => {
  it('opens the configured bus lazily and probes the ambient register at open', async () => {
    const { i2c, thermometer } = setup({ bus: 7 });
    expect(i2c.openPromisified).not.toHaveBeenCalled();
    await thermometer.open();
    expect(i2c.openPromisified).toHaveBeenCalledWith(7);
    expect(i2c.bus.readI2cBlock).toHaveBeenCalledTimes(1);
    expect(i2c.bus.readI2cBlock).toHaveBeenCalledWith(0x5a, 0x06, 3, expect.any(Buffer));
  });

  it('reads RAM 0x07 with a 3-byte block read and converts raw*0.02-273.15, plus the offset', async () => {
    const { i2c, thermometer } = setup({ offsetC: 1 });
    await thermometer.open();
    expect(await thermometer.readObjectC()).toBe(29.01);
    expect(i2c.bus.readI2cBlock).toHaveBeenLastCalledWith(0x5a, 0x07, 3, expect.any(Buffer));
    expect(await thermometer.readAmbientC()).toBe(28.27); // no offset on the sensor's own temperature
    expect(i2c.bus.readI2cBlock).toHaveBeenLastCalledWith(0x5a, 0x06, 3, expect.any(Buffer));
  });

  it('rejects a wrong PEC', async () => {
    const { sensor, thermometer } = setup();
    await thermometer.open();
    sensor.bytes[0x07] = [0xd2, 0x3a, 0x31];
    await expect(thermometer.readObjectC()).rejects.toThrow(ThermometerPecError);
    await expect(thermometer.readObjectC()).rejects.toThrow(
      'thermometer: MLX90614 on bus 1 at 0x5a, register 0x07 (object): PEC mismatch (read 0x31, computed 0x30 over data 0xd2 0x3a)',
    );
  });

  it('rejects the error flag even with a valid PEC', async () => {
    const { sensor, thermometer } = setup();
    await thermometer.open();
    // 0xBAD2: the published word with the flag bit set, and a PEC that matches it.
    const pec = smbusPec([0xb4, 0x07, 0xb5, 0xd2, 0xba]);
    sensor.bytes[0x07] = [0xd2, 0xba, pec];
    await expect(thermometer.readObjectC()).rejects.toThrow(ThermometerFlagError);
    await expect(thermometer.readObjectC()).rejects.toThrow('register 0x07 (object): sensor error flag set (word 0xbad2)');
  });

  it('rejects readings outside the sensor range (object -70..380 C)', async () => {
    const { sensor, thermometer } = setup();
    await thermometer.open();
    // raw 0x7FFF = 32767 -> 382.19 C: a valid word, beyond the sensor's range.
    sensor.bytes[0x07] = [0xff, 0x7f, smbusPec([0xb4, 0x07, 0xb5, 0xff, 0x7f])];
    await expect(thermometer.readObjectC()).rejects.toThrow(ThermometerRangeError);
    await expect(thermometer.readObjectC()).rejects.toThrow('382.19 C is outside the sensor range -70..380 C');
    // raw 0x2710 = 10000 -> -73.15 C
    sensor.bytes[0x07] = [0x10, 0x27, smbusPec([0xb4, 0x07, 0xb5, 0x10, 0x27])];
    await expect(thermometer.readObjectC()).rejects.toThrow('-73.15 C is outside the sensor range -70..380 C');
  });

  it('wraps bus errors and short reads as ThermometerIoError', async () => {
    const { sensor, thermometer } = setup();
    await thermometer.open();
    sensor.mode = 'nack';
    await expect(thermometer.readObjectC()).rejects.toThrow(
      new ThermometerIoError('thermometer', 'MLX90614 on bus 1 at 0x5a, register 0x07 (object): read failed: Remote I/O error (EREMOTEIO)').message,
    );
    sensor.mode = 'short';
    await expect(thermometer.readObjectC()).rejects.toThrow('short read (2 of 3 bytes)');
  });

  it('times out after readTimeoutMs and does not stack a transfer on a stuck one', async () => {
    jest.useFakeTimers();
    try {
      const { sensor, i2c, thermometer } = setup({ readTimeoutMs: 200 });
      await thermometer.open();
      sensor.mode = 'hang';
      const first = thermometer.readObjectC().catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(200);
      expect(await first).toBeInstanceOf(ThermometerTimeoutError);
      const calls = i2c.bus.readI2cBlock.mock.calls.length;
      await expect(thermometer.readObjectC()).rejects.toThrow('the previous read, which timed out, has still not returned');
      expect(i2c.bus.readI2cBlock.mock.calls.length).toBe(calls);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fails open() and closes the bus when no sensor answers', async () => {
    const { sensor, i2c, thermometer } = setup();
    sensor.mode = 'nack';
    await expect(thermometer.open()).rejects.toThrow(ThermometerIoError);
    expect(i2c.bus.close).toHaveBeenCalledTimes(1);
    expect(thermometer.isOpen).toBe(false);
  });

  it('gives the same error class and message as the fake for the same fault', async () => {
    const { sensor, thermometer } = setup();
    const fake = new FakeThermometer({ config: { type: 'mlx90614', bus: 1, address: 0x5a, offsetC: 0, readTimeoutMs: 500 } });
    fake.setTemperature(28.01, 28.27);
    await thermometer.open();
    await fake.open();
    expect(await fake.readObjectC()).toBe(await thermometer.readObjectC());
    sensor.mode = 'nack';
    fake.injectError('io');
    const [a, b] = await Promise.all([thermometer.readObjectC().catch((e: unknown) => e), fake.readObjectC().catch((e: unknown) => e)]);
    expect((a as Error).constructor).toBe((b as Error).constructor);
    expect((a as Error).message).toBe((b as Error).message);
  });
});
