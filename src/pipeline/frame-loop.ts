import type { Clock } from '../../hardware/clock';
import type { GateEvent } from '../../machines/gate-events';
import type { Frame } from '../camera/frame';
import { backoffDelay } from '../camera/backoff';
import type { Detection, Detector } from '../detector/types';
import type { FaceTracker, TrackSnapshot, ZoneEvent } from '../detector/tracker';
import type { Service } from '../lifecycle';
import type { Logger } from '../log';

/** Per-frame numbers, for the dashboard, MQTT stats and the benchmark. */
export interface FrameStats {
  seq: number;
  tMs: number;
  detectMs: number;
  trackMs: number;
  faces: number;
  tracks: TrackSnapshot[];
  detections: Detection[];
  frame: Frame;
}

export interface FrameLoopDeps {
  /** Frames from the camera (a supervised source: null only when it has ended for good). */
  frames: { next(): Promise<Frame | null> };
  detector: Pick<Detector, 'detect' | 'start' | 'stop'>;
  tracker: FaceTracker;
  send(event: GateEvent): void;
  clock: Clock;
  log: Logger;
  onFrame?(stats: FrameStats): void;
  onZone?(events: ZoneEvent[]): void;
  /** A replay ended: the daemon decides whether to loop, stop or wait. */
  onEnd?(): void;
  /** Called with each frame's time before it is processed (a replay moves its simulated clock here). */
  beforeFrame?(tMs: number): void;
  /** Resolves when the gate can use frames (booted, detector warm); frames are not taken before. */
  ready?(): Promise<void>;
}

/**
 * The per-frame path: camera -> detector -> tracker -> gate. A detector failure is a FAULT, not a crash:
 * the tracks end, the detector is restarted with backoff (1 s doubling to 30 s) and FAULT_CLEARED follows
 * its first good frame.
 */
export class FrameLoop implements Service {
  readonly name = 'frame loop';
  private running: Promise<void> | null = null;
  private stopping = false;
  // Resolves when stop() is called, so a next() left pending by a camera that is down cannot hold the stop.
  private stopSignal: Promise<null> = new Promise(() => {});
  private signalStop: () => void = () => {};
  // Ends the one wait for a frame in progress. Not Promise.race with stopSignal: every race leaves a
  // reaction on the long-lived stopSignal that keeps its frame reachable (a leak of every frame).
  private cancelWait: (() => void) | null = null;
  private detectorFailures = 0;

  constructor(private readonly deps: FrameLoopDeps) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve(null)));
    this.running = this.loop().catch((e) => this.deps.log.error('frame loop stopped', { error: e }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    this.cancelWait?.();
    await this.running;
    this.running = null;
  }

  private async loop(): Promise<void> {
    const { deps } = this;
    if (deps.ready) await Promise.race([deps.ready(), this.stopSignal]);
    while (!this.stopping) {
      // Let timers and I/O (the dashboard, MQTT, the gate's own timers) run between frames, even when a
      // fast replay and a fast detector never wait on anything.
      await new Promise<void>((r) => setImmediate(r));
      if (this.stopping) return;
      const frame = await this.nextOrStop();
      if (this.stopping) return;
      if (!frame) {
        deps.onEnd?.();
        return;
      }
      deps.beforeFrame?.(frame.tMs);
      const t0 = deps.clock.now();
      let detections: Detection[];
      try {
        detections = await deps.detector.detect(frame);
      } catch (e) {
        await this.detectorFailed(e, frame);
        continue;
      }
      if (this.detectorFailures > 0) {
        deps.log.info('detector recovered', { after: this.detectorFailures });
        this.detectorFailures = 0;
        deps.send({ type: 'FAULT_CLEARED', source: 'detector' });
      }
      const t1 = deps.clock.now();
      const update = deps.tracker.update(detections, frame, frame.tMs, frame.seq);
      const t2 = deps.clock.now();
      deps.send(update.event);
      if (update.zone.length) deps.onZone?.(update.zone);
      deps.onFrame?.({ seq: frame.seq, tMs: frame.tMs, detectMs: t1 - t0, trackMs: t2 - t1, faces: detections.length, tracks: update.tracks, detections, frame });
    }
  }

  /** The next frame, or null as soon as stop() is called (a camera that is down can leave next() pending). */
  private nextOrStop(): Promise<Frame | null> {
    return new Promise<Frame | null>((resolve, reject) => {
      const cancel = () => resolve(null);
      this.cancelWait = cancel;
      this.deps.frames.next().then(resolve, reject).finally(() => this.cancelWait === cancel && (this.cancelWait = null));
    });
  }

  private async detectorFailed(err: unknown, frame: Frame): Promise<void> {
    const { deps } = this;
    this.detectorFailures++;
    const reason = `frame ${frame.seq}: ${err instanceof Error ? err.message : String(err)}`;
    deps.log.error('detector failed', { attempt: this.detectorFailures, reason });
    deps.send({ type: 'FAULT', source: 'detector', reason });
    const left = deps.tracker.reset(frame.tMs, frame.seq);
    if (left.length) deps.onZone?.(left);
    const delay = backoffDelay(this.detectorFailures);
    await new Promise<void>((r) => deps.clock.setTimeout(r, delay));
    if (this.stopping) return;
    try {
      await deps.detector.stop();
      await deps.detector.start();
    } catch (e) {
      deps.log.error('detector restart failed', { error: e });
    }
  }
}
