import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../hardware/clock';
import type { Logger } from '../log';
import { CameraError } from './errors';
import { Emitter, iterateFrames, type Frame, type FrameSource, type FrameSourceEvents, type SourceInfo } from './frame';
import { classifyGstError } from './gst-errors';
import { RecordReader, type ChildRecord, type ParentMessage } from './gst-wire';
import type { PipelinePlan } from './pipeline';

/** How the camera child process is started. */
export interface ChildEntry {
  file: string;
  execArgv: string[];
}

/** The compiled child next to this module; from TypeScript sources, compiled on the fly. */
export function defaultChildEntry(): ChildEntry {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `gst-child${ext}`);
  return ext === '.ts' ? { file, execArgv: ['-r', path.join(__dirname, 'dev-ts-register.cjs')] } : { file, execArgv: [] };
}

export interface GstSourceOptions {
  info: SourceInfo;
  plan: PipelinePlan;
  /** Files: start again at the end. */
  loop: boolean;
  logger: Logger;
  /** start() fails if no first frame comes within this. */
  startTimeoutMs: number;
  /** After asking the child to stop, how long before it is killed. */
  stopTimeoutMs?: number;
  childEntry?: ChildEntry;
  clock?: Clock;
  /** Runs before each start (does the device or file exist?), for a clearer error than GStreamer's. */
  precheck?: () => Promise<void>;
}

/** Replays read ahead this many frames; beyond that the child (and GStreamer) waits. */
const REPLAY_QUEUE = 3;

/**
 * A GStreamer pipeline run in a child process (gst-child.ts). Live: only the newest frame is kept.
 * Replay (files): every frame, with backpressure through the pipe down to the file reader.
 */
export class GstFrameSource extends Emitter<FrameSourceEvents> implements FrameSource {
  private child: ChildProcess | null = null;
  private stream: Readable | null = null;
  private queue: Frame[] = [];
  private waiter: { resolve: (f: Frame | null) => void; reject: (e: Error) => void } | null = null;
  private ended: { error: CameraError | null } | null = null;
  private exited: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private firstFrame: (() => void) | null = null;
  private count = 0;
  private gotExitInfo = '';
  private fileFps: number | null = null;

  constructor(private readonly opts: GstSourceOptions) {
    super();
  }

  get info(): SourceInfo {
    // A file's own frame rate is known from its first frame.
    return this.fileFps ? { ...this.opts.info, fps: this.fileFps } : this.opts.info;
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      try {
        await this.opts.precheck?.();
      } catch (e) {
        const err = e instanceof CameraError ? e : new CameraError('stream', `${this.opts.info.uri}: ${(e as Error).message}`);
        this.finish(err);
        throw err;
      }
      if (!this.stopping) await this.open();
    })();
    return this.starting;
  }

  private open(): Promise<void> {
    const { opts } = this;
    const clock = opts.clock ?? systemClock;
    const entry = opts.childEntry ?? defaultChildEntry();
    opts.logger.debug('camera pipeline', { source: opts.info.uri, pipeline: opts.plan.description });
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
    });
    this.child = child;
    this.stream = child.stdio[4] as Readable;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.gotExitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        resolve();
      }),
    );
    for (const s of [child.stdout, child.stderr]) {
      s?.setEncoding('utf8');
      s?.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim()) opts.logger.debug(`camera process: ${line.trim()}`);
      });
    }
    const reader = new RecordReader();
    this.stream.on('data', (chunk: Buffer) => {
      let records;
      try {
        records = reader.push(chunk);
      } catch (e) {
        return this.fail(new CameraError('crashed', `${opts.info.uri}: camera process sent garbage: ${(e as Error).message}`));
      }
      for (const r of records) this.onRecord(r.record, r.payload);
    });
    const streamDone = new Promise<void>((resolve) => this.stream!.once('close', () => resolve()));
    // Decided once the child has exited and everything it wrote has been read (a paused replay reads late).
    void Promise.all([this.exited, streamDone]).then(() => {
      if (!this.ended && !this.stopping) this.fail(new CameraError('crashed', `${opts.info.uri}: camera process ended unexpectedly (${this.gotExitInfo})`));
    });
    child.on('error', (e) => this.fail(new CameraError('crashed', `${opts.info.uri}: cannot start the camera process: ${e.message}`)));
    const msg: ParentMessage = { kind: 'open', plan: opts.plan, loop: opts.loop };
    child.send(msg);

    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.firstFrame = null;
        const e = new CameraError('no-frames', `${opts.info.uri}: no frame within ${opts.startTimeoutMs} ms of opening`);
        this.fail(e);
        reject(e);
      }, opts.startTimeoutMs);
      this.firstFrame = () => {
        clock.clearTimeout(timer);
        resolve();
      };
      this.on('end', (err) => {
        if (!this.firstFrame) return;
        this.firstFrame = null;
        clock.clearTimeout(timer);
        const why = this.stopping ? 'stopped before the first frame' : 'ended before the first frame (no video in it?)';
        reject(err ?? new CameraError(this.stopping ? 'stream' : 'unreadable', `${opts.info.uri}: ${why}`));
      });
    });
  }

  private onRecord(rec: ChildRecord, payload: Buffer | null): void {
    if (this.ended) return;
    const { info } = this.opts;
    switch (rec.kind) {
      case 'started':
        return;
      case 'warning':
        this.opts.logger.warn(`camera warning: ${rec.message}`, { source: info.uri });
        return;
      case 'eos':
        return info.live ? this.fail(new CameraError('ended', `${info.uri}: the stream ended`)) : this.finish(null);
      case 'error':
        return this.fail(classifyGstError(info, rec));
      case 'frame': {
        if (!payload) return;
        if (rec.width !== info.width || rec.height !== info.height || payload.length !== info.width * info.height * 3) {
          return this.fail(new CameraError('stream', `${info.uri}: expected ${info.width}x${info.height} RGB frames, got ${rec.width}x${rec.height} (${payload.length} bytes)`));
        }
        if (!info.live) this.fileFps ??= frameRate(rec.framerate, info.fps);
        const seq = info.live ? rec.index : this.count;
        // Replays are stamped with media time, so a replay is the same run however fast it goes.
        const tMs = info.live ? rec.at : Math.round((this.count * 1000) / this.fileFps!);
        const frame: Frame = { data: payload, width: rec.width, height: rec.height, tMs, seq, ...(info.live ? {} : { index: rec.index }) };
        this.count++;
        this.emit('frame', { seq, tMs });
        const first = this.firstFrame;
        this.firstFrame = null;
        first?.();
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = null;
          w.resolve(frame);
        } else if (info.live) {
          this.queue = [frame]; // newest wins
        } else {
          this.queue.push(frame);
          if (this.queue.length >= REPLAY_QUEUE) this.stream?.pause();
        }
        return;
      }
    }
  }

  next(): Promise<Frame | null> {
    // A stop() asked for says null; a failure (which also stops the child) is still reported.
    if (this.stopping && !this.ended?.error) return Promise.resolve(null);
    const f = this.queue.shift();
    if (f) {
      if (this.queue.length < REPLAY_QUEUE) this.stream?.resume();
      return Promise.resolve(f);
    }
    if (this.ended) return this.ended.error ? Promise.reject(this.ended.error) : Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('next() called while another next() is waiting'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterateFrames(this);
  }

  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    // Settles a waiting next() and a start() still waiting for its first frame.
    this.finish(null);
    const child = this.child;
    // No pid: the process never started ('error' was reported), so there is nothing to wait for.
    if (!child || !this.exited || child.pid === undefined) return;
    this.stream?.resume(); // let the child flush what it is writing, or it cannot exit
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ kind: 'stop' } satisfies ParentMessage, () => undefined);
      const clock = this.opts.clock ?? systemClock;
      let timer: unknown;
      const killed = new Promise<void>((resolve) => {
        timer = clock.setTimeout(() => {
          this.opts.logger.warn('camera process did not stop in time; killing it', { source: this.opts.info.uri });
          child.kill('SIGKILL');
          resolve();
        }, this.opts.stopTimeoutMs ?? 3000);
      });
      await Promise.race([this.exited, killed]);
      clock.clearTimeout(timer);
      await this.exited;
    }
  }

  /** The camera process id, for tests that kill it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private fail(error: CameraError): void {
    if (this.opts.info.live) this.queue = []; // frames from before a failure are stale
    this.finish(error);
  }

  private finish(error: CameraError | null): void {
    if (this.ended) return;
    this.ended = { error };
    if (this.waiter && this.queue.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      if (error) w.reject(error);
      else w.resolve(null);
    }
    this.emit('end', error);
    // The child has nothing more to give; make sure it goes.
    if (error) void this.stop();
  }
}

function frameRate(framerate: string | null, fallback: number): number {
  const m = framerate ? /^(\d+)\/(\d+)$/.exec(framerate) : null;
  const r = m ? Number(m[1]) / Number(m[2]) : NaN;
  return Number.isFinite(r) && r > 0 ? r : fallback;
}
