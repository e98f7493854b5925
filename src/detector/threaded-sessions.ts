import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FloatTensor, InferenceSession, SessionFactory, SessionOptions, TensorMeta } from './runtime';
import type { FromSessionThread, MovedFeed, ToSessionThread } from './session-thread-wire';

/**
 * A SessionFactory whose sessions each run on a worker thread of their own (session-thread.ts).
 *
 * Why: onnxruntime's node binding runs inference synchronously on the thread that calls it. On the main
 * thread a 10 ms face network blocks decoding hand-off, cropping, tracking and the statechart, and the
 * second core idles. On their own threads the face network of frame n+1 and the classifier of frame n run
 * at once while the main thread prepares the next tensors (detector.ts overlaps the stages).
 *
 * Contract, as for every InferenceSession: run() resolves with the outputs or rejects with an Error naming
 * the session; runs are answered in the order they were sent; close() is idempotent and rejects nothing
 * but runs still pending. A thread that dies (out of memory, a native crash) fails every pending and later
 * run with the reason; the detector's supervisor restarts the detector, which opens new threads.
 */
export function threadedSessions(entry: ThreadEntry = defaultThreadEntry()): SessionFactory {
  return {
    async create(model, options) {
      const thread = new SessionThread(entry, options.logId);
      try {
        await thread.open(model, options);
      } catch (err) {
        await thread.close();
        throw err;
      }
      return thread;
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

/** Input buffers kept per input name: the detector has at most two runs of a network away at once. */
const SPARE_BUFFERS = 2;

interface Pending {
  resolve(out: Record<string, FloatTensor>): void;
  reject(err: Error): void;
}

class SessionThread implements InferenceSession {
  inputs: TensorMeta[] = [];
  outputs: TensorMeta[] = [];
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;
  private opened: { resolve(): void; reject(err: Error): void } | null = null;
  private closing: Promise<void> | null = null;
  private closed: (() => void) | null = null;
  /**
   * Spare input buffers per input name, grown as needed: each travels to the thread with a run and back
   * with its result. A run sent while others are away takes a new one; at most SPARE_BUFFERS are kept.
   */
  private readonly buffers = new Map<string, ArrayBuffer[]>();

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
      this.closed?.();
    });
  }

  open(model: Uint8Array, options: SessionOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.opened = { resolve, reject };
      this.post({ op: 'create', model, options });
    });
  }

  /**
   * Sent at once, not after the run before it is answered: the thread queues its messages and runs them in
   * order, so it starts the next run as soon as one ends instead of idling while the answer travels to the
   * main thread and the next run travels back (the face network's thread waited so on every frame).
   */
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.closing) return Promise.reject(new Error(`inference session ${this.name} is closed`));
    const id = this.nextId++;
    // Moved, not cloned: a structured-clone copy of each frame's tensor left garbage in the thread's heap
    // faster than it was collected (peak RSS +100 MB on the bench). Callers keep their own buffers.
    const wire: Record<string, MovedFeed> = {};
    for (const [name, t] of Object.entries(feeds)) {
      let buffer = this.buffers.get(name)?.pop();
      if (!buffer || buffer.byteLength < t.data.byteLength) buffer = new ArrayBuffer(t.data.byteLength);
      new Float32Array(buffer, 0, t.data.length).set(t.data);
      wire[name] = { buffer, length: t.data.length, dims: t.dims };
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ op: 'run', id, feeds: wire }, Object.values(wire).map((f) => f.buffer));
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dead) {
        const exited = new Promise<void>((r) => (this.closed = r));
        this.post({ op: 'close' });
        // The thread answers `closed` once the session is released; a hung one is not waited for long.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await this.worker.terminate();
    })();
    return this.closing;
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
      this.inputs = m.inputs;
      this.outputs = m.outputs;
      this.opened?.resolve();
      this.opened = null;
    } else if (m.op === 'result') {
      for (const [name, b] of Object.entries(m.returned)) {
        const spare = this.buffers.get(name) ?? [];
        if (spare.length < SPARE_BUFFERS) spare.push(b);
        this.buffers.set(name, spare);
      }
      this.take(m.id)?.resolve(m.outputs);
    } else if (m.op === 'failed') {
      const err = new Error(m.message);
      if (m.id === null) {
        this.opened?.reject(err);
        this.opened = null;
      } else this.take(m.id)?.reject(err);
    } else {
      void this.worker.terminate();
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** The thread is gone: every waiting and later call fails with the reason. */
  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = new Error(reason);
    this.opened?.reject(this.dead);
    this.opened = null;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}
