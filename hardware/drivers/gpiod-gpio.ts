/**
 * Character-device GPIO (JetPack 5 and 6; also works on JetPack 4) through the libgpiod v1 command-line
 * tools. Target: v1.6.3 (Ubuntu 22.04, JetPack 6; the options used were checked against its --help).
 * JetPack 5 (Ubuntu 20.04) ships 1.4.x: not checked on a board yet.
 * How it works:
 * - output: one long-running `gpioset --mode=signal <chip> <line>=<v>` per line holds the level (a line
 *   reverts when its last holder exits); a change stops it (SIGTERM, wait for exit) and starts another.
 *   Between the two the line is unrequested for a few ms and normally keeps its level, but on JetPack
 *   6.2.1 a released line can drift high, so holders are started detached, and close() and writeSafeSync()
 *   leave one at the safe level that outlives the process. open() ends any holder of the same line left
 *   by a previous run (matched on its exact command line).
 * - input: `gpioget` reads the level, then `gpiomon` reports edges on stdout; debounce is ours (debounce.ts).
 *   An edge in the few ms between the two is missed until the next edge.
 * - activeLow is applied here (the tools get electrical values). No bias option (--bias needs 1.5+): pulls
 *   come from the pinmux or the wiring.
 * libgpiod v2 tools (different options) are refused with a clear error at open().
 */
import { sleep, systemClock, type Clock } from '../clock';
import { InputBase, OutputBase } from '../device-base';
import { GpioError } from '../errors';
import { physicalLevel } from '../level';
import { runsProgram, type GpiodSystem, type LineProcess, type ProcessExit } from './gpiod-system';

/** One per Hardware: checks the tools' version and maps chip labels to names once for all lines. */
export class GpiodTools {
  private chips: Promise<Map<string, string>> | null = null;

  constructor(readonly system: GpiodSystem) {}

  /** The gpiochipN name for a label such as `tegra234-gpio`. */
  async chipFor(device: string, label: string): Promise<string> {
    this.chips ??= this.probe(device);
    let chips: Map<string, string>;
    try {
      chips = await this.chips;
    } catch (e) {
      this.chips = null; // retry on the next open
      throw e;
    }
    const name = chips.get(label);
    if (name) return name;
    const listed = [...chips].map(([l, n]) => `${n} [${l}]`).join(', ') || 'no chips';
    throw new GpioError(device, `no GPIO chip labelled "${label}" (gpiodetect lists ${listed}); is this the configured board?`);
  }

  private async probe(device: string): Promise<Map<string, string>> {
    const v = await this.system.run('gpioset', ['--version']);
    if (v.error || v.code !== 0) {
      throw new GpioError(device, `cannot run gpioset (${v.error?.message ?? `exit ${v.code}`}): install the libgpiod v1 tools (Debian/Ubuntu package "gpiod")`);
    }
    const version = /\bv(\d+)\.(\d+)/.exec(v.stdout);
    if (!version || version[1] !== '1') {
      throw new GpioError(device, `expected the libgpiod v1 tools, gpioset --version says ${JSON.stringify(v.stdout.split('\n')[0])}; v2 tools take other options`);
    }
    const d = await this.system.run('gpiodetect', []);
    if (d.error || d.code !== 0) throw new GpioError(device, `gpiodetect failed: ${d.error?.message ?? d.stderr.trim()}`);
    const chips = new Map<string, string>();
    for (const line of d.stdout.split('\n')) {
      const m = /^(gpiochip\d+)\s+\[([^\]]+)\]/.exec(line.trim());
      if (m?.[1] && m[2]) chips.set(m[2], m[1]);
    }
    return chips;
  }
}

export interface GpiodLineOptions {
  name: string;
  /** Chip label from board-pins.ts. */
  chip: string;
  line: number;
  activeLow: boolean;
  tools: GpiodTools;
  clock?: Clock;
  /** A tool still running after this long has requested its line (failures exit within milliseconds). */
  settleMs?: number;
}

function describeExit(x: ProcessExit): string {
  if (x.error) return x.error.message;
  return x.signal ? `killed by ${x.signal}` : `exit code ${x.code}`;
}

/** Waits `settleMs`: rejects if the process exits first (EBUSY, no permission, tools missing). */
async function settle(p: LineProcess, clock: Clock, ms: number, what: string, device: string): Promise<void> {
  const early = await Promise.race([p.exited, sleep(clock, ms).then(() => null)]);
  if (early) throw new GpioError(device, `${what} failed (${describeExit(early)}): ${p.stderr().trim() || 'no message'}`);
}

export class GpiodOutput extends OutputBase {
  private chipName: string | null = null;
  private holder: LineProcess | null = null;
  /** A holder told to stop whose exit we are still waiting for: it may still hold the line. */
  private stopping: LineProcess | null = null;
  private heldLevel: boolean | null = null;
  private readonly stopped = new WeakSet<LineProcess>();
  private readonly settleMs: number;

  constructor(private readonly opts: GpiodLineOptions & { safeLevel: boolean }) {
    super(opts.name, opts, opts.clock ?? systemClock);
    this.settleMs = opts.settleMs ?? 50;
  }

  /** The exact gpioset argv for a logical level. */
  holdArgs(level: boolean): string[] {
    const v = physicalLevel(level, this.activeLow) ? 1 : 0;
    return ['--mode=signal', this.chipName ?? this.opts.chip, `${this.opts.line}=${v}`];
  }

  protected async claimLine(initial: boolean): Promise<void> {
    this.chipName = await this.opts.tools.chipFor(this.name, this.opts.chip);
    await this.stopHolder(); // reopened in this process: our own holder is still at the safe level
    await this.endLeftovers();
    await this.hold(initial);
  }

  protected async driveLevel(level: boolean): Promise<void> {
    if (this.holder && this.heldLevel === level) return;
    await this.stopHolder();
    // writeSafeSync ran while we waited and left its own holder: that one stays.
    if (this.holder) throw new GpioError(this.name, 'write interrupted: safe state was forced meanwhile');
    await this.hold(level);
  }

  protected driveSafeSync(): void {
    const { system } = this.opts.tools;
    for (const old of [this.holder, this.stopping]) {
      if (!old) continue;
      this.stopped.add(old);
      old.kill('SIGKILL');
      if (old.pid !== undefined) for (let i = 0; i < 500 && system.isAlive(old.pid); i++) system.sleepSync(1);
    }
    const args = this.holdArgs(this.safeLevel);
    const p = this.start(args, this.safeLevel);
    // No await on an exit path: poll for the early exit that EBUSY or a missing tool causes.
    for (let waited = 0; ; waited += 5) {
      if (p.pid === undefined || !system.isAlive(p.pid)) {
        this.holder = null;
        throw new GpioError(this.name, `gpioset ${args.join(' ')} failed: ${p.stderr().trim() || 'exited at once'}`);
      }
      if (waited >= this.settleMs) break;
      system.sleepSync(5);
    }
  }

  protected hasLine(): boolean {
    return this.chipName !== null;
  }

  /**
   * close() drove the safe level; its holder keeps running (detached) so the level stays driven after we
   * exit. The next open() here stops it; one in a new process ends it as a leftover.
   */
  protected async releaseLine(): Promise<void> {}

  private async hold(level: boolean): Promise<void> {
    const args = this.holdArgs(level);
    const p = this.start(args, level);
    try {
      await settle(p, this.clock, this.settleMs, `gpioset ${args.join(' ')}`, this.name);
    } catch (e) {
      if (this.holder === p) this.holder = null;
      throw e;
    }
  }

  private start(args: string[], level: boolean): LineProcess {
    const p = this.opts.tools.system.spawn('gpioset', args, true);
    this.holder = p;
    this.heldLevel = level;
    p.unref();
    void p.exited.then((x) => {
      if (this.stopped.has(p) || this.holder !== p) return;
      this.holder = null;
      this.emitError(new GpioError(this.name, `gpioset holding ${args[1]} line ${this.opts.line} exited (${describeExit(x)}): the line is no longer driven`));
    });
    return p;
  }

  private async stopHolder(): Promise<void> {
    const p = this.holder;
    if (!p) return;
    this.holder = null;
    this.heldLevel = null;
    this.stopped.add(p);
    this.stopping = p;
    try {
      p.kill('SIGTERM');
      const done = await Promise.race([p.exited.then(() => true), sleep(this.clock, 1000).then(() => false)]);
      if (!done) {
        p.kill('SIGKILL');
        await p.exited;
      }
    } finally {
      if (this.stopping === p) this.stopping = null;
    }
  }

  /** A holder of this very line left by a previous run (killed -9, or exited through writeSafeSync). */
  private async endLeftovers(): Promise<void> {
    const { system } = this.opts.tools;
    const chip = this.chipName;
    const mine = new RegExp(`^${this.opts.line}=[01]$`);
    const pids = system.findProcesses((argv) => runsProgram(argv, 'gpioset') && argv.includes('--mode=signal') && argv.includes(chip ?? '') && argv.some((a) => mine.test(a)));
    for (const pid of pids) {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        if (!system.isAlive(pid)) break;
        system.kill(pid, signal);
        for (let i = 0; i < 100 && system.isAlive(pid); i++) await sleep(this.clock, 10);
      }
    }
  }
}

export class GpiodInput extends InputBase {
  private monitor: LineProcess | null = null;
  private readonly stopped = new WeakSet<LineProcess>();

  constructor(private readonly opts: GpiodLineOptions & { debounceMs: number }) {
    super(opts.name, opts, opts.clock ?? systemClock);
  }

  protected async claimLine(): Promise<boolean> {
    const { system } = this.opts.tools;
    const chip = await this.opts.tools.chipFor(this.name, this.opts.chip);
    const line = String(this.opts.line);
    const r = await system.run('gpioget', [chip, line]);
    const value = r.stdout.trim();
    if (r.code !== 0 || (value !== '0' && value !== '1')) {
      throw new GpioError(this.name, `gpioget ${chip} ${line} failed (${r.error?.message ?? `exit code ${r.code}`}): ${r.stderr.trim() || JSON.stringify(r.stdout)}`);
    }
    const args = ['--line-buffered', '--format=%e %s %n', chip, line];
    const p = system.spawn('gpiomon', args, false);
    this.monitor = p;
    p.unref();
    // "%e" is 1 for a rising edge, 0 for a falling one: the electrical level after the edge.
    p.onStdoutLine((text) => {
      const m = /^([01])\s/.exec(text);
      if (m) this.rawEdge((m[1] === '1') !== this.activeLow);
    });
    void p.exited.then((x) => {
      if (this.stopped.has(p) || this.monitor !== p) return;
      this.monitor = null;
      this.emitError(new GpioError(this.name, `gpiomon on ${chip} line ${line} exited (${describeExit(x)}): input no longer monitored`));
    });
    try {
      await settle(p, this.clock, this.opts.settleMs ?? 50, `gpiomon ${args.join(' ')}`, this.name);
    } catch (e) {
      this.monitor = null;
      throw e;
    }
    return (value === '1') !== this.activeLow;
  }

  protected async releaseLine(): Promise<void> {
    const p = this.monitor;
    if (!p) return;
    this.monitor = null;
    this.stopped.add(p);
    p.kill('SIGTERM');
    const done = await Promise.race([p.exited.then(() => true), sleep(this.clock, 1000).then(() => false)]);
    if (!done) p.kill('SIGKILL');
  }

  protected releaseLineSync(): void {
    const p = this.monitor;
    this.monitor = null;
    if (!p) return;
    this.stopped.add(p);
    p.kill('SIGKILL');
  }
}
