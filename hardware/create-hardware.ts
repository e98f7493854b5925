/**
 * Builds the gate's hardware from the `hardware` config section: picks the GPIO driver and board, maps
 * BOARD pins, and returns one object that opens, closes and forces the safe state of everything.
 */
import { readFileSync } from 'node:fs';
import type { HardwareConfig } from '../src/config/sections/hardware';
import type { Logger } from '../src/log';
import { detectBoard, l4tRelease, pinInfo, type BoardId } from './board-pins';
import { systemClock, type Clock } from './clock';
import { BoardError, HardwareError, errorText } from './errors';
import { FakeDigitalInput } from './fake/digital-input';
import { FakeDigitalOutput } from './fake/digital-output';
import { FakeTextDisplay } from './fake/text-display';
import { FakeThermometer } from './fake/thermometer';
import { GpiodInput, GpiodOutput, GpiodTools } from './drivers/gpiod-gpio';
import { nodeGpiodSystem, type GpiodSystem } from './drivers/gpiod-system';
import { Hd44780Pcf8574 } from './drivers/hd44780-pcf8574';
import { i2cBusOpener, type I2cOpener } from './drivers/i2c';
import { Mlx90614 } from './drivers/mlx90614';
import { SysfsInput, SysfsOutput, type OnoffLoader } from './drivers/sysfs-gpio';
import type { DigitalInput, DigitalOutput, HardwareDevice, TextDisplay, Thermometer, Unsubscribe } from './types';

export const OUTPUT_NAMES = ['greenLed', 'redLed', 'amberLed', 'buzzer', 'relay'] as const;
export const INPUT_NAMES = ['staffButton', 'fireAlarm', 'passageSensor'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];
export type InputName = (typeof INPUT_NAMES)[number];
export type GpioDriver = 'simulated' | 'sysfs' | 'gpiod';

export interface SafeStateReport {
  name: OutputName;
  /** The safe logical level. */
  level: boolean;
  /** driven: set now; skipped: never opened, nothing to drive; failed: see error. */
  result: 'driven' | 'skipped' | 'failed';
  error?: string;
}

export interface Hardware {
  readonly driver: GpioDriver;
  /** The board whose pin table is used; null for simulated hardware without a configured board. */
  readonly board: BoardId | null;
  readonly outputs: Readonly<Record<OutputName, DigitalOutput | null>>;
  readonly inputs: Readonly<Record<InputName, DigitalInput | null>>;
  readonly thermometer: Thermometer | null;
  readonly display: TextDisplay | null;
  /** Opens outputs (each at its safe level), then inputs, display, thermometer; rejects on the first failure (what opened stays open: call close()). */
  open(): Promise<void>;
  /** Closes everything (outputs end at their safe level); tries all, then rejects with the first failure. */
  close(): Promise<void>;
  /** The fault path: every opened output to its safe level, synchronously. Never throws: failures are in the report. */
  safeState(): SafeStateReport[];
  /** Exit paths: safeState(), then input monitors stopped synchronously. */
  exitSync(): SafeStateReport[];
  /** Asynchronous failures of any device (see HardwareDevice.onError). */
  onError(listener: (err: HardwareError) => void): Unsubscribe;
}

export interface HardwareDeps {
  logger: Logger;
  clock?: Clock;
  /** Reads a small system file; null when it does not exist. Default: fs.readFileSync. */
  readFile?: (path: string) => string | null;
  loadOnoff?: OnoffLoader;
  openI2cBus?: I2cOpener;
  gpiodSystem?: GpiodSystem;
}

export const NV_TEGRA_RELEASE = '/etc/nv_tegra_release';
export const DT_COMPATIBLE = '/proc/device-tree/compatible';

function readSystemFile(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * The GPIO driver and board for a config. `auto` uses /etc/nv_tegra_release: R32 is JetPack 4 (sysfs),
 * later releases are JetPack 5/6 (gpiod); without that file this is not a Jetson: simulated, with a warning.
 */
export function resolvePlatform(
  config: Pick<HardwareConfig, 'driver' | 'board' | 'outputs' | 'inputs'>,
  readFile: (path: string) => string | null,
  logger: Logger,
): { driver: GpioDriver; board: BoardId | null } {
  let driver = config.driver;
  if (driver === 'simulated') return { driver, board: config.board === 'auto' ? null : config.board };
  if (driver === 'auto') {
    const release = readFile(NV_TEGRA_RELEASE);
    if (release === null) {
      logger.warn(`hardware.driver is auto and ${NV_TEGRA_RELEASE} does not exist (not a Jetson): using simulated hardware`);
      return { driver: 'simulated', board: config.board === 'auto' ? null : config.board };
    }
    const major = l4tRelease(release);
    if (major === null) throw new BoardError(`cannot tell the JetPack version: ${NV_TEGRA_RELEASE} reads ${JSON.stringify(release.split('\n')[0])}`);
    driver = major <= 32 ? 'sysfs' : 'gpiod';
    logger.info(`L4T R${major}: using the ${driver} GPIO driver`);
  }
  let board: BoardId;
  if (config.board !== 'auto') board = config.board;
  else {
    const compatible = readFile(DT_COMPATIBLE);
    if (compatible === null) throw new BoardError(`hardware.board is auto but ${DT_COMPATIBLE} does not exist; set hardware.board`);
    board = detectBoard(compatible);
  }
  if (driver === 'sysfs') {
    for (const group of [config.outputs, config.inputs]) {
      for (const [name, p] of Object.entries(group)) {
        if (p && pinInfo(board, p.pin).sysfs === null) {
          throw new BoardError(`${board} has no sysfs GPIO numbers (JetPack 5/6 only), needed for ${name} (pin ${p.pin}): set hardware.driver to "gpiod"`);
        }
      }
    }
  }
  return { driver, board };
}

export function createHardware(config: HardwareConfig, deps: HardwareDeps): Hardware {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child('hardware');
  const { driver, board } = resolvePlatform(config, deps.readFile ?? readSystemFile, logger);
  const tools = driver === 'gpiod' ? new GpiodTools(deps.gpiodSystem ?? nodeGpiodSystem) : null;
  const pin = (n: number) => pinInfo(board as BoardId, n);

  const outputs = {} as Record<OutputName, DigitalOutput | null>;
  for (const name of OUTPUT_NAMES) {
    const c = config.outputs[name];
    if (!c) {
      outputs[name] = null;
      continue;
    }
    const common = { name, activeLow: c.activeLow, safeLevel: c.safe === 'on', clock };
    if (driver === 'simulated') {
      const fake = new FakeDigitalOutput(common);
      fake.watch((level) => logger.info(`${name} ${level ? 'on' : 'off'}`));
      outputs[name] = fake;
    } else if (driver === 'sysfs') {
      outputs[name] = new SysfsOutput({ ...common, sysfs: pin(c.pin).sysfs as number, load: deps.loadOnoff });
    } else {
      outputs[name] = new GpiodOutput({ ...common, chip: pin(c.pin).chip, line: pin(c.pin).line, tools: tools as GpiodTools });
    }
  }

  const inputs = {} as Record<InputName, DigitalInput | null>;
  for (const name of INPUT_NAMES) {
    const c = config.inputs[name];
    if (!c) {
      inputs[name] = null;
      continue;
    }
    const common = { name, activeLow: c.activeLow, debounceMs: c.debounceMs, clock };
    if (driver === 'simulated') inputs[name] = new FakeDigitalInput(common);
    else if (driver === 'sysfs') inputs[name] = new SysfsInput({ ...common, sysfs: pin(c.pin).sysfs as number, load: deps.loadOnoff });
    else inputs[name] = new GpiodInput({ ...common, chip: pin(c.pin).chip, line: pin(c.pin).line, tools: tools as GpiodTools });
  }

  const openBus = deps.openI2cBus ?? i2cBusOpener();
  const t = config.thermometer;
  const thermometer: Thermometer | null = !t
    ? null
    : driver === 'simulated'
      ? new FakeThermometer({ config: t, clock })
      : new Mlx90614({ config: t, openBus, clock });
  const d = config.display;
  const display: TextDisplay | null = !d
    ? null
    : driver === 'simulated'
      ? new FakeTextDisplay({ config: d, clock })
      : new Hd44780Pcf8574({ config: d, openBus, clock });

  const outputList = OUTPUT_NAMES.flatMap((n) => (outputs[n] ? [[n, outputs[n]] as const] : []));
  const inputList = INPUT_NAMES.flatMap((n) => (inputs[n] ? [inputs[n]] : []));
  const all: HardwareDevice[] = [...outputList.map(([, o]) => o), ...inputList, ...(display ? [display] : []), ...(thermometer ? [thermometer] : [])];

  const safeState = (): SafeStateReport[] =>
    outputList.map(([name, o]) => {
      try {
        return { name, level: o.safeLevel, result: o.writeSafeSync() ? 'driven' : 'skipped' };
      } catch (e) {
        return { name, level: o.safeLevel, result: 'failed', error: errorText(e) };
      }
    });

  logger.info(`hardware: ${driver} driver${board ? ` on ${board}` : ''}`, {
    outputs: outputList.map(([n]) => n),
    inputs: INPUT_NAMES.filter((n) => inputs[n]),
    thermometer: !!thermometer,
    display: !!display,
  });

  return {
    driver,
    board,
    outputs,
    inputs,
    thermometer,
    display,
    async open() {
      for (const dev of all) await dev.open();
    },
    async close() {
      const errors: unknown[] = [];
      for (const dev of all) {
        try {
          await dev.close();
        } catch (e) {
          logger.error(`closing ${dev.name} failed: ${errorText(e)}`);
          errors.push(e);
        }
      }
      if (errors.length) throw errors[0];
    },
    safeState,
    exitSync() {
      const report = safeState();
      for (const input of inputList) {
        try {
          input.releaseSync();
        } catch (e) {
          logger.error(`releasing ${input.name} failed: ${errorText(e)}`);
        }
      }
      return report;
    },
    onError(listener) {
      const offs = all.map((dev) => dev.onError(listener));
      return () => offs.forEach((off) => off());
    },
  };
}
