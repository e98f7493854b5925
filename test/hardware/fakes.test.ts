import type { Clock } from '../../hardware/clock';
import { Debouncer } from '../../hardware/debounce';
import { GpioError, InvalidLevelError } from '../../hardware/errors';
import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { FakeTextDisplay } from '../../hardware/fake/text-display';
import { FakeThermometer } from '../../hardware/fake/thermometer';

/** A hand-driven clock: proves the fakes take time from what they are given, not from Date. */
function manualClock(start = 5000) {
  let now = start;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance };
}

describe('fakes: histories and controls', () => {
  it('FakeDigitalOutput records ops with the injected clock, levels and electrical levels', async () => {
    const { clock, advance } = manualClock();
    const relay = new FakeDigitalOutput({ name: 'relay', activeLow: true, safeLevel: false, clock });
    await relay.open();
    advance(10);
    await relay.write(true);
    advance(5);
    relay.writeSafeSync();
    await relay.close();
    expect(relay.history).toEqual([
      { t: 5000, op: 'open', level: false, physical: true },
      { t: 5010, op: 'write', level: true, physical: false },
      { t: 5015, op: 'safe', level: false, physical: true },
      { t: 5015, op: 'write', level: false, physical: true },
      { t: 5015, op: 'close' },
    ]);
  });

  it('a write called before writeSafeSync() never reaches the line (no glitch)', async () => {
    const relay = new FakeDigitalOutput({ name: 'relay', safeLevel: false });
    await relay.open();
    const pending = relay.write(true);
    relay.writeSafeSync();
    await pending;
    expect(relay.history.map((e) => [e.op, e.level])).toEqual([
      ['open', false],
      ['safe', false],
    ]);
  });

  it('FakeDigitalOutput.failNextWrite fails one write as a driver would, then works', async () => {
    const led = new FakeDigitalOutput({ name: 'greenLed' });
    await led.open();
    led.failNextWrite('EIO');
    await expect(led.write(true)).rejects.toThrow(new GpioError('greenLed', 'write failed: EIO').message);
    expect(led.level).toBe(false);
    await led.write(true);
    expect(led.level).toBe(true);
  });

  it('FakeDigitalInput debounces on the injected clock and records raw edges and changes', async () => {
    const { clock, advance } = manualClock(0);
    const button = new FakeDigitalInput({ name: 'staffButton', debounceMs: 30, clock });
    const seen: [boolean, number][] = [];
    button.onChange((l, t) => seen.push([l, t]));
    await button.open();
    button.press();
    advance(10);
    button.release();
    advance(10);
    button.press();
    advance(29);
    expect(seen).toEqual([]);
    advance(1);
    expect(seen).toEqual([[true, 50]]);
    expect(button.history.filter((e) => e.op !== 'open')).toEqual([
      { t: 0, op: 'raw', level: true },
      { t: 10, op: 'raw', level: false },
      { t: 20, op: 'raw', level: true },
      { t: 50, op: 'change', level: true },
    ]);
    expect(() => button.setLevel(2 as never)).toThrow(InvalidLevelError);
  });

  it('FakeThermometer records reads and rejects temperatures the sensor cannot encode', async () => {
    const { clock } = manualClock(100);
    const t = new FakeThermometer({ config: { type: 'mlx90614', bus: 1, address: 0x5a, offsetC: 0, readTimeoutMs: 500 }, clock });
    t.setTemperature(36.61, 21.01);
    await t.open();
    expect(await t.readObjectC()).toBe(36.61);
    expect(t.history.filter((e) => e.op === 'read')).toEqual([
      { t: 100, op: 'read', register: 6, value: 21.01 },
      { t: 100, op: 'read', register: 7, value: 36.61 },
    ]);
    expect(() => t.setTemperature(400)).toThrow(RangeError);
  });

  it('FakeTextDisplay keeps the screen and a history of what was shown', async () => {
    const { clock } = manualClock(7);
    const d = new FakeTextDisplay({ config: { type: 'hd44780-pcf8574', bus: 1, address: 0x27, columns: 16, rows: 2 }, clock });
    await d.open();
    await d.writeLines(['Hi']);
    expect(d.history.map((e) => e.op)).toEqual(['open', 'write']);
    expect(d.history[1]).toEqual({ t: 7, op: 'write', lines: ['Hi              ', ' '.repeat(16)] });
  });
});

describe('Debouncer', () => {
  it('settles to the level current when the quiet time ends, reporting only changes', () => {
    const { clock, advance } = manualClock(0);
    const seen: [boolean, number][] = [];
    const d = new Debouncer(20, false, (l, t) => seen.push([l, t]), clock);
    d.raw(true);
    advance(19);
    d.raw(true); // restarts the quiet time even without a change
    advance(19);
    expect(seen).toEqual([]);
    advance(1);
    expect(seen).toEqual([[true, 39]]);
    d.raw(false);
    d.raw(true);
    advance(20);
    expect(seen).toEqual([[true, 39]]);
    d.settled(false);
    d.settled(false);
    expect(seen).toEqual([
      [true, 39],
      [false, 59],
    ]);
    expect(d.level).toBe(false);
  });
});
