/**
 * The camera child process: runs one GStreamer pipeline and streams its frames to the gate process on
 * fd 4 (see gst-wire.ts). One process per connection attempt, so everything GStreamer allocates is freed
 * when it exits, and a driver that crashes or hangs takes only this process with it.
 */
import { Socket } from 'node:net';
import { createPipeline, GstError, type GstPipeline } from './gst-driver';
import { encodeRecord, type ChildRecord, type ParentMessage } from './gst-wire';

const FRAME_FD = 4;
/** How long a live pipeline gets to pass EOS through (lets nvarguscamerasrc close its Argus session). */
const EOS_GRACE_MS = 500;

const out = new Socket({ fd: FRAME_FD, readable: false, writable: true });
let pipe: GstPipeline | null = null;
let stopping = false;
let live = true;

function send(record: ChildRecord, payload?: Buffer): boolean {
  return out.write(encodeRecord(record, payload));
}

function requestStop(): void {
  if (stopping) return;
  stopping = true;
  const p = pipe;
  if (!p) return finish(0);
  if (live) {
    p.sendEos();
    setTimeout(() => p.stop(), EOS_GRACE_MS).unref();
  } else {
    // A replay may be waiting for the parent to read; nothing more is needed from it.
    p.stop();
    finish(0);
  }
}

let finished = false;
function finish(code: number): void {
  if (finished) return;
  finished = true;
  pipe?.stop();
  out.end(() => process.exit(code));
  // If the parent stopped reading, ending the stream never completes.
  setTimeout(() => process.exit(code), 2000).unref();
}

async function run(msg: Extract<ParentMessage, { kind: 'open' }>): Promise<void> {
  const { plan, loop } = msg;
  live = plan.live;
  try {
    pipe = createPipeline(plan.description);
    for (const p of plan.secretProperties) pipe.setProperty(p.element, p.name, p.value);
  } catch (e) {
    send({ kind: 'error', message: (e as Error).message, element: null, debug: null });
    return finish(1);
  }
  pipe.onMessage((m) => {
    if (m.type === 'warning' && m.message) send({ kind: 'warning', message: m.message });
  });
  pipe.play();
  send({ kind: 'started' });

  let index = 0;
  let loops = 0;
  // Live: the newest frame waits here while the parent is still reading the previous one.
  let latest: Buffer | null = null;
  out.on('drain', () => {
    if (latest) {
      const b = latest;
      latest = null;
      out.write(b);
    }
  });

  for (;;) {
    let sample;
    try {
      sample = await pipe.pull();
    } catch (e) {
      const g = e instanceof GstError ? e : new GstError(String(e));
      if (!stopping) send({ kind: 'error', message: g.message, element: g.element, debug: g.debug });
      return finish(1);
    }
    if (!sample) {
      if (!stopping && loop && pipe.rewind()) {
        loops++;
        index = 0;
        continue;
      }
      if (!stopping) send({ kind: 'eos' });
      return finish(0);
    }
    const caps = sample.caps;
    const rec = encodeRecord(
      { kind: 'frame', index: index++, loop: loops, width: caps?.width ?? 0, height: caps?.height ?? 0, framerate: caps?.framerate ?? null, at: Date.now() },
      sample.data,
    );
    if (live) {
      // Never queue: replace the waiting frame with the newer one.
      if (out.writableNeedDrain) latest = rec;
      else out.write(rec);
    } else if (!out.write(rec)) {
      // Replay: wait for the parent, so the appsink fills and GStreamer stops reading the file.
      await new Promise<void>((resolve) => out.once('drain', resolve));
    }
  }
}

process.on('message', (msg: ParentMessage) => {
  if (msg.kind === 'open' && !pipe) void run(msg);
  else if (msg.kind === 'stop') requestStop();
});
// The gate process died or closed the channel: never leave a camera open without a reader.
process.on('disconnect', requestStop);
out.on('error', () => finish(1));
