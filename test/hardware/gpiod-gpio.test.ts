import { GpioError } from '../../hardware/errors';
import { GpiodInput, GpiodOutput, GpiodTools } from '../../hardware/drivers/gpiod-gpio';
import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeGpiodSystem } from './helpers/fake-gpiod';

function output(system: FakeGpiodSystem, opts: Partial<{ activeLow: boolean; safeLevel: boolean; chip: string; line: number }> = {}) {
  return new GpiodOutput({
    name: 'relay',
    chip: opts.chip ?? 'tegra234-gpio',
    line: opts.line ?? 125,
    activeLow: opts.activeLow ?? false,
    safeLevel: opts.safeLevel ?? false,
    tools: new GpiodTools(system),
    settleMs: 2,
  });
}

describe('GpiodOutput (libgpiod v1 gpioset holders)', () => {
  it('checks the tools once, maps the chip label, and holds the safe level with a detached gpioset', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system);
    expect(system.runs).toEqual([]);
    await relay.open();
    expect(system.runs).toEqual(['gpioset --version', 'gpiodetect']);
    expect(system.commandLines()).toEqual(['gpioset --mode=signal gpiochip0 125=0']);
    expect(system.spawns[0]?.detached).toBe(true);
    expect(system.spawns[0]?.unrefd).toBe(true);
  });

  it('replaces the holder on a change (SIGTERM, then a new gpioset), and not on a repeat', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system, { activeLow: true });
    await relay.open();
    await relay.write(true);
    await relay.write(true);
    await relay.write(false);
    expect(system.commandLines()).toEqual([
      'gpioset --mode=signal gpiochip0 125=1', // safe off, active low: high
      'gpioset --mode=signal gpiochip0 125=0',
      'gpioset --mode=signal gpiochip0 125=1',
    ]);
    expect(system.spawns.map((p) => p.signals)).toEqual([['SIGTERM'], ['SIGTERM'], []]);
    expect(system.driven('gpiochip0', 125)).toBe(1);
  });

  it('finds an always-on chip by its label', async () => {
    const system = new FakeGpiodSystem();
    await output(system, { chip: 'tegra234-gpio-aon', line: 3 }).open();
    expect(system.commandLines()).toEqual(['gpioset --mode=signal gpiochip1 3=0']);
  });

  it('refuses the libgpiod v2 tools, and names the chips when the label is missing', async () => {
    const v2 = new FakeGpiodSystem();
    v2.version = 'gpioset (libgpiod) v2.1\n';
    await expect(output(v2).open()).rejects.toThrow('relay: expected the libgpiod v1 tools, gpioset --version says "gpioset (libgpiod) v2.1"');
    const nano = new FakeGpiodSystem();
    nano.chips = [{ name: 'gpiochip0', label: 'tegra-gpio', lines: 256 }];
    await expect(output(nano).open()).rejects.toThrow('relay: no GPIO chip labelled "tegra234-gpio" (gpiodetect lists gpiochip0 [tegra-gpio])');
  });

  it('reports missing tools clearly', async () => {
    const system = new FakeGpiodSystem();
    system.run = async () => ({ code: null, stdout: '', stderr: '', error: Object.assign(new Error('spawn gpioset ENOENT'), { code: 'ENOENT' }) });
    await expect(output(system).open()).rejects.toThrow(/cannot run gpioset \(spawn gpioset ENOENT\): install the libgpiod v1 tools/);
  });

  it('ends a holder of the same line left by a previous run, and nothing else', async () => {
    const system = new FakeGpiodSystem();
    system.addForeign(4242, ['gpioset', '--mode=signal', 'gpiochip0', '125=1'], 'gpiochip0:125');
    system.addForeign(4343, ['gpioset', '--mode=signal', 'gpiochip0', '12=1'], 'gpiochip0:12');
    system.addForeign(4444, ['vim', 'gpiochip0', '125=1']);
    await output(system).open();
    expect(system.killed).toEqual([[4242, 'SIGTERM']]);
    expect(system.driven('gpiochip0', 125)).toBe(0);
  });

  it('fails open() with the tool message when someone else holds the line', async () => {
    const system = new FakeGpiodSystem();
    system.addForeign(77, ['python3', 'blink.py'], 'gpiochip0:125'); // not our holder: left alone
    const relay = output(system);
    const err = await relay.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpioError);
    expect((err as Error).message).toBe(
      'relay: gpioset --mode=signal gpiochip0 125=0 failed (exit code 1): gpioset: error setting the GPIO line values: Device or resource busy',
    );
    expect(relay.isOpen).toBe(false);
  });

  it('writeSafeSync() kills the holder and holds the safe level before returning', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system, { safeLevel: false });
    await relay.open();
    await relay.write(true);
    expect(relay.writeSafeSync()).toBe(true);
    // Synchronous: the new holder exists without any await.
    expect(system.commandLines().slice(-1)).toEqual(['gpioset --mode=signal gpiochip0 125=0']);
    expect(system.spawns[1]?.signals).toEqual(['SIGKILL']);
    expect(system.driven('gpiochip0', 125)).toBe(0);
  });

  it('writeSafeSync() throws GpioError when the safe holder cannot take the line', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system);
    await relay.open();
    system.spawnFails = new Error('ENOENT');
    expect(() => relay.writeSafeSync()).toThrow(GpioError);
  });

  it('a write called before writeSafeSync() but not started never spawns a holder', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system, { safeLevel: false });
    await relay.open();
    const pending = relay.write(true);
    relay.writeSafeSync();
    await pending;
    expect(system.commandLines()).toEqual(['gpioset --mode=signal gpiochip0 125=0', 'gpioset --mode=signal gpiochip0 125=0']);
  });

  it('a write in flight when writeSafeSync() runs ends at the safe level', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system, { safeLevel: false });
    await relay.open();
    const pending = relay.write(true);
    await new Promise((r) => setImmediate(r)); // the write is now waiting for its gpioset to settle
    expect(system.driven('gpiochip0', 125)).toBe(1);
    relay.writeSafeSync();
    await pending;
    expect(relay.level).toBe(false);
    expect(system.driven('gpiochip0', 125)).toBe(0);
    await relay.write(true);
    expect(system.driven('gpiochip0', 125)).toBe(1);
  });

  it('close() leaves a holder at the safe level; reopening stops it first', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system, { safeLevel: true });
    await relay.open();
    await relay.write(false);
    await relay.close();
    expect(system.driven('gpiochip0', 125)).toBe(1);
    await relay.open();
    expect(system.driven('gpiochip0', 125)).toBe(1);
    expect(system.spawns.filter((p) => p.alive)).toHaveLength(1);
  });

  it('reports a holder that dies on its own through onError', async () => {
    const system = new FakeGpiodSystem();
    const relay = output(system);
    const errors: Error[] = [];
    relay.onError((e) => errors.push(e));
    await relay.open();
    system.spawns[0]?.exit(null, 'SIGKILL');
    await new Promise((r) => setImmediate(r));
    expect(errors.map((e) => e.message)).toEqual(['relay: gpioset holding gpiochip0 line 125 exited (killed by SIGKILL): the line is no longer driven']);
  });
});

describe('GpiodInput (gpioget + gpiomon)', () => {
  const input = (system: FakeGpiodSystem, debounceMs = 30, activeLow = true) =>
    new GpiodInput({ name: 'staffButton', chip: 'tegra234-gpio', line: 105, activeLow, debounceMs, tools: new GpiodTools(system), settleMs: 2 });

  it('reads the level with gpioget, then monitors with a line-buffered gpiomon (not detached)', async () => {
    const system = new FakeGpiodSystem();
    system.levels.set('gpiochip0:105', 0); // contact to ground: active
    const button = input(system);
    await button.open();
    expect(system.runs).toEqual(['gpioset --version', 'gpiodetect', 'gpioget gpiochip0 105']);
    expect(system.commandLines()).toEqual(['gpiomon --line-buffered --format=%e %s %n gpiochip0 105']);
    expect(system.spawns[0]?.detached).toBe(false);
    expect(await button.read()).toBe(true);
  });

  it('turns edges into debounced logical changes (activeLow)', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const system = new FakeGpiodSystem();
      system.levels.set('gpiochip0:105', 1);
      const button = input(system, 30, true);
      const seen: [boolean, number][] = [];
      button.onChange((l, t) => seen.push([l, t]));
      const opening = button.open();
      await jest.advanceTimersByTimeAsync(2);
      await opening;
      const t0 = Date.now();
      system.edge('gpiochip0', 105, 0); // falling: pressed
      await jest.advanceTimersByTimeAsync(3);
      system.edge('gpiochip0', 105, 1);
      await jest.advanceTimersByTimeAsync(3);
      system.edge('gpiochip0', 105, 0);
      await jest.advanceTimersByTimeAsync(30);
      system.edge('gpiochip0', 105, 1); // released
      await jest.advanceTimersByTimeAsync(30);
      expect(seen).toEqual([
        [true, t0 + 36],
        [false, t0 + 66],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports the same changes at the same times as the fake for the same bounce pattern', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const pattern: [number, boolean][] = [[0, true], [4, false], [9, true], [60, false], [70, true], [75, false], [140, true], [300, false]];
      const system = new FakeGpiodSystem();
      system.levels.set('gpiochip0:105', 0);
      const real = input(system, 25, false);
      const fake = new FakeDigitalInput({ name: 'staffButton', activeLow: false, debounceMs: 25 });
      const realSeen: [boolean, number][] = [];
      const fakeSeen: [boolean, number][] = [];
      real.onChange((l, t) => realSeen.push([l, t]));
      fake.onChange((l, t) => fakeSeen.push([l, t]));
      const opening = Promise.all([real.open(), fake.open()]);
      await jest.advanceTimersByTimeAsync(2);
      await opening;
      let now = 0;
      for (const [at, level] of pattern) {
        await jest.advanceTimersByTimeAsync(at - now);
        now = at;
        system.edge('gpiochip0', 105, level ? 1 : 0);
        fake.setLevel(level);
      }
      await jest.advanceTimersByTimeAsync(100);
      expect(realSeen.map(([l]) => l)).toEqual([true, false, true, false]);
      expect(realSeen).toEqual(fakeSeen);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fails open() when gpioget cannot read the line', async () => {
    const busy = new FakeGpiodSystem();
    busy.addForeign(9, ['python3', 'monitor.py'], 'gpiochip0:105');
    await expect(input(busy).open()).rejects.toThrow('staffButton: gpioget gpiochip0 105 failed (exit code 1): gpioget: error reading GPIO values: Device or resource busy');
  });

  it('reports a monitor that dies through onError, and kills it on close and releaseSync', async () => {
    const system = new FakeGpiodSystem();
    const a = input(system);
    const errors: string[] = [];
    a.onError((e) => errors.push(e.message));
    await a.open();
    system.spawns[0]?.exit(2, null, 'gpiomon: error reading event\n');
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual(['staffButton: gpiomon on gpiochip0 line 105 exited (exit code 2): input no longer monitored']);

    const b = input(system);
    await b.open();
    await b.close();
    expect(system.spawns[1]?.signals).toEqual(['SIGTERM']);
    const c = input(system);
    await c.open();
    c.releaseSync();
    expect(system.spawns[2]?.signals).toEqual(['SIGKILL']);
    expect(c.isOpen).toBe(false);
  });
});
