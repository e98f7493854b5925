import { systemClock, type Clock } from '../../hardware/clock';
import { iterateFrames, type Frame, type FrameSource, type FrameSourceEvents, type SourceInfo } from './frame';

/**
 * Plays a replay in real time: each frame is handed out no earlier than its timestamp after the first.
 * A consumer slower than real time gets every frame late rather than losing any (replays never drop).
 */
export class PacedSource implements FrameSource {
  private origin: { wall: number; media: number } | null = null;
  private sleeping: { timer: unknown; resolve: () => void } | null = null;
  private stopped = false;

  constructor(
    private readonly inner: FrameSource,
    private readonly clock: Clock = systemClock,
  ) {}

  get info(): SourceInfo {
    return this.inner.info;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.inner.stop();
  }

  async next(): Promise<Frame | null> {
    const f = await this.inner.next();
    if (!f || this.stopped) return null;
    this.origin ??= { wall: this.clock.now(), media: f.tMs };
    const wait = this.origin.wall + (f.tMs - this.origin.media) - this.clock.now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        this.sleeping = { timer: this.clock.setTimeout(() => this.wakeUp(), wait), resolve };
      });
    }
    return this.stopped ? null : f;
  }

  on<K extends keyof FrameSourceEvents>(event: K, listener: (...args: FrameSourceEvents[K]) => void): () => void {
    return this.inner.on(event, listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterateFrames(this);
  }

  private wakeUp(): void {
    const s = this.sleeping;
    this.sleeping = null;
    if (!s) return;
    this.clock.clearTimeout(s.timer);
    s.resolve();
  }
}
