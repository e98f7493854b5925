import { systemClock, type Clock } from '../../hardware/clock';
import type { Logger } from '../log';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { CameraError, type CameraErrorCode } from './errors';
import { Emitter, iterateFrames, type Frame, type FrameArrival, type FrameSource, type FrameSourceEvents, type SourceInfo } from './frame';

/**
 * - connecting: the first connection is being made.
 * - online: frames are arriving.
 * - reconnecting: a live camera was lost (error, end of stream, no frame for noFrameTimeoutMs, or it never
 *   came up); it is retried with backoff, forever.
 * - ended: a replay reached its end. failed: a replay could not be read (replays are not retried).
 * - stopped: stop() was called.
 */
export type CameraState = 'connecting' | 'online' | 'reconnecting' | 'ended' | 'failed' | 'stopped';

export interface CameraStatus {
  state: CameraState;
  /** The source URI, credentials hidden. */
  source: string;
  /** Why the camera is not online (reconnecting, failed), in words for an operator. */
  reason: string | null;
  code: CameraErrorCode | null;
  /** Reconnect attempts since the camera was last stable; 0 when connecting for the first time. */
  attempt: number;
  /** reconnecting: delay before the next attempt. */
  retryInMs: number | null;
  /** Clock time of this status. */
  at: number;
}

export interface CameraEvents extends FrameSourceEvents {
  status: [CameraStatus];
}

export interface SupervisorDeps {
  info: SourceInfo;
  /** Makes a new, unstarted source for each connection attempt. */
  open: () => FrameSource;
  logger: Logger;
  /** Live sources: no frame for this long is camera-lost. */
  noFrameTimeoutMs: number;
  /** Live sources: how long a new connection gets for its first frame (RTSP: connect, first keyframe). */
  connectTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Online this long resets the backoff to its first step. */
  stableMs?: number;
  clock?: Clock;
}

/**
 * The camera as the app sees it: a FrameSource that survives reconnects (frames keep coming from next(),
 * seq keeps increasing) and reports its status. The composition root turns status changes into gate
 * FAULT / FAULT_CLEARED events (see status-events.ts).
 */
export class CameraSupervisor extends Emitter<CameraEvents> implements FrameSource {
  private current: FrameSource | null = null;
  private unsubscribe: (() => void)[] = [];
  private watchdog: unknown = null;
  private retryTimer: unknown = null;
  private attempt = 0;
  private onlineAt: number | null = null;
  private nextSeqBase = 0;
  private seqBase = new Map<FrameSource, number>();
  private wake: (() => void)[] = [];
  private started: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private firstSettled: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private _status: CameraStatus;
  private replayOver = false;

  constructor(private readonly deps: SupervisorDeps) {
    super();
    this._status = this.makeStatus('connecting', null);
  }

  /** The configured source; a replay's own frame rate once it is open. */
  get info(): SourceInfo {
    return this.current?.info ?? this.deps.info;
  }

  get status(): CameraStatus {
    return this._status;
  }

  /**
   * Starts connecting. Resolves once the first attempt is online or has failed: a live camera that is down
   * at boot is not an error here (it is reported as reconnecting); a replay that cannot be read rejects.
   */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      this.firstSettled = { resolve, reject };
      this.setStatus(this.makeStatus('connecting', null));
      this.connect();
    });
    return this.started;
  }

  private get clock(): Clock {
    return this.deps.clock ?? systemClock;
  }

  private connect(): void {
    if (this.stopping) return;
    const { deps } = this;
    if (this.attempt > 0) deps.logger.info(`camera reconnect attempt ${this.attempt}`, { source: deps.info.uri });
    let src: FrameSource;
    try {
      src = deps.open();
    } catch (e) {
      // Opening is only object construction; a throw here is a bug, but still not a reason to stop retrying.
      src = failedSource(deps.info, toCameraError(e, deps.info.uri));
    }
    this.current = src;
    this.seqBase.set(src, this.nextSeqBase);
    this.unsubscribe = [src.on('frame', (a) => this.onFrame(src, a)), src.on('end', (e) => this.onEnd(src, e)), src.on('warning', (w) => this.emit('warning', w))];
    this.armWatchdog(src, deps.connectTimeoutMs ?? deps.noFrameTimeoutMs);
    this.wakeAll();
    src.start().catch((e: unknown) => this.onEnd(src, toCameraError(e, deps.info.uri)));
  }

  private armWatchdog(src: FrameSource, ms = this.deps.noFrameTimeoutMs): void {
    if (!this.deps.info.live) return;
    this.clock.clearTimeout(this.watchdog);
    this.watchdog = this.clock.setTimeout(() => this.onEnd(src, new CameraError('no-frames', `${this.deps.info.uri}: no frame for ${ms} ms`)), ms);
  }

  private onFrame(src: FrameSource, a: FrameArrival): void {
    if (src !== this.current || this.stopping) return;
    this.armWatchdog(src);
    const seq = this.seqBase.get(src)! + a.seq;
    this.nextSeqBase = Math.max(this.nextSeqBase, seq + 1);
    if (this._status.state !== 'online') {
      this.onlineAt = this.clock.now();
      this.deps.logger.info(this.attempt ? `camera online again after ${this.attempt} attempt(s)` : 'camera online', { source: this.deps.info.uri });
      this.setStatus(this.makeStatus('online', null));
      this.settleFirst(null);
    }
    this.emit('frame', { seq, tMs: a.tMs });
  }

  private onEnd(src: FrameSource, error: CameraError | null): void {
    if (src !== this.current || this.stopping) return;
    const { deps } = this;
    this.clock.clearTimeout(this.watchdog);
    if (!deps.info.live) {
      // Replays end or fail once; the consumer drains what is left through next().
      if (this.replayOver) return;
      this.replayOver = true;
      this.setStatus(this.makeStatus(error ? 'failed' : 'ended', error));
      if (error) deps.logger.error(`camera replay failed: ${error.message}`, { source: deps.info.uri });
      this.settleFirst(error);
      this.emit('end', error);
      return;
    }
    const lost = error ?? new CameraError('ended', `${deps.info.uri}: the stream ended`);
    this.current = null;
    for (const u of this.unsubscribe) u();
    void src.stop();
    if (this.onlineAt !== null && this.clock.now() - this.onlineAt >= (deps.stableMs ?? 10_000)) this.attempt = 0;
    this.onlineAt = null;
    this.attempt++;
    const delay = backoffDelay(this.attempt, deps.backoff ?? DEFAULT_BACKOFF);
    deps.logger.warn(`camera lost: ${lost.message}; reconnect attempt ${this.attempt} in ${delay} ms`, { source: deps.info.uri, code: lost.code });
    this.setStatus({ ...this.makeStatus('reconnecting', lost), retryInMs: delay });
    this.settleFirst(null);
    this.wakeAll();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  async next(): Promise<Frame | null> {
    for (;;) {
      if (this.stopping) return null;
      const src = this.current;
      if (!src) {
        await new Promise<void>((resolve) => this.wake.push(resolve));
        continue;
      }
      let frame: Frame | null = null;
      try {
        frame = await src.next();
      } catch (e) {
        // Live: onEnd already schedules the reconnect. Replay: the failure is the answer.
        if (!this.deps.info.live && src === this.current) throw e;
      }
      if (frame) {
        if (src !== this.current || this.stopping) continue; // from a connection already given up
        return { ...frame, seq: this.seqBase.get(src)! + frame.seq };
      }
      if (!this.deps.info.live) return null;
      if (src === this.current) await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterateFrames(this);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.clock.clearTimeout(this.watchdog);
      this.clock.clearTimeout(this.retryTimer);
      const src = this.current;
      this.current = null;
      for (const u of this.unsubscribe) u();
      this.wakeAll();
      this.settleFirst(null);
      await src?.stop();
      this.setStatus(this.makeStatus('stopped', null));
      this.deps.logger.info('camera stopped', { source: this.deps.info.uri });
      this.emit('end', null);
    })();
    return this.stopping;
  }

  private settleFirst(error: CameraError | null): void {
    const f = this.firstSettled;
    this.firstSettled = null;
    if (!f) return;
    if (error && !this.deps.info.live) f.reject(error);
    else f.resolve();
  }

  private wakeAll(): void {
    const w = this.wake;
    this.wake = [];
    for (const r of w) r();
  }

  private makeStatus(state: CameraState, error: CameraError | null): CameraStatus {
    return {
      state,
      source: this.deps.info.uri,
      reason: error?.message ?? null,
      code: error?.code ?? null,
      attempt: this.attempt,
      retryInMs: null,
      at: this.clock.now(),
    };
  }

  private setStatus(s: CameraStatus): void {
    this._status = s;
    this.emit('status', s);
  }
}

function toCameraError(e: unknown, uri: string): CameraError {
  return e instanceof CameraError ? e : new CameraError('stream', `${uri}: ${(e as Error)?.message ?? String(e)}`);
}

/** Stands in for a source that could not even be constructed: fails on start. */
function failedSource(info: SourceInfo, error: CameraError): FrameSource {
  const e = new Emitter<FrameSourceEvents>();
  return {
    info,
    start: () => Promise.reject(error),
    stop: async () => undefined,
    next: () => Promise.reject(error),
    on: (event, listener) => e.on(event, listener),
    [Symbol.asyncIterator]: () => iterateFrames({ next: () => Promise.reject(error) }),
  };
}
