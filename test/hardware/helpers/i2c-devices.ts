import type { I2cBusModule } from '../../../hardware/drivers/i2c';

/**
 * A mocked i2c-bus module with devices on it, so the real drivers run against the module interface and
 * tests assert the exact calls (jest.fn) as well as the device's resulting state.
 */
export interface I2cDevice {
  readI2cBlock?(command: number, length: number, buffer: Buffer): Promise<number>;
  write?(bytes: Buffer): Promise<void>;
}

export function mockI2cModule(devices: Record<number, I2cDevice>) {
  const bus = {
    readI2cBlock: jest.fn(async (addr: number, cmd: number, length: number, buffer: Buffer) => {
      const dev = devices[addr];
      if (!dev?.readI2cBlock) throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
      const bytesRead = await dev.readI2cBlock(cmd, length, buffer);
      return { bytesRead, buffer };
    }),
    i2cWrite: jest.fn(async (addr: number, length: number, buffer: Buffer) => {
      const dev = devices[addr];
      if (!dev?.write) throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
      await dev.write(Buffer.from(buffer.subarray(0, length)));
      return { bytesWritten: length, buffer };
    }),
    close: jest.fn(async () => undefined),
  };
  const openPromisified = jest.fn(async (_busNumber: number) => bus);
  const module: I2cBusModule = { openPromisified };
  return { module, bus, openPromisified };
}

/** MLX90614 answering block reads with whatever bytes the test sets per register, or a failure mode. */
export class MlxDevice implements I2cDevice {
  bytes: Record<number, number[]> = {};
  mode: 'ok' | 'nack' | 'hang' | 'short' = 'ok';

  async readI2cBlock(command: number, length: number, buffer: Buffer): Promise<number> {
    if (this.mode === 'nack') throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
    if (this.mode === 'hang') return new Promise(() => undefined);
    const b = this.bytes[command] ?? [0, 0, 0];
    const n = this.mode === 'short' ? 2 : length;
    for (let i = 0; i < n; i++) buffer[i] = b[i] ?? 0;
    return n;
  }
}

/**
 * An HD44780 behind a PCF8574, emulated from the byte stream alone: data is latched on E's falling edge,
 * 4-bit mode after the 0x3,0x3,0x3,0x2 init nibbles, and the instructions clear, entry mode, set DDRAM
 * address and data writes are executed. So a test checks what a real LCD would show.
 */
export class Hd44780Emulator implements I2cDevice {
  readonly ddram = new Array<number>(128).fill(0x20);
  port = 0xff; // PCF8574 powers up with all lines high
  fourBit = false;
  private pending: number | null = null;
  private initNibbles = 0;
  addr = 0;
  displayOn = false;
  readonly latched: { rs: boolean; value: number }[] = [];
  failWrites = 0;

  async write(bytes: Buffer): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
    }
    for (const b of bytes) {
      const fallingE = (this.port & 0x04) !== 0 && (b & 0x04) === 0;
      this.port = b;
      if (fallingE) this.latch(b >> 4, (b & 0x01) !== 0);
    }
  }

  get backlight(): boolean {
    return (this.port & 0x08) !== 0;
  }

  /** The rows as shown on a `columns` x `rows` display. */
  screen(columns: number, rows: number): string[] {
    const starts = [0x00, 0x40, columns, 0x40 + columns];
    return Array.from({ length: rows }, (_, r) => String.fromCharCode(...this.ddram.slice(starts[r], (starts[r] ?? 0) + columns)));
  }

  private latch(nibble: number, rs: boolean): void {
    if (!this.fourBit) {
      // 8-bit mode: only the high nibble is wired; 0x3 x3 then 0x2 switches to 4-bit.
      this.initNibbles++;
      if (nibble === 0x2 && this.initNibbles >= 4) this.fourBit = true;
      return;
    }
    if (this.pending === null) {
      this.pending = nibble;
      return;
    }
    const value = (this.pending << 4) | nibble;
    this.pending = null;
    this.latched.push({ rs, value });
    if (rs) {
      this.ddram[this.addr] = value;
      this.addr = (this.addr + 1) & 0x7f;
    } else if (value & 0x80) this.addr = value & 0x7f;
    else if (value === 0x01) {
      this.ddram.fill(0x20);
      this.addr = 0;
    } else if ((value & 0xf8) === 0x08) this.displayOn = (value & 0x04) !== 0;
  }
}
