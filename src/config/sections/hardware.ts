import { z } from 'zod';

/** A pin on the Jetson 40-pin header, numbered as printed on the board (BOARD numbering). */
export const BoardPin = z.number().int().min(1).max(40);

export const OutputPin = z.strictObject({
  pin: BoardPin,
  /** The line is driven low to switch the device on (common for relay boards). */
  activeLow: z.boolean().default(false),
  /**
   * Logical level forced on exit, crash or fault. For the relay, `on` means released (door open).
   * Left out, LEDs and buzzer are `off` and the relay follows `gate.failMode`.
   */
  safe: z.enum(['off', 'on']).optional(),
});
export type OutputPinConfig = z.infer<typeof OutputPin>;

export const InputPin = z.strictObject({
  pin: BoardPin,
  /** The contact pulls the line low when active (a button to ground with a pull-up). */
  activeLow: z.boolean().default(true),
  /** A level must hold this long before it counts: contact bounce is a few ms. */
  debounceMs: z.number().int().min(0).max(5000).default(30),
});
export type InputPinConfig = z.infer<typeof InputPin>;

const I2cAddress = z.number().int().min(0x03).max(0x77);

export const ThermometerConfig = z.strictObject({
  type: z.literal('mlx90614'),
  /** I2C bus number (/dev/i2c-N). Header pins 3/5 are bus 1 on Nano, 8 on Xavier NX, 7 on Orin. */
  bus: z.number().int().min(0).max(31),
  address: I2cAddress.default(0x5a),
  /** Added to every reading: an IR sensor reads skin, not core temperature. */
  offsetC: z.number().min(-5).max(5).default(0),
  readTimeoutMs: z.number().int().min(10).max(10000).default(500),
});

export const DisplayConfig = z.strictObject({
  type: z.literal('hd44780-pcf8574'),
  bus: z.number().int().min(0).max(31),
  address: I2cAddress.default(0x27),
  columns: z.number().int().min(8).max(40).default(16),
  rows: z.number().int().min(1).max(4).default(2),
});

export const HardwareSection = z.strictObject({
  /**
   * `simulated` prints outputs and takes inputs from the dashboard/tests; `sysfs` is onoff (JetPack 4);
   * `gpiod` is the character device (JetPack 5 and 6); `auto` picks from the running board.
   */
  driver: z.enum(['simulated', 'sysfs', 'gpiod', 'auto']).default('simulated'),
  /** Module for the pin table; `auto` reads /proc/device-tree/compatible. */
  board: z.enum(['auto', 'jetson-nano', 'jetson-xavier-nx', 'jetson-orin']).default('auto'),
  outputs: z
    .strictObject({
      greenLed: OutputPin.nullable().prefault({ pin: 11 }),
      redLed: OutputPin.nullable().prefault({ pin: 13 }),
      amberLed: OutputPin.nullable().prefault({ pin: 15 }),
      buzzer: OutputPin.nullable().prefault({ pin: 16 }),
      relay: OutputPin.nullable().prefault({ pin: 18 }),
    })
    .prefault({}),
  inputs: z
    .strictObject({
      staffButton: InputPin.nullable().prefault({ pin: 29 }),
      fireAlarm: InputPin.nullable().prefault({ pin: 31 }),
      passageSensor: InputPin.nullable().default(null),
    })
    .prefault({}),
  thermometer: ThermometerConfig.nullable().default(null),
  display: DisplayConfig.nullable().default(null),
});
export type HardwareConfig = z.infer<typeof HardwareSection>;
