/**
 * Every contract suite against every fake, and against the real drivers on top of mocked native layers
 * (onoff, i2c-bus, the gpiod tools). With MASK_GATE_HW=1 on a Jetson, also against the real drivers
 * (contracts/board.ts).
 */
import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { FakeTextDisplay } from '../../hardware/fake/text-display';
import { FakeThermometer } from '../../hardware/fake/thermometer';
import { GpiodInput, GpiodOutput, GpiodTools } from '../../hardware/drivers/gpiod-gpio';
import { Hd44780Pcf8574 } from '../../hardware/drivers/hd44780-pcf8574';
import { i2cBusOpener } from '../../hardware/drivers/i2c';
import { Mlx90614 } from '../../hardware/drivers/mlx90614';
import { SysfsInput, SysfsOutput } from '../../hardware/drivers/sysfs-gpio';
import { MLX_AMBIENT, MLX_OBJECT, encodeWord, withErrorFlag } from '../../hardware/mlx90614-codec';
import { registerBoardContracts } from './contracts/board';
import { describeDigitalInputContract } from './contracts/digital-input.contract';
import { describeDigitalOutputContract } from './contracts/digital-output.contract';
import { describeTextDisplayContract } from './contracts/text-display.contract';
import { describeThermometerContract } from './contracts/thermometer.contract';
import { FakeGpiodSystem } from './helpers/fake-gpiod';
import { mockOnoff } from './helpers/fake-onoff';
import { Hd44780Emulator, MlxDevice, mockI2cModule } from './helpers/i2c-devices';

const thermoConfig = (offsetC: number) => ({ type: 'mlx90614' as const, bus: 1, address: 0x5a, offsetC, readTimeoutMs: 500 });
const displayConfig = { type: 'hd44780-pcf8574' as const, bus: 1, address: 0x27, columns: 16, rows: 2 };

describeDigitalOutputContract('FakeDigitalOutput', ({ activeLow, safeLevel }) => {
  const output = new FakeDigitalOutput({ name: 'relay', activeLow, safeLevel });
  return { output, physical: () => output.physicalLevel };
});

describeDigitalOutputContract('SysfsOutput on mocked onoff', ({ activeLow, safeLevel }) => {
  const onoff = mockOnoff();
  const output = new SysfsOutput({ name: 'relay', sysfs: 15, activeLow, safeLevel, load: () => onoff.module });
  // The mock keeps onoff's logical value; the pin's electrical level is that inverted by active_low.
  return { output, physical: () => (onoff.instances.length ? (onoff.byNumber(15).value === 1) !== activeLow : null) };
});

describeDigitalOutputContract('GpiodOutput on simulated gpiod tools', ({ activeLow, safeLevel }) => {
  const system = new FakeGpiodSystem();
  const output = new GpiodOutput({ name: 'relay', chip: 'tegra234-gpio', line: 125, activeLow, safeLevel, tools: new GpiodTools(system), settleMs: 2 });
  return { output, physical: () => (system.driven('gpiochip0', 125) === undefined ? undefined : system.driven('gpiochip0', 125) === 1) };
});

describeDigitalInputContract(
  'FakeDigitalInput',
  ({ activeLow, debounceMs, initial }) => {
    const input = new FakeDigitalInput({ name: 'staffButton', activeLow, debounceMs, initial });
    return { input, drive: (l) => input.setLevel(l) };
  },
  true,
);

describeDigitalInputContract(
  'GpiodInput on simulated gpiod tools',
  ({ activeLow, debounceMs, initial }) => {
    const system = new FakeGpiodSystem();
    const phys = (l: boolean): 0 | 1 => (l !== activeLow ? 1 : 0);
    system.levels.set('gpiochip0:105', phys(initial));
    const input = new GpiodInput({ name: 'staffButton', chip: 'tegra234-gpio', line: 105, activeLow, debounceMs, tools: new GpiodTools(system), settleMs: 2 });
    return { input, drive: (l) => system.edge('gpiochip0', 105, phys(l)) };
  },
  true,
);

// onoff debounces inside itself, which the mock does not: only the lifecycle rules run here; the
// exact onoff calls and the change check are in sysfs-gpio.test.ts.
describeDigitalInputContract(
  'SysfsInput on mocked onoff',
  ({ activeLow, debounceMs }) => {
    const onoff = mockOnoff();
    return { input: new SysfsInput({ name: 'staffButton', sysfs: 149, activeLow, debounceMs, load: () => onoff.module }) };
  },
  false,
);

describeThermometerContract(
  'FakeThermometer',
  ({ offsetC }) => {
    const thermometer = new FakeThermometer({ config: thermoConfig(offsetC) });
    return {
      thermometer,
      config: thermoConfig(offsetC),
      control: { setTemperature: (o, a) => thermometer.setTemperature(o, a), inject: (f) => thermometer.injectError(f) },
    };
  },
  true,
);

describeThermometerContract(
  'Mlx90614 on mocked i2c-bus',
  ({ offsetC }) => {
    const config = thermoConfig(offsetC);
    const sensor = new MlxDevice();
    const ctx = (register: number) => ({ device: 'thermometer', bus: 1, address: 0x5a, register });
    const set = (o: number, a: number) => {
      sensor.bytes[MLX_OBJECT] = encodeWord(ctx(MLX_OBJECT), o);
      sensor.bytes[MLX_AMBIENT] = encodeWord(ctx(MLX_AMBIENT), a);
    };
    set(36.6, 25);
    const { module } = mockI2cModule({ 0x5a: sensor });
    const thermometer = new Mlx90614({ config, openBus: i2cBusOpener(() => module) });
    // A one-shot fault on the next transfer, whichever register it reads.
    const inject = (fault: string) => {
      const saved = { ...sensor.bytes };
      const restore = () => {
        sensor.bytes = saved;
        sensor.mode = 'ok';
      };
      const original = sensor.readI2cBlock.bind(sensor);
      sensor.readI2cBlock = async (cmd, len, buf) => {
        sensor.readI2cBlock = original;
        const b = saved[cmd] as [number, number, number];
        if (fault === 'pec') sensor.bytes = { ...saved, [cmd]: [b[0], b[1], b[2] ^ 0x5a] };
        if (fault === 'flag') sensor.bytes = { ...saved, [cmd]: withErrorFlag(ctx(cmd), b) };
        if (fault === 'io') sensor.mode = 'nack';
        if (fault === 'short') sensor.mode = 'short';
        if (fault === 'timeout') sensor.mode = 'hang';
        try {
          return await original(cmd, len, buf);
        } finally {
          restore();
        }
      };
    };
    return { thermometer, config, control: { setTemperature: set, inject } };
  },
  true,
);

describeTextDisplayContract(
  'FakeTextDisplay',
  () => {
    const display = new FakeTextDisplay({ config: displayConfig });
    return { display, screen: () => display.screen, backlight: () => display.backlight, injectIoError: () => display.injectError() };
  },
  true,
);

describeTextDisplayContract(
  'Hd44780Pcf8574 on mocked i2c-bus (emulated LCD)',
  () => {
    const lcd = new Hd44780Emulator();
    const { module } = mockI2cModule({ 0x27: lcd });
    const display = new Hd44780Pcf8574({ config: displayConfig, openBus: i2cBusOpener(() => module), sleep: async () => undefined });
    return { display, screen: () => lcd.screen(16, 2), backlight: () => lcd.backlight, injectIoError: () => (lcd.failWrites = 1) };
  },
  true,
);

if (process.env.MASK_GATE_HW === '1') registerBoardContracts();
