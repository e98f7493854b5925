import { BOARD_PINS, detectBoard, l4tRelease, pinInfo } from '../../hardware/board-pins';
import { BoardError } from '../../hardware/errors';
import { HardwareSection } from '../../src/config/sections/hardware';

describe('detectBoard(/proc/device-tree/compatible)', () => {
  it.each([
    ['nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0', 'jetson-nano'],
    ['nvidia,jetson-nano\0nvidia,tegra210\0', 'jetson-nano'],
    ['nvidia,p3509-0000+p3668-0001\0nvidia,tegra194\0', 'jetson-xavier-nx'],
    ['nvidia,p3449-0000+p3668-0000\0nvidia,p3668-0000\0nvidia,tegra194\0', 'jetson-xavier-nx'],
    ['nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0', 'jetson-orin'],
    ['nvidia,p3509-0000+p3767-0000\0nvidia,tegra234\0', 'jetson-orin'],
  ])('%j is %s', (text, board) => {
    expect(detectBoard(text)).toBe(board);
  });

  it('names what it read for an unknown board', () => {
    expect(() => detectBoard('raspberrypi,4-model-b\0brcm,bcm2711\0')).toThrow(BoardError);
    expect(() => detectBoard('raspberrypi,4-model-b\0brcm,bcm2711\0')).toThrow(
      'unknown board: /proc/device-tree/compatible reads "raspberrypi,4-model-b", "brcm,bcm2711"; supported: Jetson Nano (p3450), Xavier NX (p3668), Orin NX/Nano (p3767)',
    );
    expect(() => detectBoard('')).toThrow('reads (nothing)');
  });

  it('refuses Jetsons with another header map instead of guessing', () => {
    expect(() => detectBoard('nvidia,p3737-0000+p3701-0005\0nvidia,tegra234\0')).toThrow(/^Jetson AGX Orin \(p3701\) is not supported/);
    expect(() => detectBoard('nvidia,p2972-0000\0nvidia,tegra194\0')).toThrow(/^Jetson AGX Xavier \(p2972\) is not supported/);
  });
});

describe('board pin tables', () => {
  it('has the known pin 7 facts for each module', () => {
    expect(pinInfo('jetson-nano', 7)).toEqual({ pin: 7, chip: 'tegra-gpio', line: 216, sysfs: 216, port: 'PBB.00' });
    expect(pinInfo('jetson-xavier-nx', 7)).toMatchObject({ chip: 'tegra194-gpio', line: 118, sysfs: 436 });
    expect(pinInfo('jetson-orin', 7)).toMatchObject({ chip: 'tegra234-gpio', line: 144, sysfs: null });
    expect(pinInfo('jetson-nano', 11).sysfs).toBe(50);
    expect(pinInfo('jetson-nano', 12).sysfs).toBe(79);
  });

  it('maps the always-on pins of Xavier NX to the aon chip', () => {
    expect(pinInfo('jetson-xavier-nx', 15)).toMatchObject({ chip: 'tegra194-gpio-aon', line: 16, sysfs: 268 });
  });

  it('covers every default pin of the config schema on every board', () => {
    const c = HardwareSection.parse({});
    const pins = [...Object.values(c.outputs), ...Object.values(c.inputs)].flatMap((p) => (p ? [p.pin] : []));
    expect(pins.sort((a, b) => a - b)).toEqual([11, 13, 15, 16, 18, 29, 31]);
    for (const board of Object.keys(BOARD_PINS) as (keyof typeof BOARD_PINS)[]) {
      for (const pin of [...pins, 7, 12, 33]) expect(() => pinInfo(board, pin)).not.toThrow();
    }
  });

  it('has the same 22 GPIO header pins on every board, with unique lines per chip and unique sysfs numbers', () => {
    const expected = [7, 11, 12, 13, 15, 16, 18, 19, 21, 22, 23, 24, 26, 29, 31, 32, 33, 35, 36, 37, 38, 40];
    for (const table of Object.values(BOARD_PINS)) {
      expect([...table.keys()]).toEqual(expected);
      const lines = [...table.values()].map((p) => `${p.chip}:${p.line}`);
      expect(new Set(lines).size).toBe(lines.length);
      const sysfs = [...table.values()].map((p) => p.sysfs).filter((n) => n !== null);
      expect(new Set(sysfs).size).toBe(sysfs.length);
    }
  });

  it('keeps Nano sysfs = line (tegra-gpio base 0) and Xavier NX sysfs in the r32 chip ranges', () => {
    for (const p of BOARD_PINS['jetson-nano'].values()) expect(p.sysfs).toBe(p.line);
    for (const p of BOARD_PINS['jetson-xavier-nx'].values()) {
      if (p.chip.endsWith('-aon')) expect(p.sysfs! - 248).toBeLessThan(40);
      else expect(p.sysfs! - 288).toBeGreaterThanOrEqual(0);
    }
  });

  it('names the usable pins when a pin is not a GPIO', () => {
    expect(() => pinInfo('jetson-orin', 3)).toThrow(/^BOARD pin 3 is not a GPIO on jetson-orin \(power, ground, I2C or UART\); GPIO pins are 7, 11, 12/);
  });
});

describe('l4tRelease(/etc/nv_tegra_release)', () => {
  it.each([
    ['# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022\n', 32],
    ['# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64\n', 35],
    ['# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64\n', 36],
    ['garbage', null],
  ])('%j -> %p', (text, major) => {
    expect(l4tRelease(text)).toBe(major);
  });
});
