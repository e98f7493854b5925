/**
 * The one file that touches gstreamer-superficial (which ships no types). It runs inside the camera child
 * process (gst-child.ts), never in the gate process: the binding never frees a pipeline (~300 KB per
 * reconnect), `stop()` blocks the caller's event loop while elements tear down, and a crash in a camera
 * driver must not take the gate down with it.
 *
 * Facts about the binding this wrapper relies on (read from its Pipeline.cpp / GObjectWrap.cpp):
 * - `appsink.pull(cb)` blocks a libuv worker in gst_app_sink_pull_sample; cb(null) means EOS, or that the
 *   sink is not started (pull before play) or was stopped. On an error nothing is pulled and no EOS comes,
 *   so the pull would wait forever: the bus is watched and the pipeline stopped on error.
 * - `pollBus(cb)` re-arms itself until the pipeline is in NULL; each wait blocks a libuv worker until a
 *   message arrives. With the pipeline's auto-flush-bus off, stopping always posts a last state-changed
 *   message, so that worker is released.
 * - Bus messages carry the message structure's fields, so a field named `type` overwrites the message type
 *   (stream-status does this); only error/warning/eos/state-changed are interpreted here.
 */

/** The fields of a caps structure, as the binding converts them (framerate is a string like "30/1"). */
export interface GstCaps {
  name: string;
  format?: string;
  width?: number;
  height?: number;
  framerate?: string;
  [field: string]: unknown;
}

export interface GstSample {
  data: Buffer;
  caps: GstCaps | null;
}

export interface GstBusMessage {
  type: string;
  /** Name of the element that posted it. */
  source: string;
  /** Error and warning text. */
  message?: string;
  /** Error and warning debug text (element path, reason). */
  debug?: string;
}

/** A GStreamer failure: a description that does not parse, or an error posted on the bus. */
export class GstError extends Error {
  constructor(
    message: string,
    /** Element that failed (bus errors), or null. */
    readonly element: string | null = null,
    /** GStreamer's debug detail, e.g. "streaming stopped, reason not-negotiated (-4)". */
    readonly debug: string | null = null,
  ) {
    super(message);
    this.name = 'GstError';
  }
}

export type GstPropertyValue = string | number | boolean;

export interface GstPipeline {
  readonly description: string;
  /** Sets a property after parsing, so values such as passwords never appear in the description. */
  setProperty(element: string, name: string, value: GstPropertyValue): void;
  play(): void;
  /**
   * The next sample from the appsink; null at end of stream or after stop. Rejects with the bus error if the
   * pipeline failed; it never waits on a failed pipeline.
   */
  pull(): Promise<GstSample | null>;
  /** Flushing seek to the start (looping a file). */
  rewind(): boolean;
  sendEos(): void;
  /** Sets the pipeline to NULL; idempotent. A pending pull resolves null. */
  stop(): void;
  /** Bus messages other than the internal ones; called after the pipeline reacted to them. */
  onMessage(listener: (msg: GstBusMessage) => void): void;
  readonly failure: GstError | null;
}

interface NativeElement {
  [property: string]: unknown;
  pull?: (cb: (buf: Buffer | null, caps: Record<string, unknown> | undefined) => void) => void;
}

interface NativePipeline {
  play(): void;
  stop(): void;
  sendEOS(): void;
  seek(seconds: number, flags: number): boolean;
  findChild(name: string): NativeElement | undefined;
  pollBus(cb: (msg: Record<string, unknown>) => void): void;
  'auto-flush-bus': boolean;
}

interface NativeModule {
  Pipeline: new (description: string) => NativePipeline;
}

const GST_SEEK_FLAG_FLUSH = 1;

let native: NativeModule | null = null;
function load(): NativeModule {
  // Loaded on first use, so importing the types never loads GStreamer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  native ??= require('gstreamer-superficial') as NativeModule;
  return native;
}

/** Parses a gst-launch description whose appsink is named `sinkName`. Throws GstError if it does not parse. */
export function createPipeline(description: string, sinkName = 'sink'): GstPipeline {
  const { Pipeline } = load();
  let pipe: NativePipeline;
  try {
    pipe = new Pipeline(description);
  } catch (e) {
    throw new GstError(`pipeline does not parse: ${(e as Error).message}`);
  }
  const sink = pipe.findChild(sinkName);
  if (!sink || typeof sink.pull !== 'function') throw new GstError(`pipeline has no appsink named "${sinkName}"`);
  return new Wrapped(description, pipe, sink);
}

class Wrapped implements GstPipeline {
  private listeners: ((msg: GstBusMessage) => void)[] = [];
  private state: 'ready' | 'playing' | 'stopped' = 'ready';
  private pending: { resolve: (s: GstSample | null) => void; reject: (e: Error) => void } | null = null;
  failure: GstError | null = null;

  constructor(
    readonly description: string,
    private readonly pipe: NativePipeline,
    private readonly sink: NativeElement,
  ) {}

  setProperty(element: string, name: string, value: GstPropertyValue): void {
    const el = this.pipe.findChild(element);
    if (!el) throw new GstError(`pipeline has no element named "${element}"`);
    el[name] = value;
  }

  play(): void {
    if (this.state !== 'ready') return;
    this.state = 'playing';
    this.pipe['auto-flush-bus'] = false;
    this.pipe.play();
    // Armed after play: the poller stops re-arming once it sees the pipeline in NULL.
    this.pipe.pollBus((raw) => this.onBus(raw));
  }

  pull(): Promise<GstSample | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === 'stopped') return Promise.resolve(null);
    if (this.state !== 'playing') return Promise.reject(new GstError('pull before play'));
    if (this.pending) return Promise.reject(new GstError('a pull is already waiting'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sink.pull!((buf, caps) => {
        const p = this.pending;
        this.pending = null;
        if (!p) return; // already settled by a bus error
        if (buf) p.resolve({ data: buf, caps: toCaps(caps) });
        else if (this.failure) p.reject(this.failure);
        else p.resolve(null);
      });
    });
  }

  rewind(): boolean {
    if (this.state !== 'playing' || this.failure) return false;
    return this.pipe.seek(0, GST_SEEK_FLAG_FLUSH);
  }

  sendEos(): void {
    if (this.state === 'playing') this.pipe.sendEOS();
  }

  stop(): void {
    if (this.state === 'stopped') return;
    const wasPlaying = this.state === 'playing';
    this.state = 'stopped';
    if (wasPlaying) this.pipe.stop();
  }

  onMessage(listener: (msg: GstBusMessage) => void): void {
    this.listeners.push(listener);
  }

  private onBus(raw: Record<string, unknown>): void {
    const msg: GstBusMessage = {
      type: String(raw.type),
      source: String(raw._src_element_name ?? ''),
      ...(typeof raw.message === 'string' ? { message: raw.message } : {}),
      ...(typeof raw.debug === 'string' ? { debug: raw.debug } : {}),
    };
    if (msg.type === 'error' && !this.failure) {
      this.failure = new GstError(msg.message ?? 'unknown GStreamer error', msg.source || null, msg.debug ?? null);
      // Settle now: the native pull only returns once the sink is stopped.
      const p = this.pending;
      this.pending = null;
      p?.reject(this.failure);
      this.stop();
    }
    for (const l of this.listeners) l(msg);
  }
}

function toCaps(raw: Record<string, unknown> | undefined): GstCaps | null {
  if (!raw || typeof raw.name !== 'string') return null;
  return raw as GstCaps;
}
