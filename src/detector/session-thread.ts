/**
 * The worker thread that hosts one inference session (see threaded-sessions.ts). onnxruntime's node binding
 * runs a session synchronously on the calling thread, so a session on the main thread stalls everything
 * else for the whole inference; here it stalls only this thread. The session comes from the driver
 * (ort-session.ts), which stays the one file importing onnxruntime.
 */
import { parentPort } from 'node:worker_threads';
import { ortSessionFactory } from './ort-session';
import type { FloatTensor, InferenceSession } from './runtime';
import type { ToSessionThread, FromSessionThread } from './session-thread-wire';

const port = parentPort ?? notAThread();

function notAThread(): never {
  throw new Error('session-thread must run as a worker thread');
}
let session: InferenceSession | null = null;

const reply = (m: FromSessionThread): void => port.postMessage(m);

/** Output buffers that can be moved rather than copied (each a plain ArrayBuffer of its own). */
function transferable(outputs: Record<string, FloatTensor>): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(outputs)) {
    const b = t.data.buffer;
    if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength) seen.add(b);
  }
  return [...seen];
}
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

port.on('message', (m: ToSessionThread) => {
  void handle(m);
});

async function handle(m: ToSessionThread): Promise<void> {
  if (m.op === 'create') {
    try {
      session = await ortSessionFactory.create(m.model, m.options);
      reply({ op: 'created', inputs: session.inputs, outputs: session.outputs });
    } catch (err) {
      reply({ op: 'failed', id: null, message: message(err) });
    }
  } else if (m.op === 'run') {
    try {
      if (!session) throw new Error('the session is closed');
      const feeds = Object.fromEntries(Object.entries(m.feeds).map(([name, f]) => [name, { data: new Float32Array(f.buffer, 0, f.length), dims: f.dims }]));
      const outputs = await session.run(feeds);
      const returned = Object.fromEntries(Object.entries(m.feeds).map(([name, f]) => [name, f.buffer]));
      port.postMessage({ op: 'result', id: m.id, outputs, returned } satisfies FromSessionThread, [...Object.values(returned), ...transferable(outputs)]);
    } catch (err) {
      reply({ op: 'failed', id: m.id, message: message(err) });
    }
  } else {
    await session?.close().catch(() => undefined);
    session = null;
    reply({ op: 'closed' });
  }
}
