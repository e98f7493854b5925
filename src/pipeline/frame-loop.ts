import type { Clock } from '../../hardware/clock';
import type { GateEvent } from '../../machines/gate-events';
import type { Frame } from '../camera/frame';
import { backoffDelay } from '../camera/backoff';
import type { DetectHints, Detection, Detector } from '../detector/types';
import type { FaceTracker, TrackSnapshot, ZoneEvent } from '../detector/tracker';
import type { Service } from '../lifecycle';
import type { Logger } from '../log';

/** Per-frame numbers, for the dashboard, MQTT stats and the benchmark. */
export interface FrameStats {
  seq: number;
  tMs: number;
  /** From handing the frame to the detector to its detections (with overlap, includes waiting for the previous frame). */
  detectMs: number;
  trackMs: number;
  /** From taking the frame from the camera to its event reaching the statechart. */
  latencyMs: number;
  /** The face network did not run on this frame (an empty doorway, FrameLoopDeps.idle): it counts as empty. */
  skipped: boolean;
  faces: number;
  tracks: TrackSnapshot[];
  detections: Detection[];
  frame: Frame;
}

export interface FrameLoopDeps {
  /** Frames from the camera (a supervised source: null only when it has ended for good). */
  frames: { next(): Promise<Frame | null> };
  detector: Pick<Detector, 'detect' | 'start' | 'stop'>;
  /** Frames in the detector at once: 2 overlaps frame n+1's face network with frame n's classifier. Default 1. */
  depth?: number;
  /** What the detector may spare for the next frame (faces the gate has opened for), asked as each frame goes in. */
  hints?(): DetectHints;
  /** After afterMs without a face, only every `every`th frame goes through the detector. */
  idle?: { afterMs: number; every: number };
  tracker: FaceTracker;
  send(event: GateEvent): void;
  clock: Clock;
  log: Logger;
  onFrame?(stats: FrameStats): void;
  onZone?(events: ZoneEvent[]): void;
  /** A replay ended: the daemon decides whether to loop, stop or wait. */
  onEnd?(): void;
  /**
   * Called with each frame's time before its detections go to the tracker and the statechart (a replay moves
   * its simulated clock here), and the clock time the frame was taken from the camera.
   */
  beforeFrame?(tMs: number, takenAt: number): void;
  /** Resolves when the gate can use frames (booted, detector warm); frames are not taken before. */
  ready?(): Promise<void>;
}

/** A frame handed to the detector, waiting for its detections. */
interface InFlight {
  frame: Frame;
  /** Clock time it was taken from the camera and handed to the detector. */
  takenAt: number;
  skipped: boolean;
  /** Resolves when the detector can take the next frame (its face network is done with this one). */
  found: Promise<void>;
  result: Promise<{ ok: true; detections: Detection[] } | { ok: false; error: unknown }>;
}

/**
 * The per-frame path: camera -> detector -> tracker -> gate. With depth 2 the next frame goes into the
 * detector before this one's detections come back, so its face network runs while this one is classified;
 * frames still reach the tracker and the statechart one at a time, in order. The camera is not read ahead
 * further: a live source keeps only its newest frame, so a slow detector drops frames instead of queueing.
 * A detector failure is a FAULT, not a crash: the frames in flight are dropped, the tracks end, the detector
 * is restarted with backoff (1 s doubling to 30 s) and FAULT_CLEARED follows its first good frame.
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
  /** Frame time of the last frame with a face (null: none yet, so the first frames all run). */
  private lastFaceAt: number | null = null;
  /** Frames since the doorway went idle, for the idle stride. */
  private idleCount = 0;

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
    const depth = Math.max(1, deps.depth ?? 1);
    const inFlight: InFlight[] = [];
    let ended = false;
    while (!this.stopping) {
      // Let timers and I/O (the dashboard, MQTT, the gate's own timers) run between frames, even when a
      // fast replay and a fast detector never wait on anything.
      await new Promise<void>((r) => setImmediate(r));
      if (this.stopping) return;
      if (!ended && inFlight.length < depth) {
        // In an empty doorway the next frame waits until the face network has looked at this one, so the idle
        // stride knows at once when someone appears (throughput does not matter there). Otherwise it goes in
        // now: its tensor is prepared while this frame is still in the face network.
        const last = inFlight.at(-1);
        if (last && this.idleAt(last.frame.tMs)) await this.untilStopped(Promise.race([last.found, last.result]));
        if (this.stopping) return;
        const frame = await this.nextOrStop();
        if (this.stopping) return;
        if (frame) {
          inFlight.push(this.submit(frame));
          if (inFlight.length < depth) continue;
        } else ended = true;
      }
      const head = inFlight.shift();
      if (!head) {
        deps.onEnd?.();
        return;
      }
      const r = await this.untilStopped(head.result);
      if (!r || this.stopping) return;
      if (!r.ok) {
        // The frames behind it went to the same failing detector: dropped, not judged.
        await Promise.allSettled(inFlight.splice(0).map((f) => f.result));
        await this.detectorFailed(r.error, head.frame);
        continue;
      }
      this.judge(head, r.detections);
    }
  }

  /** Hands a frame to the detector (or, in an empty doorway, lets it pass as empty). */
  private submit(frame: Frame): InFlight {
    const { deps } = this;
    const now = deps.clock.now();
    const skip = this.idleAt(frame.tMs) && ++this.idleCount % deps.idle!.every !== 0;
    let release!: () => void;
    const found = new Promise<void>((r) => (release = r));
    const onFound = (faces: number) => {
      // Candidates are known before the classifier: the frame after this one is not skipped.
      if (faces > 0) this.sawFace(frame.tMs);
      release();
    };
    const result = skip ? Promise.resolve([] as Detection[]) : deps.detector.detect(frame, { ...deps.hints?.(), onFound });
    if (skip) release();
    return {
      frame,
      takenAt: now,
      skipped: skip,
      found,
      result: result.then(
        (detections) => ({ ok: true as const, detections }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    };
  }

  /** One frame's detections into the tracker and the statechart. */
  private judge(f: InFlight, detections: Detection[]): void {
    const { deps } = this;
    const { frame } = f;
    if (this.detectorFailures > 0) {
      deps.log.info('detector recovered', { after: this.detectorFailures });
      this.detectorFailures = 0;
      deps.send({ type: 'FAULT_CLEARED', source: 'detector' });
    }
    if (detections.length || this.lastFaceAt === null) this.sawFace(frame.tMs);
    deps.beforeFrame?.(frame.tMs, f.takenAt);
    const t1 = deps.clock.now();
    const update = deps.tracker.update(detections, frame, frame.tMs, frame.seq);
    const t2 = deps.clock.now();
    deps.send(update.event);
    if (update.zone.length) deps.onZone?.(update.zone);
    const latencyMs = deps.clock.now() - f.takenAt;
    deps.onFrame?.({ seq: frame.seq, tMs: frame.tMs, detectMs: t1 - f.takenAt, trackMs: t2 - t1, latencyMs, skipped: f.skipped, faces: detections.length, tracks: update.tracks, detections, frame });
  }

  /** Whether the idle stride applies at frame time tMs: no face candidate for idle.afterMs. */
  private idleAt(tMs: number): boolean {
    const idle = this.deps.idle;
    return !!idle && idle.every > 1 && this.lastFaceAt !== null && tMs - this.lastFaceAt >= idle.afterMs;
  }

  private sawFace(tMs: number): void {
    this.lastFaceAt = Math.max(this.lastFaceAt ?? tMs, tMs);
    this.idleCount = 0;
  }

  /** The promise's value, or null as soon as stop() is called (a hung detector cannot hold the stop). */
  private untilStopped<T>(p: Promise<T>): Promise<T | null> {
    return new Promise<T | null>((resolve) => {
      const cancel = () => resolve(null);
      this.cancelWait = cancel;
      void p.then(resolve).finally(() => this.cancelWait === cancel && (this.cancelWait = null));
    });
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
