import type { Clock } from '../../hardware/clock';

/** Frames per second over the last few seconds, and per-frame latency percentiles over the last frames. */
export class FrameRate {
  private times: number[] = [];
  private latencies: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 3000,
    private readonly latencyWindow = 120,
  ) {}

  add(latencyMs: number): void {
    const now = this.clock.now();
    this.times.push(now);
    while (this.times.length && this.times[0]! < now - this.windowMs) this.times.shift();
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.latencyWindow) this.latencies.shift();
  }

  fps(): number {
    const now = this.clock.now();
    const recent = this.times.filter((t) => t >= now - this.windowMs);
    if (recent.length < 2) return 0;
    return ((recent.length - 1) * 1000) / Math.max(1, recent[recent.length - 1]! - recent[0]!);
  }

  latencyP50(): number {
    return percentile(this.latencies, 0.5);
  }
  latencyP95(): number {
    return percentile(this.latencies, 0.95);
  }
}

export function percentile(values: readonly number[], q: number): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
