import { DeviceClosedError, InvalidLevelError } from '../../../hardware/errors';
import type { DigitalOutput } from '../../../hardware/types';

export interface OutputSubject {
  output: DigitalOutput;
  /** The electrical level of the pin where the test can see it (fakes, mocked natives); absent on a board. */
  physical?: () => boolean | null | undefined;
  cleanup?: () => Promise<void> | void;
}
export type OutputFactory = (opts: { activeLow: boolean; safeLevel: boolean }) => OutputSubject | Promise<OutputSubject>;

/** The DigitalOutput contract (hardware/types.ts), for one implementation. */
export function describeDigitalOutputContract(label: string, make: OutputFactory): void {
  describe(`DigitalOutput contract: ${label}`, () => {
    let subject: OutputSubject | null = null;
    const build = async (activeLow = false, safeLevel = false) => (subject = await make({ activeLow, safeLevel }));
    afterEach(async () => {
      if (subject) {
        await subject.output.close().catch(() => undefined);
        await subject.cleanup?.();
      }
      subject = null;
    });

    it('does nothing until open(): closed, level is the safe level, writes reject with DeviceClosedError', async () => {
      const { output } = await build(false, true);
      expect(output.isOpen).toBe(false);
      expect(output.level).toBe(true);
      await expect(output.write(false)).rejects.toThrow(DeviceClosedError);
      await expect(output.write(false)).rejects.toThrow(`${output.name}: write() on a closed device`);
      expect(output.writeSafeSync()).toBe(false);
    });

    for (const [activeLow, safeLevel] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      it(`open() drives the safe level (activeLow ${activeLow}, safe ${safeLevel ? 'on' : 'off'}), and writes invert only electrically`, async () => {
        const { output, physical } = await build(activeLow, safeLevel);
        await output.open();
        expect(output.isOpen).toBe(true);
        expect(output.level).toBe(safeLevel);
        if (physical) expect(physical()).toBe(safeLevel !== activeLow);
        await output.write(!safeLevel);
        expect(output.level).toBe(!safeLevel);
        if (physical) expect(physical()).toBe(!safeLevel !== activeLow);
      });
    }

    it('accepts true/false and 1/0', async () => {
      const { output, physical } = await build();
      await output.open();
      for (const [v, expected] of [
        [1, true],
        [0, false],
        [true, true],
        [false, false],
      ] as const) {
        await output.write(v);
        expect(output.level).toBe(expected);
        if (physical) expect(physical()).toBe(expected);
      }
    });

    it.each([[2], [-1], ['on'], ['1'], [null], [undefined], [NaN], [{}]])('rejects %p with InvalidLevelError and keeps the level', async (bad) => {
      const { output } = await build();
      await output.open();
      await output.write(true);
      await expect(output.write(bad as never)).rejects.toThrow(InvalidLevelError);
      expect(output.level).toBe(true);
    });

    it('runs operations in call order: write() right after open(), last write wins', async () => {
      const { output, physical } = await build();
      const all = [output.open(), output.write(true), output.write(false), output.write(1)];
      await Promise.all(all);
      expect(output.level).toBe(true);
      if (physical) expect(physical()).toBe(true);
    });

    it('open() and close() are idempotent; close() drives the safe level; writes after close reject', async () => {
      const { output, physical } = await build(false, false);
      await output.open();
      await output.open();
      await output.write(true);
      await output.close();
      await output.close();
      expect(output.isOpen).toBe(false);
      expect(output.level).toBe(false);
      if (physical) expect(physical()).toBe(false);
      await expect(output.write(true)).rejects.toThrow(DeviceClosedError);
    });

    it('can be opened again after close(), at the safe level', async () => {
      const { output } = await build(true, true);
      await output.open();
      await output.write(false);
      await output.close();
      await output.open();
      expect(output.level).toBe(true);
      await output.write(false);
      expect(output.level).toBe(false);
    });

    it('writeSafeSync() drives the safe level without awaiting, and the output stays usable', async () => {
      const { output, physical } = await build(false, true);
      await output.open();
      await output.write(false);
      expect(output.writeSafeSync()).toBe(true);
      expect(output.level).toBe(true);
      if (physical) expect(physical()).toBe(true);
      await output.write(false);
      expect(output.level).toBe(false);
    });

    it('a write called before writeSafeSync() but not yet done does not win over it', async () => {
      const { output, physical } = await build(true, false);
      await output.open();
      const pending = output.write(true);
      expect(output.writeSafeSync()).toBe(true);
      await pending;
      expect(output.level).toBe(false);
      if (physical) expect(physical()).toBe(true); // active low: off is high
    });
  });
}
