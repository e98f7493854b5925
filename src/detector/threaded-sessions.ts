import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FloatTensor, InferenceSession, SessionFactory, SessionOptions, TensorMeta } from './runtime';
import type { FromSessionThread, MovedFeed, ToSessionThread } from './session-thread-wire';

/**
 * A SessionFactory whose sessions each run on a worker thread of their own (session-thread.ts), or share one
 * with the sessions given the same SessionOptions.thread.
 *
 * Why: onnxruntime's node binding runs inference synchronously on the thread that calls it. On the main
 * thread a 10 ms face network blocks decoding hand-off, cropping, tracking and the statechart, and the
 * second core idles. On their own threads the face network of frame n+1 and the classifier of frame n run
 * at once while the main thread prepares the next tensors (detector.ts overlaps the stages). Networks that
 * need not run at once (the classifier and the faint network) share a thread: a thread costs its V8 heap and a
 * glibc malloc arena of its own (55 MB more in the soak for the faint network's, 2026-12-03).
 *
 * Contract, as for every InferenceSession: run() resolves with the outputs or rejects with an Error naming
 * the session; runs are answered in the order they were sent; close() is idempotent and rejects nothing
 * but runs still pending. A thread that dies (out of memory, a native crash) fails every pending and later
 * run of each of its sessions with the reason; the detector's supervisor restarts the detector, which opens
 * new threads. A thread ends when its last session closes.
 */
export function threadedSessions(entry: ThreadEntry = defaultThreadEntry()): SessionFactory {
  const shared = new Map<string, SessionThread>();
  return {
    async create(model, options) {
      let thread = options.thread ? shared.get(options.thread) : undefined;
      if (!thread?.open) {
        thread = new SessionThread(entry, options.thread ?? options.logId);
        if (options.thread) shared.set(options.thread, thread);
      }
      return thread.create(model, options);
    },
  };
}

/** How a session thread is started: the compiled file, or the TypeScript source compiled on load (tests). */
export interface ThreadEntry {
  file: string;
  /** A module to require first (the TypeScript register under jest). */
  preload?: string;
}

export function defaultThreadEntry(): ThreadEntry {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `session-thread${ext}`);
  return ext === '.ts' ? { file, preload: path.join(__dirname, '..', 'camera', 'dev-ts-register.cjs') } : { file };
}

/** Input buffers kept per input name: the classifier sends all of a frame's calls at once (a call per two faces; 6 on the speed test's frame). */
const SPARE_BUFFERS = 8;

interface Pending {
  session: ThreadSession;
  resolve(out: Record<string, FloatTensor>): void;
  reject(err: Error): void;
}

/** One worker thread and the sessions it hosts. */
class SessionThread {
  private readonly worker: Worker;
  /** Runs sent and not answered, by run id (unique on this thread). */
  private readonly pending = new Map<number, Pending>();
  private readonly sessions = new Map<number, ThreadSession>();
  private readonly creating = new Map<number, { resolve(m: { inputs: TensorMeta[]; outputs: TensorMeta[] }): void; reject(err: Error): void }>();
  private readonly closings = new Map<number, () => void>();
  private nextRun = 1;
  private nextSession = 1;
  private dead: Error | null = null;
  private ended = false;

  constructor(entry: ThreadEntry, private readonly name: string) {
    // The thread's JavaScript holds one run's outputs at a time: a small heap keeps its memory small (the
    // tensors themselves live outside it, in onnxruntime and in moved buffers).
    const resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };
    this.worker = entry.preload
      ? new Worker(`require(${JSON.stringify(entry.preload)}); require(${JSON.stringify(entry.file)});`, { eval: true, resourceLimits })
      : new Worker(entry.file, { resourceLimits });
    this.worker.on('message', (m: FromSessionThread) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(`inference thread ${name} failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      this.fail(`inference thread ${name} exited (code ${code})`);
      for (const done of this.closings.values()) done();
    });
  }

  /** Whether the thread can take another session (not dead, not ended by its last session's close). */
  get open(): boolean {
    return !this.dead && !this.ended;
  }

  async create(model: Uint8Array, options: SessionOptions): Promise<InferenceSession> {
    const id = this.nextSession++;
    const session = new ThreadSession(this, id, options.logId);
    this.sessions.set(id, session);
    try {
      const meta = await new Promise<{ inputs: TensorMeta[]; outputs: TensorMeta[] }>((resolve, reject) => {
        if (this.dead) return reject(this.dead);
        this.creating.set(id, { resolve, reject });
        this.post({ op: 'create', session: id, model, options });
      });
      session.inputs = meta.inputs;
      session.outputs = meta.outputs;
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  run(session: ThreadSession, feeds: Record<string, MovedFeed>): Promise<Record<string, FloatTensor>> {
    if (this.dead) return Promise.reject(this.deadFor(session));
    const id = this.nextRun++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { session, resolve, reject });
      this.post({ op: 'run', session: session.id, id, feeds }, Object.values(feeds).map((f) => f.buffer));
    });
  }

  /** Releases one session; the last one's close ends the thread. */
  async close(session: ThreadSession): Promise<void> {
    if (!this.dead) {
      const released = new Promise<void>((r) => this.closings.set(session.id, r));
      this.post({ op: 'close', session: session.id });
      // The thread answers `closed` once the session is released; a hung one is not waited for long.
      await Promise.race([released, new Promise((r) => setTimeout(r, 2000).unref())]);
      this.closings.delete(session.id);
    }
    this.sessions.delete(session.id);
    if (this.sessions.size === 0) {
      this.ended = true;
      await this.worker.terminate();
    }
  }

  private post(m: ToSessionThread, transfer: ArrayBuffer[] = []): void {
    try {
      this.worker.postMessage(m, transfer);
    } catch (err) {
      this.fail(`inference thread ${this.name}: ${(err as Error).message}`);
    }
  }

  private onMessage(m: FromSessionThread): void {
    if (m.op === 'created') {
      this.creating.get(m.session)?.resolve(m);
      this.creating.delete(m.session);
    } else if (m.op === 'result') {
      const p = this.take(m.id);
      p?.session.keepBuffers(m.returned);
      p?.resolve(m.outputs);
    } else if (m.op === 'failed') {
      const err = new Error(m.message);
      if (m.id === null) {
        this.creating.get(m.session)?.reject(err);
        this.creating.delete(m.session);
      } else this.take(m.id)?.reject(err);
    } else {
      this.closings.get(m.session)?.();
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** The thread is gone: every waiting and later call of each of its sessions fails with the reason. */
  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = new Error(reason);
    for (const c of this.creating.values()) c.reject(this.dead);
    this.creating.clear();
    for (const p of this.pending.values()) p.reject(this.deadFor(p.session));
    this.pending.clear();
  }

  /** The reason the thread is gone, naming `session` where the thread is named otherwise (a shared one). */
  private deadFor(session: ThreadSession): Error {
    return session.name === this.name ? this.dead! : new Error(`${this.dead!.message} (session ${session.name})`);
  }
}

/** A session on a SessionThread. */
class ThreadSession implements InferenceSession {
  inputs: TensorMeta[] = [];
  outputs: TensorMeta[] = [];
  private closing: Promise<void> | null = null;
  /**
   * Spare input buffers per input name, grown as needed: each travels to the thread with a run and back
   * with its result. A run sent while others are away takes a new one; at most SPARE_BUFFERS are kept.
   */
  private readonly buffers = new Map<string, ArrayBuffer[]>();

  constructor(
    private readonly thread: SessionThread,
    readonly id: number,
    readonly name: string,
  ) {}

  /**
   * Sent at once, not after the run before it is answered: the thread queues its messages and runs them in
   * order, so it starts the next run as soon as one ends instead of idling while the answer travels to the
   * main thread and the next run travels back (the face network's thread waited so on every frame).
   */
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    if (this.closing) return Promise.reject(new Error(`inference session ${this.name} is closed`));
    // Moved, not cloned: a structured-clone copy of each frame's tensor left garbage in the thread's heap
    // faster than it was collected (peak RSS +100 MB on the bench). Callers keep their own buffers.
    const wire: Record<string, MovedFeed> = {};
    for (const [name, t] of Object.entries(feeds)) {
      let buffer = this.buffers.get(name)?.pop();
      if (!buffer || buffer.byteLength < t.data.byteLength) buffer = new ArrayBuffer(t.data.byteLength);
      new Float32Array(buffer, 0, t.data.length).set(t.data);
      wire[name] = { buffer, length: t.data.length, dims: t.dims };
    }
    return this.thread.run(this, wire);
  }

  /** The input buffers a run brought back, kept for later runs. */
  keepBuffers(returned: Record<string, ArrayBuffer>): void {
    for (const [name, b] of Object.entries(returned)) {
      const spare = this.buffers.get(name) ?? [];
      if (spare.length < SPARE_BUFFERS) spare.push(b);
      this.buffers.set(name, spare);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.thread.close(this);
    return this.closing;
  }
}
