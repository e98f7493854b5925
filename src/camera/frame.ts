import type { CameraError } from './errors';

/**
 * What the camera gives the app: RGB frames at the working size. Structurally a detector RgbFrame
 * (src/detector/types.ts), plus when and which frame it is.
 */
export interface Frame {
  /** RGB, 3 bytes per pixel, rows top to bottom, no padding: width * height * 3 bytes. */
  data: Buffer;
  width: number;
  height: number;
  /**
   * Milliseconds. Live sources: wall-clock time of capture (epoch ms). Replays: media time from the start
   * of the sequence or file, still increasing when a replay loops.
   */
  tMs: number;
  /** Increases by one per frame the source produced; a gap means the newest-frame policy dropped frames. */
  seq: number;
  /** Replays: index of the frame in its sequence or file (for reports about a frame). */
  index?: number;
  /** frames:// replays: the JPEG the frame came from, relative to the sequence directory. */
  file?: string;
}

/** Told as soon as a frame reaches the source, whether or not anyone has taken it yet. */
export interface FrameArrival {
  seq: number;
  tMs: number;
}

/** A frame that could not be used (a corrupt JPEG in a sequence): reported, counted, skipped. */
export interface FrameWarning {
  index: number;
  file?: string;
  message: string;
}

export interface SourceInfo {
  /** The URI with credentials hidden. */
  uri: string;
  live: boolean;
  width: number;
  height: number;
  /** Nominal frame rate (config for live sources, the sequence's or file's own rate for replays). */
  fps: number;
  /** The gst-launch description, when GStreamer runs the source (credentials are never in it). */
  pipeline?: string;
}

export interface FrameSourceEvents {
  frame: [FrameArrival];
  /** The source stopped producing: null at a normal end (replay finished), the error otherwise. Once. */
  end: [CameraError | null];
  warning: [FrameWarning];
}

/**
 * A source of frames: a camera pipeline, a video file or a recorded sequence. Live sources give the newest
 * frame (a slow consumer drops frames, never builds a queue); replays give every frame, paced or not.
 */
export interface FrameSource extends AsyncIterable<Frame> {
  readonly info: SourceInfo;
  /** Opens the source; rejects with a CameraError if it cannot. Idempotent. */
  start(): Promise<void>;
  /** Closes it; a waiting next() resolves null. Idempotent. */
  stop(): Promise<void>;
  /** The next frame (live: the newest not yet taken); null when the source ended or was stopped; rejects if it failed. */
  next(): Promise<Frame | null>;
  on<K extends keyof FrameSourceEvents>(event: K, listener: (...args: FrameSourceEvents[K]) => void): () => void;
}

/** Minimal typed event emitter; a listener that throws affects neither the emitter nor the other listeners. */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private listeners = new Map<keyof E, Set<(...args: never) => void>>();

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as unknown as (...args: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as unknown as (...a: E[K]) => void)(...args);
      } catch {
        // A failing listener (a logger, the composition root) must not break frame delivery or the emitter.
      }
    }
  }
}

/** Iterates a source with for-await; breaking out of the loop does not stop the source. */
export async function* iterateFrames(source: Pick<FrameSource, 'next'>): AsyncGenerator<Frame> {
  for (;;) {
    const f = await source.next();
    if (!f) return;
    yield f;
  }
}
