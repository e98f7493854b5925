import type { OnoffGpio, OnoffModule } from '../../../hardware/drivers/sysfs-gpio';

type Bit = 0 | 1;

/** One `new Gpio(...)` of the mocked onoff: records calls, lets the test fire watch callbacks. */
export class MockGpio implements OnoffGpio {
  value: Bit;
  readonly writes: Bit[] = [];
  readonly calls: string[] = [];
  private watchers: ((err: Error | null | undefined, value: Bit) => void)[] = [];
  failWrites: Error | null = null;

  constructor(
    readonly gpio: number,
    readonly direction: string,
    readonly edge: string,
    readonly options: { activeLow: boolean; debounceTimeout?: number },
  ) {
    // With direction high/low the kernel sets the raw level; onoff's value reads are logical.
    // Inputs start inactive (the test sets `value`); outputs start at the raw level of the direction.
    const raw: Bit = direction === 'high' ? 1 : 0;
    this.value = direction === 'in' ? 0 : ((options.activeLow ? 1 - raw : raw) as Bit);
  }

  readSync(): Bit {
    this.calls.push('readSync');
    return this.value;
  }
  writeSync(v: Bit): void {
    this.calls.push(`writeSync(${v})`);
    if (this.failWrites) throw this.failWrites;
    this.value = v;
    this.writes.push(v);
  }
  watch(cb: (err: Error | null | undefined, value: Bit) => void): void {
    this.calls.push('watch');
    this.watchers.push(cb);
  }
  unwatchAll(): void {
    this.calls.push('unwatchAll');
    this.watchers = [];
  }
  unexport(): void {
    this.calls.push('unexport');
  }
  /** What onoff calls back with after its own debounce: the logical value then read. */
  fire(value: Bit, err: Error | null = null): void {
    this.value = value;
    for (const w of [...this.watchers]) w(err, value);
  }
  get watching(): number {
    return this.watchers.length;
  }
}

/** An onoff module (inputs read `inputValue` at first) whose Gpio constructor is a jest mock (so `toHaveBeenCalledWith` checks exact args). */
export function mockOnoff(inputValue: Bit = 0): { module: OnoffModule; Gpio: jest.Mock; instances: MockGpio[]; byNumber(n: number): MockGpio } {
  const instances: MockGpio[] = [];
  const Gpio = jest.fn((gpio: number, direction: string, edge: string, options: { activeLow: boolean; debounceTimeout?: number }) => {
    const g = new MockGpio(gpio, direction, edge, options);
    if (direction === 'in') g.value = inputValue;
    instances.push(g);
    return g;
  });
  return {
    module: { Gpio } as unknown as OnoffModule,
    Gpio,
    instances,
    byNumber(n) {
      const g = [...instances].reverse().find((i) => i.gpio === n);
      if (!g) throw new Error(`no Gpio(${n}) was created`);
      return g;
    },
  };
}
