import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CameraError } from '../camera/errors';
import { Emitter, iterateFrames, type Frame, type FrameSource, type FrameSourceEvents, type SourceInfo } from '../camera/frame';
import { decodeFrameRgb } from '../image/sharp-io';
import type { Logger } from '../log';
import { loadSequence, SequenceError } from './read';
import type { Sequence } from './schema';

export interface SequenceSourceOptions {
  dir: string;
  /** For info and messages (frames:///... as configured). */
  uri: string;
  /** Working size: frames are resized to it. */
  width: number;
  height: number;
  loop: boolean;
  logger: Logger;
}

/**
 * Replays a recorded sequence (frames://): every frame, decoded with sharp, stamped with its t_ms from
 * sequence.json. A frame that is missing or does not decode is reported with its index and file, counted
 * and skipped; the replay goes on. Pacing is the PacedSource's job.
 */
export class SequenceSource extends Emitter<FrameSourceEvents> implements FrameSource {
  private seq: Sequence | null = null;
  private pos = 0;
  /** Media time added to t_ms on each loop, so time keeps increasing. */
  private offset = 0;
  private produced = 0;
  private ahead: Promise<Frame | null> | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;
  private ended = false;
  /** Frames skipped because they were missing or corrupt. */
  badFrames = 0;

  constructor(private readonly opts: SequenceSourceOptions) {
    super();
  }

  get info(): SourceInfo {
    return { uri: this.opts.uri, live: false, width: this.opts.width, height: this.opts.height, fps: this.seq?.fps ?? 0 };
  }

  get sequence(): Sequence | null {
    return this.seq;
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      try {
        this.seq = (await loadSequence(this.opts.dir)).sequence;
      } catch (e) {
        const err = e instanceof SequenceError ? new CameraError(e.code === 'not-found' ? 'not-found' : 'unreadable', e.message) : e;
        if (err instanceof CameraError) this.finish(err);
        throw err;
      }
      this.ahead = this.prefetch();
    })();
    return this.starting;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.finish(null);
  }

  async next(): Promise<Frame | null> {
    if (this.stopped || !this.ahead) return null;
    const frame = await this.ahead;
    // Decode the following frame while the consumer works on this one.
    this.ahead = frame ? this.prefetch() : Promise.resolve(null);
    return this.stopped ? null : frame;
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterateFrames(this);
  }

  private prefetch(): Promise<Frame | null> {
    const p = this.decodeNext();
    // Nobody may be waiting yet; the failure is delivered by next() (and the 'end' event), not as unhandled.
    p.catch(() => undefined);
    return p;
  }

  private async decodeNext(): Promise<Frame | null> {
    const seq = this.seq!;
    const frames = seq.frames;
    let skippedInARow = 0;
    while (!this.stopped) {
      if (this.pos >= frames.length) {
        if (!this.opts.loop || skippedInARow >= frames.length) break;
        const last = frames[frames.length - 1]!.t_ms;
        this.offset += last + 1000 / seq.fps;
        this.pos = 0;
      }
      const index = this.pos++;
      const entry = frames[index]!;
      try {
        const data = await this.decode(entry.file);
        const frame: Frame = { data, width: this.opts.width, height: this.opts.height, tMs: Math.round(this.offset + entry.t_ms), seq: this.produced++, index, file: entry.file };
        this.emit('frame', { seq: frame.seq, tMs: frame.tMs });
        return frame;
      } catch (e) {
        skippedInARow++;
        this.badFrames++;
        const message = `${path.join(this.opts.dir, entry.file)}: frame ${index} skipped: ${(e as Error).message}`;
        this.opts.logger.warn(message);
        this.emit('warning', { index, file: entry.file, message });
        if (skippedInARow >= frames.length) {
          const err = new CameraError('unreadable', `${this.opts.dir}: none of the ${frames.length} frames could be read`);
          this.finish(err);
          throw err;
        }
      }
    }
    this.finish(null);
    return null;
  }

  private async decode(file: string): Promise<Buffer> {
    const bytes = await readFile(path.join(this.opts.dir, file));
    return decodeFrameRgb(bytes, { width: this.opts.width, height: this.opts.height });
  }

  private finish(error: CameraError | null): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end', error);
  }
}
