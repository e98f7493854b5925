import { DeviceClosedError } from '../../../hardware/errors';
import type { DigitalInput } from '../../../hardware/types';

export interface InputSubject {
  input: DigitalInput;
  /** Sets the raw logical level of the contact (one edge); absent on a real board. */
  drive?: (level: boolean) => void;
  cleanup?: () => Promise<void> | void;
}
export type InputFactory = (opts: { activeLow: boolean; debounceMs: number; initial: boolean }) => InputSubject | Promise<InputSubject>;

/** Opens under jest fake timers (drivers may wait on a timer while opening). */
async function openWithFakeTimers(input: DigitalInput): Promise<void> {
  const opening = input.open();
  await jest.advanceTimersByTimeAsync(200);
  await opening;
}

/**
 * The DigitalInput contract (hardware/types.ts). Tests that need to move the contact are registered only
 * when the subject can (`drive`); on a real board the lifecycle rules are checked.
 */
export function describeDigitalInputContract(label: string, make: InputFactory, canDrive: boolean): void {
  describe(`DigitalInput contract: ${label}`, () => {
    let subject: InputSubject | null = null;
    const build = async (opts: Partial<{ activeLow: boolean; debounceMs: number; initial: boolean }> = {}) =>
      (subject = await make({ activeLow: true, debounceMs: 30, initial: false, ...opts }));
    afterEach(async () => {
      jest.useRealTimers();
      if (subject) {
        await subject.input.close().catch(() => undefined);
        await subject.cleanup?.();
      }
      subject = null;
    });

    it('rejects read() before open() and after close() with DeviceClosedError; open/close are idempotent', async () => {
      const { input } = await build();
      await expect(input.read()).rejects.toThrow(DeviceClosedError);
      await input.open();
      await input.open();
      expect(typeof (await input.read())).toBe('boolean');
      await input.close();
      await input.close();
      expect(input.isOpen).toBe(false);
      await expect(input.read()).rejects.toThrow(`${input.name}: read() on a closed device`);
    });

    it('releaseSync() closes the input at once', async () => {
      const { input } = await build();
      await input.open();
      input.releaseSync();
      expect(input.isOpen).toBe(false);
      await expect(input.read()).rejects.toThrow(DeviceClosedError);
    });

    if (canDrive) describeDriven(build);
  });
}

function describeDriven(build: (opts?: Partial<{ activeLow: boolean; debounceMs: number; initial: boolean }>) => Promise<InputSubject>): void {
  describe('with the contact driven by the test (fake timers)', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: 1_000_000 });
    });

    it.each([[true], [false]])('open() reads the contact level (initial %p)', async (initial) => {
      const { input } = await build({ initial });
      await openWithFakeTimers(input);
      expect(await input.read()).toBe(initial);
    });

    it('reports a change debounceMs after the last bounce, once, with its time', async () => {
      const { input, drive } = await build({ debounceMs: 30 });
      const seen: [boolean, number][] = [];
      input.onChange((level, t) => seen.push([level, t]));
      await openWithFakeTimers(input);
      const t0 = Date.now();
      drive!(true);
      await jest.advanceTimersByTimeAsync(5);
      drive!(false);
      await jest.advanceTimersByTimeAsync(5);
      drive!(true); // last bounce at t0 + 10
      await jest.advanceTimersByTimeAsync(29);
      expect(seen).toEqual([]);
      expect(await input.read()).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(seen).toEqual([[true, t0 + 40]]);
      expect(await input.read()).toBe(true);
      await jest.advanceTimersByTimeAsync(1000);
      expect(seen).toHaveLength(1);
    });

    it('never reports a glitch shorter than debounceMs', async () => {
      const { input, drive } = await build({ debounceMs: 30 });
      const seen: boolean[] = [];
      input.onChange((level) => seen.push(level));
      await openWithFakeTimers(input);
      drive!(true);
      await jest.advanceTimersByTimeAsync(20);
      drive!(false);
      await jest.advanceTimersByTimeAsync(100);
      expect(seen).toEqual([]);
      expect(await input.read()).toBe(false);
    });

    it('with debounceMs 0 reports every change at once', async () => {
      const { input, drive } = await build({ debounceMs: 0 });
      const seen: boolean[] = [];
      input.onChange((level) => seen.push(level));
      await openWithFakeTimers(input);
      drive!(true);
      drive!(false);
      drive!(false);
      drive!(true);
      expect(seen).toEqual([true, false, true]);
    });

    it('stops calling a listener after unsubscribe, and everyone after close()', async () => {
      const { input, drive } = await build({ debounceMs: 0 });
      const a: boolean[] = [];
      const b: boolean[] = [];
      const offA = input.onChange((l) => a.push(l));
      input.onChange((l) => b.push(l));
      await openWithFakeTimers(input);
      drive!(true);
      offA();
      drive!(false);
      expect(a).toEqual([true]);
      expect(b).toEqual([true, false]);
      await input.close();
      drive!(true);
      expect(b).toEqual([true, false]);
    });

    it('drops a pending debounce on close()', async () => {
      const { input, drive } = await build({ debounceMs: 30 });
      const seen: boolean[] = [];
      input.onChange((l) => seen.push(l));
      await openWithFakeTimers(input);
      drive!(true);
      await input.close();
      await jest.advanceTimersByTimeAsync(100);
      expect(seen).toEqual([]);
    });
  });
}
