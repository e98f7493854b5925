import { systemClock, type Clock } from '../../hardware/clock';
import type { AudioSink, SinkProbe } from './audio-sink';

export interface PlayRecord {
  file: string;
  start: number;
  end: number | null;
}

/**
 * For tests: records what was played and when; each clip "plays" for `durationMs` on the given clock.
 * With `noDevice` (the reason) it behaves as a machine without a sound card: the probe says so and every
 * play fails, as aplay and alsasink do.
 */
export class FakeAudioSink implements AudioSink {
  readonly name = 'fake';
  readonly played: PlayRecord[] = [];
  /** Most clips ever playing at once: the no-overlap rule says 1. */
  maxConcurrent = 0;
  private playing = 0;
  /** How often the sink was probed. */
  probes = 0;

  constructor(
    private readonly durationMs: number | ((file: string) => number) = 1000,
    private readonly clock: Clock = systemClock,
    private readonly noDevice?: string,
  ) {}

  async probe(): Promise<SinkProbe> {
    this.probes++;
    return this.noDevice ? { ok: false, reason: `fake: ${this.noDevice}` } : { ok: true };
  }

  play(file: string): Promise<void> {
    if (this.noDevice) return Promise.reject(new Error(`fake failed on ${file}: ${this.noDevice}`));
    const rec: PlayRecord = { file, start: this.clock.now(), end: null };
    this.played.push(rec);
    this.playing++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.playing);
    const ms = typeof this.durationMs === 'function' ? this.durationMs(file) : this.durationMs;
    return new Promise((resolve) =>
      this.clock.setTimeout(() => {
        this.playing--;
        rec.end = this.clock.now();
        resolve();
      }, ms),
    );
  }
}
