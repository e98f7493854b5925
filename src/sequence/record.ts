import { rmdir } from 'node:fs/promises';
import { systemClock, type Clock } from '../../hardware/clock';
import type { Frame, FrameSource } from '../camera/frame';
import type { Logger } from '../log';
import type { Sequence } from './schema';
import { SequenceWriter } from './writer';

export interface RecordOptions {
  seconds: number;
  outDir: string;
  quality?: number;
  force?: boolean;
  tool: string;
  logger: Logger;
  clock?: Clock;
  /** Stops recording early (Ctrl-C); what was recorded is kept. */
  signal?: AbortSignal;
}

/**
 * Records a started camera into a sequence. Live sources record for `seconds` of wall time (frames the
 * encoder could not keep up with are dropped, as the camera always gives the newest); replays record
 * `seconds` of media time, every frame, as fast as they can be read.
 */
export async function recordSequence(camera: FrameSource, opts: RecordOptions): Promise<Sequence> {
  const clock = opts.clock ?? systemClock;
  const { info } = camera;
  const writer = new SequenceWriter(opts.outDir, {
    fps: info.fps,
    width: info.width,
    height: info.height,
    quality: opts.quality ?? 90,
    force: opts.force ?? false,
    source: { kind: 'recorded', uri: info.uri, tool: opts.tool, created: new Date().toISOString() },
  });
  await writer.open();
  const limitMs = opts.seconds * 1000;
  const startWall = clock.now();
  let first: number | null = null;
  let last = -1;
  // Wakes a waiting next() when the time is up, so a camera that stopped sending cannot hold us. Not
  // Promise.race with one long-lived deadline promise: every race leaves a reaction on it that keeps
  // its frame reachable until the deadline, so a recording held every frame it wrote in memory.
  let ended = false;
  let wake: ((f: null) => void) | null = null;
  const end = () => {
    ended = true;
    wake?.(null);
  };
  const timer = info.live ? clock.setTimeout(end, limitMs) : null;
  opts.signal?.addEventListener('abort', end, { once: true });
  const nextOrEnd = () =>
    new Promise<Frame | null>((resolve, reject) => {
      wake = resolve;
      camera.next().then(resolve, reject);
    }).finally(() => (wake = null));
  for (;;) {
    if (ended || opts.signal?.aborted) break;
    if (info.live && clock.now() - startWall >= limitMs) break;
    const frame = await nextOrEnd();
    if (!frame) break;
    first ??= frame.tMs;
    const t = frame.tMs - first;
    // Live too: the first frame can come late after the wall-clock start, so frame times alone keep
    // a recording under `seconds` long.
    if (t >= limitMs) break;
    if (t <= last) continue; // a clock step backwards; keep times increasing
    await writer.add(frame, t);
    last = t;
  }
  if (timer !== null) clock.clearTimeout(timer);
  opts.signal?.removeEventListener('abort', end);
  if (writer.count === 0) {
    // Leave no empty sequence directory behind (rmdir only removes it if it is still empty).
    await rmdir(opts.outDir).catch(() => undefined);
    throw new Error(`${info.uri}: no frame was recorded`);
  }
  const duration = last / 1000;
  // Live: the rate actually recorded; replays keep their own.
  const fps = info.live && writer.count > 1 && duration > 0 ? Math.round(((writer.count - 1) / duration) * 100) / 100 : camera.info.fps;
  opts.logger.info(`recorded ${writer.count} frames (${duration.toFixed(1)} s) from ${info.uri} to ${opts.outDir}`);
  return writer.finish({ fps });
}
