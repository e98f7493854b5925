/**
 * The worker thread that hosts inference sessions (see threaded-sessions.ts): one, or several that never run
 * at the same moment (SessionOptions.thread). onnxruntime's node binding runs a session synchronously on the
 * calling thread, so a session on the main thread stalls everything else for the whole inference; here it
 * stalls only this thread. The sessions come from the driver (ort-session.ts), which stays the one file
 * importing onnxruntime. Messages are handled in arrival order.
 */
import { parentPort } from 'node:worker_threads';
import { ortSessionFactory } from './ort-session';
import type { FloatTensor, InferenceSession } from './runtime';
import type { ToSessionThread, FromSessionThread } from './session-thread-wire';

const port = parentPort ?? notAThread();

function notAThread(): never {
  throw new Error('session-thread must run as a worker thread');
}
const sessions = new Map<number, InferenceSession>();

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
      const session = await ortSessionFactory.create(m.model, m.options);
      sessions.set(m.session, session);
      reply({ op: 'created', session: m.session, inputs: session.inputs, outputs: session.outputs });
    } catch (err) {
      reply({ op: 'failed', session: m.session, id: null, message: message(err) });
    }
  } else if (m.op === 'run') {
    try {
      const session = sessions.get(m.session);
      if (!session) throw new Error('the session is closed');
      const feeds = Object.fromEntries(Object.entries(m.feeds).map(([name, f]) => [name, { data: new Float32Array(f.buffer, 0, f.length), dims: f.dims }]));
      const outputs = await session.run(feeds);
      const returned = Object.fromEntries(Object.entries(m.feeds).map(([name, f]) => [name, f.buffer]));
      port.postMessage({ op: 'result', id: m.id, outputs, returned } satisfies FromSessionThread, [...Object.values(returned), ...transferable(outputs)]);
    } catch (err) {
      reply({ op: 'failed', session: m.session, id: m.id, message: message(err) });
    }
  } else {
    await sessions.get(m.session)?.close().catch(() => undefined);
    sessions.delete(m.session);
    reply({ op: 'closed', session: m.session });
  }
}
