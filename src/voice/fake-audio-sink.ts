import { systemClock, type Clock } from '../../hardware/clock';
import type { AudioSink } from './audio-sink';

export interface PlayRecord {
  file: string;
  start: number;
  end: number | null;
}

/** For tests: records what was played and when; each clip "plays" for `durationMs` on the given clock. */
export class FakeAudioSink implements AudioSink {
  readonly name = 'fake';
  readonly played: PlayRecord[] = [];
  /** Most clips ever playing at once: the no-overlap rule says 1. */
  maxConcurrent = 0;
  private playing = 0;

  constructor(
    private readonly durationMs: number | ((file: string) => number) = 1000,
    private readonly clock: Clock = systemClock,
  ) {}

  play(file: string): Promise<void> {
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
