import { createHardware, resolvePlatform } from '../../hardware/create-hardware';
import { GpiodInput, GpiodOutput } from '../../hardware/drivers/gpiod-gpio';
import { Hd44780Pcf8574 } from '../../hardware/drivers/hd44780-pcf8574';
import { Mlx90614 } from '../../hardware/drivers/mlx90614';
import { SysfsInput, SysfsOutput } from '../../hardware/drivers/sysfs-gpio';
import { BoardError } from '../../hardware/errors';
import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { FakeTextDisplay } from '../../hardware/fake/text-display';
import { FakeThermometer } from '../../hardware/fake/thermometer';
import { ConfigSchema } from '../../src/config/schema';
import { HardwareSection } from '../../src/config/sections/hardware';
import { memoryLogger } from '../../src/log';
import { FakeGpiodSystem } from './helpers/fake-gpiod';
import { mockOnoff } from './helpers/fake-onoff';
import { Hd44780Emulator, MlxDevice, mockI2cModule } from './helpers/i2c-devices';
import { i2cBusOpener } from '../../hardware/drivers/i2c';
import { MLX_AMBIENT, MLX_OBJECT, encodeWord } from '../../hardware/mlx90614-codec';

const files = (map: Record<string, string>) => (path: string) => map[path] ?? null;
const NANO = { '/etc/nv_tegra_release': '# R32 (release), REVISION: 7.1\n', '/proc/device-tree/compatible': 'nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0' };
const ORIN = { '/etc/nv_tegra_release': '# R36 (release), REVISION: 4.3\n', '/proc/device-tree/compatible': 'nvidia,p3768-0000+p3767-0005\0nvidia,tegra234\0' };

describe('resolvePlatform', () => {
  const cfg = (o: object) => HardwareSection.parse(o);

  it('auto: JetPack 4 (R32) is sysfs, R35/R36 are gpiod; the board comes from the device tree', () => {
    const logger = memoryLogger();
    expect(resolvePlatform(cfg({ driver: 'auto' }), files(NANO), logger)).toEqual({ driver: 'sysfs', board: 'jetson-nano' });
    expect(resolvePlatform(cfg({ driver: 'auto' }), files(ORIN), logger)).toEqual({ driver: 'gpiod', board: 'jetson-orin' });
    expect(
      resolvePlatform(cfg({ driver: 'auto' }), files({ ...ORIN, '/etc/nv_tegra_release': '# R35 (release), REVISION: 4.1\n' }), logger),
    ).toEqual({ driver: 'gpiod', board: 'jetson-orin' });
  });

  it('auto off a Jetson falls back to simulated with a warning', () => {
    const logger = memoryLogger();
    expect(resolvePlatform(cfg({ driver: 'auto' }), files({}), logger)).toEqual({ driver: 'simulated', board: null });
    expect(logger.lines.join('')).toMatch(/warn .*\/etc\/nv_tegra_release does not exist \(not a Jetson\): using simulated hardware/);
  });

  it('a configured board wins over the device tree; an unreadable release is an error', () => {
    const logger = memoryLogger();
    expect(resolvePlatform(cfg({ driver: 'gpiod', board: 'jetson-xavier-nx' }), files(ORIN), logger)).toEqual({ driver: 'gpiod', board: 'jetson-xavier-nx' });
    expect(() => resolvePlatform(cfg({ driver: 'auto' }), files({ '/etc/nv_tegra_release': 'what' }), logger)).toThrow(
      'cannot tell the JetPack version: /etc/nv_tegra_release reads "what"',
    );
    expect(() => resolvePlatform(cfg({ driver: 'gpiod' }), files({}), logger)).toThrow(/\/proc\/device-tree\/compatible does not exist; set hardware.board/);
  });

  it('refuses sysfs on Orin (no JetPack 4 numbers)', () => {
    expect(() => resolvePlatform(cfg({ driver: 'sysfs', board: 'jetson-orin' }), files({}), memoryLogger())).toThrow(BoardError);
    expect(() => resolvePlatform(cfg({ driver: 'sysfs', board: 'jetson-orin' }), files({}), memoryLogger())).toThrow(
      /jetson-orin has no sysfs GPIO numbers .* needed for greenLed \(pin 11\): set hardware.driver to "gpiod"/,
    );
  });
});

describe('createHardware', () => {
  it('simulated: builds fakes for the configured devices only, with safe levels from the config', () => {
    const config = ConfigSchema.parse({
      gate: { failMode: 'open' },
      hardware: {
        outputs: { amberLed: null, relay: { pin: 18, activeLow: true } },
        inputs: { passageSensor: { pin: 33 } },
        thermometer: { type: 'mlx90614', bus: 1 },
      },
    }).hardware;
    const hw = createHardware(config, { logger: memoryLogger(), readFile: files({}) });
    expect(hw.driver).toBe('simulated');
    expect(hw.outputs.amberLed).toBeNull();
    expect(hw.outputs.relay).toBeInstanceOf(FakeDigitalOutput);
    expect(hw.outputs.relay?.safeLevel).toBe(true); // gate.failMode open: released
    expect(hw.outputs.relay?.activeLow).toBe(true);
    expect(hw.outputs.greenLed?.safeLevel).toBe(false);
    expect(hw.inputs.passageSensor).toBeInstanceOf(FakeDigitalInput);
    expect(hw.inputs.staffButton?.debounceMs).toBe(30);
    expect(hw.thermometer).toBeInstanceOf(FakeThermometer);
    expect(hw.display).toBeNull();
  });

  it('sysfs on a Nano: onoff outputs and inputs on the table sysfs numbers, real I2C drivers', async () => {
    const onoff = mockOnoff();
    const lcd = new Hd44780Emulator();
    const sensor = new MlxDevice();
    const ctx = (register: number) => ({ device: 'thermometer', bus: 1, address: 0x5a, register });
    sensor.bytes = { [MLX_OBJECT]: encodeWord(ctx(MLX_OBJECT), 36.51), [MLX_AMBIENT]: encodeWord(ctx(MLX_AMBIENT), 24) };
    const i2c = mockI2cModule({ 0x27: lcd, 0x5a: sensor });
    const config = HardwareSection.parse({
      driver: 'auto',
      thermometer: { type: 'mlx90614', bus: 1 },
      display: { type: 'hd44780-pcf8574', bus: 1 },
    });
    const hw = createHardware(config, { logger: memoryLogger(), readFile: files(NANO), loadOnoff: () => onoff.module, openI2cBus: i2cBusOpener(() => i2c.module) });
    expect(hw.driver).toBe('sysfs');
    expect(hw.board).toBe('jetson-nano');
    expect(hw.outputs.greenLed).toBeInstanceOf(SysfsOutput);
    expect(hw.inputs.fireAlarm).toBeInstanceOf(SysfsInput);
    expect(hw.thermometer).toBeInstanceOf(Mlx90614);
    expect(hw.display).toBeInstanceOf(Hd44780Pcf8574);
    expect(onoff.Gpio).not.toHaveBeenCalled();
    await hw.open();
    // Nano: 11 -> 50, 13 -> 14, 15 -> 194, 16 -> 232, 18 -> 15; inputs 29 -> 149, 31 -> 200.
    expect(onoff.Gpio.mock.calls).toEqual([
      [50, 'low', 'none', { activeLow: false }],
      [14, 'low', 'none', { activeLow: false }],
      [194, 'low', 'none', { activeLow: false }],
      [232, 'low', 'none', { activeLow: false }],
      [15, 'low', 'none', { activeLow: false }],
      [149, 'in', 'both', { activeLow: true, debounceTimeout: 30 }],
      [200, 'in', 'both', { activeLow: true, debounceTimeout: 30 }],
    ]);
    expect(await hw.thermometer!.readObjectC()).toBe(36.51);
    await hw.display!.writeLines(['Hello']);
    expect(lcd.screen(16, 2)[0]).toBe('Hello           ');
    await hw.close();
  });

  it('gpiod on an Orin: chip label and line offsets from the table', async () => {
    const system = new FakeGpiodSystem();
    const config = HardwareSection.parse({ driver: 'auto', outputs: { greenLed: { pin: 7 } }, inputs: { fireAlarm: null } });
    const hw = createHardware(config, { logger: memoryLogger(), readFile: files(ORIN), gpiodSystem: system });
    expect(hw.outputs.relay).toBeInstanceOf(GpiodOutput);
    expect(hw.inputs.staffButton).toBeInstanceOf(GpiodInput);
    await hw.open();
    expect(system.commandLines()).toEqual([
      'gpioset --mode=signal gpiochip0 144=0', // pin 7
      'gpioset --mode=signal gpiochip0 122=0', // 13
      'gpioset --mode=signal gpiochip0 85=0', // 15
      'gpioset --mode=signal gpiochip0 126=0', // 16
      'gpioset --mode=signal gpiochip0 125=0', // 18
      'gpiomon --line-buffered --format=%e %s %n gpiochip0 105', // 29
    ]);
    // One version check and one gpiodetect for all lines.
    expect(system.runs.filter((r) => r.startsWith('gpiodetect'))).toHaveLength(1);
    await hw.close();
  });

  it('rejects a pin that is not a GPIO on the board at build time', () => {
    const config = HardwareSection.parse({ driver: 'gpiod', board: 'jetson-nano', outputs: { buzzer: { pin: 3 } } });
    expect(() => createHardware(config, { logger: memoryLogger(), readFile: files({}) })).toThrow(/BOARD pin 3 is not a GPIO on jetson-nano/);
  });

  it('safeState() drives every opened output to its safe level and reports each; failures do not stop the others', async () => {
    const config = HardwareSection.parse({ outputs: { relay: { pin: 18, safe: 'off' }, amberLed: { pin: 15, safe: 'on' } } });
    const hw = createHardware(config, { logger: memoryLogger(), readFile: files({}) });
    expect(hw.safeState().map((r) => r.result)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    await hw.open();
    for (const o of Object.values(hw.outputs)) await o?.write(true);
    await hw.outputs.amberLed!.write(false);
    const broken = hw.outputs.buzzer as FakeDigitalOutput;
    jest.spyOn(broken, 'writeSafeSync').mockImplementation(() => {
      throw new Error('line gone');
    });
    const report = hw.safeState();
    expect(report).toEqual([
      { name: 'greenLed', level: false, result: 'driven' },
      { name: 'redLed', level: false, result: 'driven' },
      { name: 'amberLed', level: true, result: 'driven' },
      { name: 'buzzer', level: false, result: 'failed', error: 'line gone' },
      { name: 'relay', level: false, result: 'driven' },
    ]);
    expect(hw.outputs.relay!.level).toBe(false);
    expect(hw.outputs.amberLed!.level).toBe(true);
  });

  it('exitSync() also releases inputs; onError gathers every device', async () => {
    const hw = createHardware(HardwareSection.parse({ display: { type: 'hd44780-pcf8574', bus: 1 } }), { logger: memoryLogger(), readFile: files({}) });
    const errors: string[] = [];
    hw.onError((e) => errors.push(e.message));
    await hw.open();
    (hw.inputs.staffButton as FakeDigitalInput).injectError('monitor died');
    (hw.outputs.relay as FakeDigitalOutput).injectError('holder died');
    expect(errors).toEqual(['staffButton: monitor died', 'relay: holder died']);
    hw.exitSync();
    expect(hw.inputs.staffButton!.isOpen).toBe(false);
    expect(hw.inputs.fireAlarm!.isOpen).toBe(false);
    expect((hw.display as FakeTextDisplay).isOpen).toBe(true);
  });

  it('close() tries every device and rejects with the first failure', async () => {
    const hw = createHardware(HardwareSection.parse({}), { logger: memoryLogger(), readFile: files({}) });
    await hw.open();
    const red = hw.outputs.redLed as FakeDigitalOutput;
    red.failNextWrite('stuck');
    await expect(hw.close()).rejects.toThrow('redLed: write failed: stuck');
    expect(Object.values(hw.outputs).every((o) => !o || !o.isOpen)).toBe(true);
    expect(hw.inputs.fireAlarm!.isOpen).toBe(false);
  });
});
