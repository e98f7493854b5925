import {
  DeviceClosedError,
  ThermometerError,
  ThermometerFlagError,
  ThermometerIoError,
  ThermometerPecError,
  ThermometerRangeError,
  ThermometerTimeoutError,
} from '../../../hardware/errors';
import type { FakeThermometerFault } from '../../../hardware/fake/thermometer';
import type { Thermometer } from '../../../hardware/types';

export interface ThermometerSubject {
  thermometer: Thermometer;
  /** Bus/address/offset/timeout it was built with. */
  config: { bus: number; address: number; offsetC: number; readTimeoutMs: number };
  /** Absent on a real board. */
  control?: {
    setTemperature(objectC: number, ambientC: number): void;
    inject(fault: FakeThermometerFault): void;
  };
  cleanup?: () => Promise<void> | void;
}
export type ThermometerFactory = (opts: { offsetC: number }) => ThermometerSubject | Promise<ThermometerSubject>;

const FAULTS: [FakeThermometerFault, new (...a: never[]) => ThermometerError, RegExp][] = [
  ['io', ThermometerIoError, /read failed: Remote I\/O error \(EREMOTEIO\)/],
  ['short', ThermometerIoError, /short read \(2 of 3 bytes\)/],
  ['pec', ThermometerPecError, /PEC mismatch/],
  ['flag', ThermometerFlagError, /sensor error flag set/],
];

export function describeThermometerContract(label: string, make: ThermometerFactory, canControl: boolean): void {
  describe(`Thermometer contract: ${label}`, () => {
    let subject: ThermometerSubject | null = null;
    const build = async (offsetC = 0) => (subject = await make({ offsetC }));
    afterEach(async () => {
      jest.useRealTimers();
      if (subject) {
        await subject.thermometer.close().catch(() => undefined);
        await subject.cleanup?.();
      }
      subject = null;
    });
    const where = (s: ThermometerSubject, reg: string) =>
      `MLX90614 on bus ${s.config.bus} at 0x${s.config.address.toString(16)}, register ${reg}`;

    it('rejects reads before open() and after close() with DeviceClosedError, source thermometer', async () => {
      const s = await build();
      const err = await s.thermometer.readObjectC().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceClosedError);
      expect((err as DeviceClosedError).source).toBe('thermometer');
      await s.thermometer.open();
      await s.thermometer.open();
      await s.thermometer.close();
      await s.thermometer.close();
      await expect(s.thermometer.readAmbientC()).rejects.toThrow(DeviceClosedError);
    });

    it('reads temperatures within the sensor range', async () => {
      const s = await build();
      await s.thermometer.open();
      const object = await s.thermometer.readObjectC();
      const ambient = await s.thermometer.readAmbientC();
      expect(object).toBeGreaterThanOrEqual(-70);
      expect(object).toBeLessThanOrEqual(380);
      expect(ambient).toBeGreaterThanOrEqual(-40);
      expect(ambient).toBeLessThanOrEqual(125);
    });

    if (!canControl) return;

    it('reads object with the offset and ambient without, on the 0.02 C grid', async () => {
      const s = await build(0.5);
      s.control!.setTemperature(36.21, 22.05);
      await s.thermometer.open();
      expect(await s.thermometer.readObjectC()).toBeCloseTo(36.71, 5);
      expect(await s.thermometer.readAmbientC()).toBeCloseTo(22.05, 5);
    });

    it.each(FAULTS)('a %s fault rejects with %p naming bus, address and register', async (fault, cls, text) => {
      const s = await build();
      await s.thermometer.open();
      s.control!.inject(fault);
      const err = await s.thermometer.readObjectC().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(text);
      expect((err as Error).message).toContain(`thermometer: ${where(s, '0x07 (object)')}`);
      expect((err as ThermometerError).source).toBe('thermometer');
      // One bad transfer does not poison the next.
      expect(typeof (await s.thermometer.readObjectC())).toBe('number');
    });

    it('rejects a reading beyond what the sensor measures with ThermometerRangeError', async () => {
      const s = await build();
      await s.thermometer.open();
      s.control!.setTemperature(381, 25);
      await expect(s.thermometer.readObjectC()).rejects.toThrow(ThermometerRangeError);
      await expect(s.thermometer.readObjectC()).rejects.toThrow(/: 381.01 C is outside the sensor range -70..380 C$/);
      s.control!.setTemperature(-75, 25);
      await expect(s.thermometer.readObjectC()).rejects.toThrow(ThermometerRangeError);
      s.control!.setTemperature(379.99, 124.99);
      expect(await s.thermometer.readObjectC()).toBe(379.99);
      expect(await s.thermometer.readAmbientC()).toBe(124.99);
    });

    it('fails open() when the probe read fails, and stays closed', async () => {
      const s = await build();
      s.control!.inject('io');
      const err = await s.thermometer.open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ThermometerIoError);
      expect((err as Error).message).toContain(where(s, '0x06 (ambient)'));
      expect(s.thermometer.isOpen).toBe(false);
      await s.thermometer.open();
      expect(s.thermometer.isOpen).toBe(true);
    });

    it('rejects with ThermometerTimeoutError after readTimeoutMs', async () => {
      const s = await build();
      await s.thermometer.open();
      jest.useFakeTimers();
      s.control!.inject('timeout');
      const read = s.thermometer.readObjectC().catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(s.config.readTimeoutMs - 1);
      let settled = false;
      void read.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const err = await read;
      expect(err).toBeInstanceOf(ThermometerTimeoutError);
      expect((err as Error).message).toContain(`no answer within ${s.config.readTimeoutMs} ms`);
    });
  });
}
