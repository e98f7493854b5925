/** A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise). */
export class Progress {
  private readonly t0 = performance.now();
  private lastPct = -1;
  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  tick(done: number, extra = ''): void {
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const pct = Math.floor(frac * 100);
    const tty = process.stderr.isTTY;
    if (!tty && pct < 100 && Math.floor(pct / 10) === Math.floor(this.lastPct / 10)) return;
    if (pct === this.lastPct && done < this.total && !extra) return;
    this.lastPct = pct;
    const width = 28;
    const fill = Math.round(frac * width);
    const s = (performance.now() - this.t0) / 1000;
    const eta = frac > 0 ? (s / frac - s) : 0;
    const line = `${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${this.total} ${s.toFixed(0)}s eta ${eta.toFixed(0)}s ${extra}`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(extra = ''): void {
    this.lastPct = -1;
    this.tick(this.total, extra);
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}
