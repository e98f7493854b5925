/** Where a bar is drawn: stderr, or a stand-in in tests. */
export interface ProgressOut {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  out?: ProgressOut;
  /**
   * Off a terminal: `every10` prints a line at each 10% (training, whose logs are read later); `silent`
   * prints nothing, so the tools' piped or JSON output stays clean.
   */
  notTty?: 'every10' | 'silent';
  /** What is counted (e.g. "images"): the bar then shows the rate per second. */
  unit?: string;
}

/** A one-line progress bar on stderr (redrawn in place on a terminal). */
export class Progress {
  private readonly t0 = performance.now();
  private lastPct = -1;
  private readonly out: ProgressOut;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.out = opts.out ?? process.stderr;
  }

  /** Seconds since the bar was made. */
  get seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  tick(done: number, extra = ''): void {
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const pct = Math.floor(frac * 100);
    const tty = !!this.out.isTTY;
    if (!tty && this.opts.notTty === 'silent') return;
    if (!tty && pct < 100 && Math.floor(pct / 10) === Math.floor(this.lastPct / 10)) return;
    if (pct === this.lastPct && done < this.total && !extra) return;
    this.lastPct = pct;
    const width = 28;
    const fill = Math.round(frac * width);
    const s = this.seconds;
    const eta = frac > 0 ? s / frac - s : 0;
    const rate = this.opts.unit && s > 0 ? ` ${(done / s).toFixed(1)} ${this.opts.unit}/s` : '';
    const line = `${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${this.total} ${s.toFixed(0)}s eta ${eta.toFixed(0)}s${rate} ${extra}`;
    this.out.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(extra = ''): void {
    this.lastPct = -1;
    this.tick(this.total, extra);
    if (this.out.isTTY) this.out.write('\n');
  }
}
