import { DisplayIoError } from '../../hardware/errors';
import { Hd44780Pcf8574, byteBytes, nibbleBytes } from '../../hardware/drivers/hd44780-pcf8574';
import { i2cBusOpener } from '../../hardware/drivers/i2c';
import { Hd44780Emulator, mockI2cModule } from './helpers/i2c-devices';

// PCF8574 bits: P0=RS 0x01, P1=RW 0x02, P2=E 0x04, P3=backlight 0x08, P4..P7 = D4..D7.
function setup(rows = 2, columns = 16) {
  const lcd = new Hd44780Emulator();
  const i2c = mockI2cModule({ 0x27: lcd });
  const sleeps: number[] = [];
  const display = new Hd44780Pcf8574({
    config: { type: 'hd44780-pcf8574', bus: 1, address: 0x27, columns, rows },
    openBus: i2cBusOpener(() => i2c.module),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const writes = () => i2c.bus.i2cWrite.mock.calls.map(([addr, len, buf]) => [addr, len, [...(buf as Buffer).subarray(0, len as number)]]);
  return { lcd, i2c, display, sleeps, writes };
}

describe('HD44780 behind a PCF8574', () => {
  it('encodes a nibble as E-high then E-low, and a byte as high nibble first', () => {
    expect(nibbleBytes(0x3, 0x08)).toEqual([0x3c, 0x38]);
    // 'A' = 0x41 with RS and backlight: 0x4_ -> 0x49 (+E 0x4D), 0x_1 -> 0x19 (+E 0x1D)
    expect(byteBytes(0x41, true, true)).toEqual([0x4d, 0x49, 0x1d, 0x19]);
    // Function set 0x28, RS low, backlight on.
    expect(byteBytes(0x28, false, true)).toEqual([0x2c, 0x28, 0x8c, 0x88]);
  });

  it('sends the 4-bit init sequence with its delays, byte for byte', async () => {
    const { display, writes, sleeps, i2c } = setup();
    await display.open();
    expect(i2c.openPromisified).toHaveBeenCalledWith(1);
    expect(writes()).toEqual([
      [0x27, 1, [0x08]], // all lines low but the backlight
      [0x27, 2, [0x3c, 0x38]], // 0x3: 8-bit mode, three times
      [0x27, 2, [0x3c, 0x38]],
      [0x27, 2, [0x3c, 0x38]],
      [0x27, 2, [0x2c, 0x28]], // 0x2: 4-bit mode
      [0x27, 4, [0x2c, 0x28, 0x8c, 0x88]], // 0x28 function set: 4-bit, 2 lines, 5x8
      [0x27, 4, [0x0c, 0x08, 0x8c, 0x88]], // 0x08 display off
      [0x27, 4, [0x0c, 0x08, 0x1c, 0x18]], // 0x01 clear
      [0x27, 4, [0x0c, 0x08, 0x6c, 0x68]], // 0x06 entry mode: increment
      [0x27, 4, [0x0c, 0x08, 0xcc, 0xc8]], // 0x0C display on, no cursor
    ]);
    expect(sleeps).toEqual([50, 5, 1, 1, 1, 2]);
  });

  it('writes a row as one transfer: set DDRAM address, then each character with RS', async () => {
    const { display, i2c, writes, lcd } = setup();
    await display.open();
    i2c.bus.i2cWrite.mockClear();
    await display.writeLines(['', 'A']);
    // Row 1 is unchanged (blank) and not rewritten; row 2 is at DDRAM 0x40: instruction 0xC0.
    const row2 = [0x27, 4 + 16 * 4, [0xcc, 0xc8, 0x0c, 0x08, 0x4d, 0x49, 0x1d, 0x19, ...Array(15).fill([0x2d, 0x29, 0x0d, 0x09]).flat()]];
    expect(writes()).toEqual([row2]);
    expect(lcd.screen(16, 2)).toEqual([' '.repeat(16), 'A' + ' '.repeat(15)]);
    expect(lcd.displayOn).toBe(true);
  });

  it('addresses rows 3 and 4 of a 20x4 display after rows 1 and 2', async () => {
    const { display, lcd } = setup(4, 20);
    await display.open();
    await display.writeLines(['one', 'two', 'three', 'four']);
    expect(lcd.screen(20, 4).map((r) => r.trim())).toEqual(['one', 'two', 'three', 'four']);
  });

  it('sets and clears the backlight bit', async () => {
    const { display, i2c, lcd } = setup();
    await display.open();
    i2c.bus.i2cWrite.mockClear();
    await display.setBacklight(false);
    expect(i2c.bus.i2cWrite).toHaveBeenCalledWith(0x27, 1, Buffer.from([0x00]));
    expect(lcd.backlight).toBe(false);
    await display.writeLines(['x']);
    expect(lcd.backlight).toBe(false); // text writes keep it off
  });

  it('fails open() with DisplayIoError when nothing answers at the address, and closes the bus', async () => {
    const i2c = mockI2cModule({});
    const display = new Hd44780Pcf8574({
      config: { type: 'hd44780-pcf8574', bus: 0, address: 0x3f, columns: 16, rows: 2 },
      openBus: i2cBusOpener(() => i2c.module),
      sleep: async () => undefined,
    });
    await expect(display.open()).rejects.toThrow(new DisplayIoError('display', 'PCF8574 on bus 0 at 0x3f: write failed: Remote I/O error (EREMOTEIO)').message);
    expect(i2c.bus.close).toHaveBeenCalledTimes(1);
  });
});
