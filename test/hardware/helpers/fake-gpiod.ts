import type { GpiodSystem, LineProcess, ProcessExit, RunResult } from '../../../hardware/drivers/gpiod-system';

/**
 * A simulated libgpiod v1 tool set over simulated chips: gpioset holds a line (a second holder gets EBUSY),
 * gpiomon reports edges driven by the test, gpioget reads. Records every command line.
 */
export class FakeProcess implements LineProcess {
  alive = true;
  readonly signals: string[] = [];
  private resolveExit!: (x: ProcessExit) => void;
  readonly exited = new Promise<ProcessExit>((r) => (this.resolveExit = r));
  private readonly stdoutListeners: ((line: string) => void)[] = [];
  stderrText = '';
  unrefd = false;

  constructor(
    readonly pid: number | undefined,
    readonly cmd: string,
    readonly args: readonly string[],
    readonly detached: boolean,
    private readonly onExit: (p: FakeProcess) => void,
  ) {}

  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    this.exit(null, signal);
  }
  exit(code: number | null, signal: string | null = null, stderr = ''): void {
    if (!this.alive) return;
    this.alive = false;
    this.stderrText += stderr;
    this.onExit(this);
    this.resolveExit({ code, signal });
  }
  onStdoutLine(l: (line: string) => void): void {
    this.stdoutListeners.push(l);
  }
  emitLine(line: string): void {
    for (const l of this.stdoutListeners) l(line);
  }
  stderr(): string {
    return this.stderrText;
  }
  unref(): void {
    this.unrefd = true;
  }
}

export interface FakeChip {
  name: string;
  label: string;
  lines: number;
}

export class FakeGpiodSystem implements GpiodSystem {
  version = 'gpioset (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n';
  chips: FakeChip[] = [
    { name: 'gpiochip0', label: 'tegra234-gpio', lines: 164 },
    { name: 'gpiochip1', label: 'tegra234-gpio-aon', lines: 32 },
  ];
  readonly runs: string[] = [];
  readonly spawns: FakeProcess[] = [];
  /** Electrical level per "chip:line" (inputs: set by the test; outputs: what a holder drives). */
  readonly levels = new Map<string, 0 | 1>();
  /** Other processes (from a "previous run", or other programs), by pid, with their argv. */
  readonly foreign = new Map<number, string[]>();
  /** Which foreign pid holds which "chip:line". */
  readonly foreignLines = new Map<number, string>();
  readonly killed: [number, string][] = [];
  private nextPid = 1000;
  private readonly holders = new Map<string, FakeProcess>();
  spawnFails: Error | null = null;

  spawn(cmd: string, args: readonly string[], detached: boolean): LineProcess {
    const pid = this.spawnFails ? undefined : this.nextPid++;
    const p = new FakeProcess(pid, cmd, args, detached, (x) => this.release(x));
    this.spawns.push(p);
    if (this.spawnFails) {
      p.exit(null, null, '');
      return p;
    }
    const key = this.keyOf(cmd, args);
    if (key && (this.holders.has(key) || this.foreignHolds(key))) {
      // libgpiod v1 reports EBUSY and exits 1 within milliseconds.
      const msg = cmd === 'gpioset' ? 'gpioset: error setting the GPIO line values: Device or resource busy\n' : 'gpiomon: error waiting for events: Device or resource busy\n';
      queueMicrotask(() => p.exit(1, null, msg));
      return p;
    }
    if (key) this.holders.set(key, p);
    if (cmd === 'gpioset' && key) {
      const v = /=(\d)$/.exec(args[args.length - 1] ?? '')?.[1];
      this.levels.set(key, v === '1' ? 1 : 0);
    }
    return p;
  }

  async run(cmd: string, args: readonly string[]): Promise<RunResult> {
    this.runs.push([cmd, ...args].join(' '));
    if (cmd === 'gpioset' && args[0] === '--version') return { code: 0, stdout: this.version, stderr: '' };
    if (cmd === 'gpiodetect') {
      return { code: 0, stdout: this.chips.map((c) => `${c.name} [${c.label}] (${c.lines} lines)\n`).join(''), stderr: '' };
    }
    if (cmd === 'gpioget') {
      const key = `${args[0]}:${args[1]}`;
      if (this.holders.has(key) || this.foreignHolds(key)) return { code: 1, stdout: '', stderr: 'gpioget: error reading GPIO values: Device or resource busy\n' };
      return { code: 0, stdout: `${this.levels.get(key) ?? 0}\n`, stderr: '' };
    }
    return { code: 127, stdout: '', stderr: `${cmd}: not simulated` };
  }

  isAlive(pid: number): boolean {
    return this.spawns.some((p) => p.pid === pid && p.alive) || this.foreign.has(pid);
  }

  findProcesses(match: (argv: string[]) => boolean): number[] {
    const own = this.spawns.filter((p) => p.alive && p.pid !== undefined).map((p) => [p.pid as number, [p.cmd, ...p.args]] as const);
    return [...own, ...this.foreign].filter(([, argv]) => match([...argv])).map(([pid]) => pid);
  }

  kill(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    this.killed.push([pid, signal]);
    this.foreign.delete(pid);
    this.foreignLines.delete(pid);
    this.spawns.find((p) => p.pid === pid)?.kill(signal);
  }

  sleepSync(): void {}

  /** The electrical level of a line as a holder drives it; undefined when nobody holds it. */
  driven(chip: string, line: number): 0 | 1 | undefined {
    const key = `${chip}:${line}`;
    return this.holders.get(key)?.cmd === 'gpioset' ? this.levels.get(key) : undefined;
  }

  /** The running gpiomon for a line. */
  monitor(chip: string, line: number): FakeProcess {
    const p = this.holders.get(`${chip}:${line}`);
    if (!p || p.cmd !== 'gpiomon') throw new Error(`no gpiomon on ${chip}:${line}`);
    return p;
  }

  /** An electrical edge on an input line: gpiomon prints "%e %s %n". */
  edge(chip: string, line: number, level: 0 | 1, sec = 1, nsec = 0): void {
    this.levels.set(`${chip}:${line}`, level);
    this.holders.get(`${chip}:${line}`)?.emitLine(`${level} ${sec} ${nsec}`);
  }

  commandLines(cmd?: string): string[] {
    return this.spawns.filter((p) => !cmd || p.cmd === cmd).map((p) => [p.cmd, ...p.args].join(' '));
  }

  private keyOf(cmd: string, args: readonly string[]): string | null {
    if (cmd === 'gpioset') {
      const chip = args[args.length - 2];
      const line = /^(\d+)=/.exec(args[args.length - 1] ?? '')?.[1];
      return chip && line ? `${chip}:${line}` : null;
    }
    if (cmd === 'gpiomon') return `${args[args.length - 2]}:${args[args.length - 1]}`;
    return null;
  }

  private foreignHolds(key: string): boolean {
    return [...this.foreignLines.values()].includes(key);
  }

  /** A process we did not start, holding a line. */
  addForeign(pid: number, argv: string[], holds?: string): void {
    this.foreign.set(pid, argv);
    if (holds) this.foreignLines.set(pid, holds);
  }

  private release(p: FakeProcess): void {
    for (const [k, v] of this.holders) if (v === p) this.holders.delete(k);
  }
}
