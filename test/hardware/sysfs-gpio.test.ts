import { GpioError } from '../../hardware/errors';
import { SysfsInput, SysfsOutput, loadOnoff } from '../../hardware/drivers/sysfs-gpio';
import { mockOnoff } from './helpers/fake-onoff';

describe('SysfsOutput (onoff, JetPack 4)', () => {
  it('loads onoff only in open(), and exports with the safe level as direction (no glitch)', async () => {
    const onoff = mockOnoff();
    const load = jest.fn(() => onoff.module);
    const green = new SysfsOutput({ name: 'greenLed', sysfs: 50, activeLow: false, safeLevel: false, load });
    expect(load).not.toHaveBeenCalled();
    await green.open();
    expect(load).toHaveBeenCalledTimes(1);
    expect(onoff.Gpio).toHaveBeenCalledWith(50, 'low', 'none', { activeLow: false });
  });

  it.each([
    [false, false, 'low'],
    [false, true, 'high'],
    [true, false, 'high'], // an active-low relay is off with the line high
    [true, true, 'low'],
  ] as const)('activeLow %p, safe %p: direction %p and activeLow passed to the kernel', async (activeLow, safeLevel, direction) => {
    const onoff = mockOnoff();
    const relay = new SysfsOutput({ name: 'relay', sysfs: 15, activeLow, safeLevel, load: () => onoff.module });
    await relay.open();
    expect(onoff.Gpio).toHaveBeenCalledWith(15, direction, 'none', { activeLow });
  });

  it('writes logical values with writeSync; close writes the safe level and keeps the pin exported', async () => {
    const onoff = mockOnoff();
    const relay = new SysfsOutput({ name: 'relay', sysfs: 15, activeLow: true, safeLevel: false, load: () => onoff.module });
    await relay.open();
    await relay.write(true);
    await relay.write(0);
    await relay.write(1);
    await relay.close();
    const g = onoff.byNumber(15);
    expect(g.writes).toEqual([1, 0, 1, 0]);
    expect(g.calls).not.toContain('unexport');
    // Reopening reuses the exported pin instead of exporting it again.
    await relay.open();
    expect(onoff.Gpio).toHaveBeenCalledTimes(1);
    expect(g.writes).toEqual([1, 0, 1, 0, 0]);
  });

  it('writeSafeSync uses writeSync and returns false before the first open', async () => {
    const onoff = mockOnoff();
    const buzzer = new SysfsOutput({ name: 'buzzer', sysfs: 232, activeLow: false, safeLevel: false, load: () => onoff.module });
    expect(buzzer.writeSafeSync()).toBe(false);
    await buzzer.open();
    await buzzer.write(true);
    expect(buzzer.writeSafeSync()).toBe(true);
    expect(onoff.byNumber(232).calls.slice(-1)).toEqual(['writeSync(0)']);
  });

  it('reports export and write failures as GpioError naming the sysfs number', async () => {
    const onoff = mockOnoff();
    onoff.Gpio.mockImplementationOnce(() => {
      throw Object.assign(new Error("EACCES: permission denied, open '/sys/class/gpio/export'"), { code: 'EACCES' });
    });
    const led = new SysfsOutput({ name: 'redLed', sysfs: 14, activeLow: false, safeLevel: false, load: () => onoff.module });
    const err = await led.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpioError);
    expect((err as Error).message).toBe("redLed: cannot export sysfs gpio14 as output: EACCES: permission denied, open '/sys/class/gpio/export'");
    expect(led.isOpen).toBe(false);
    await led.open();
    onoff.byNumber(14).failWrites = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    await expect(led.write(true)).rejects.toThrow('redLed: write to sysfs gpio14 failed: EIO: i/o error, write');
  });

  it('loadOnoff() returns the installed module without touching sysfs', () => {
    expect(typeof loadOnoff().Gpio).toBe('function');
  });
});

describe('SysfsInput (onoff, JetPack 4)', () => {
  it("exports as input with edge 'both', activeLow and onoff's debounceTimeout, then reads and watches", async () => {
    const onoff = mockOnoff();
    const button = new SysfsInput({ name: 'staffButton', sysfs: 149, activeLow: true, debounceMs: 30, load: () => onoff.module });
    await button.open();
    expect(onoff.Gpio).toHaveBeenCalledWith(149, 'in', 'both', { activeLow: true, debounceTimeout: 30 });
    expect(onoff.byNumber(149).calls).toEqual(['readSync', 'watch']);
  });

  it('reports only changes of the level onoff settles on, and unwatches and unexports on close', async () => {
    const onoff = mockOnoff();
    const alarm = new SysfsInput({ name: 'fireAlarm', sysfs: 200, activeLow: true, debounceMs: 30, load: () => onoff.module });
    const seen: boolean[] = [];
    alarm.onChange((l) => seen.push(l));
    await alarm.open();
    const g = onoff.byNumber(200);
    g.fire(1);
    g.fire(1); // onoff calls back after every settled burst, even with no change
    g.fire(0);
    expect(seen).toEqual([true, false]);
    expect(await alarm.read()).toBe(false);
    await alarm.close();
    expect(g.calls.slice(-2)).toEqual(['unwatchAll', 'unexport']);
    expect(g.watching).toBe(0);
  });

  it('starts from the level read at open', async () => {
    const onoff = mockOnoff(1);
    const seen: boolean[] = [];
    const input = new SysfsInput({ name: 'passageSensor', sysfs: 38, activeLow: false, debounceMs: 0, load: () => onoff.module });
    input.onChange((l) => seen.push(l));
    await input.open();
    expect(await input.read()).toBe(true);
    onoff.byNumber(38).fire(1);
    expect(seen).toEqual([]);
  });

  it('passes watch errors to onError as GpioError', async () => {
    const onoff = mockOnoff();
    const input = new SysfsInput({ name: 'staffButton', sysfs: 149, activeLow: true, debounceMs: 30, load: () => onoff.module });
    const errors: Error[] = [];
    input.onError((e) => errors.push(e));
    await input.open();
    onoff.byNumber(149).fire(0, new Error('EPOLLERR'));
    expect(errors.map((e) => [e.constructor, e.message])).toEqual([[GpioError, 'staffButton: watch on sysfs gpio149 failed: EPOLLERR']]);
  });

  it('releaseSync() unexports without yielding', async () => {
    const onoff = mockOnoff();
    const input = new SysfsInput({ name: 'staffButton', sysfs: 149, activeLow: true, debounceMs: 30, load: () => onoff.module });
    await input.open();
    input.releaseSync();
    expect(onoff.byNumber(149).calls.slice(-2)).toEqual(['unwatchAll', 'unexport']);
    expect(input.isOpen).toBe(false);
  });
});
