import type { SessionFactory } from '../detector/runtime';
import { percentile } from '../pipeline/frame-rate';

/**
 * Per-frame stage times. Stages that run several times in a frame (the face network over tiles) add up
 * into that frame's sample; `frame()` closes the frame.
 */
export class StageTimer {
  private readonly open = new Map<string, number>();
  readonly samples = new Map<string, number[]>();

  add(stage: string, ms: number): void {
    this.open.set(stage, (this.open.get(stage) ?? 0) + ms);
  }

  /** Records the stages of the frame just processed; stages absent from it record 0 only if seen before. */
  frame(): void {
    for (const [stage, ms] of this.open) {
      const list = this.samples.get(stage) ?? [];
      list.push(ms);
      this.samples.set(stage, list);
    }
    this.open.clear();
  }

  /** A sample outside frames (decoding runs ahead of the frame loop, in libuv's pool). */
  sample(stage: string, ms: number): void {
    const list = this.samples.get(stage) ?? [];
    list.push(ms);
    this.samples.set(stage, list);
  }

  summary(): Record<string, { p50: number; p95: number; n: number }> {
    const out: Record<string, { p50: number; p95: number; n: number }> = {};
    for (const [stage, list] of this.samples) out[stage] = { p50: round2(percentile(list, 0.5)), p95: round2(percentile(list, 0.95)), n: list.length };
    return out;
  }
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * A session factory that times every run() per network, telling the face network from the classifier by
 * input name. It wraps the detector's own factory (passed to the daemon), so the detector runs unchanged and
 * onnxruntime stays imported by its driver alone.
 *
 * A run counts from its call or from the answer to the network's run before it, whichever is later: runs
 * sent while others are in flight (the next frame's face network, a frame's classifier calls sent together)
 * count the time they add, not the wait for the runs ahead (sessions answer in call order).
 */
export function timedSessions(inner: SessionFactory, timer: StageTimer, stageForInput: Record<string, string>, now: () => number = () => performance.now()): SessionFactory {
  return {
    async create(model, options) {
      const session = await inner.create(model, options);
      const stage = stageForInput[session.inputs[0]?.name ?? ''] ?? 'inference (other)';
      let lastAnswer = -Infinity;
      return {
        inputs: session.inputs,
        outputs: session.outputs,
        close: () => session.close(),
        async run(feeds) {
          const t0 = now();
          try {
            return await session.run(feeds);
          } finally {
            const t1 = now();
            timer.add(stage, t1 - Math.max(t0, lastAnswer));
            lastAnswer = t1;
          }
        },
      };
    },
  };
}

/** Times JPEG decoding (sharp) as the sequence source calls it. Returns the undo. */
export function timeDecode(timer: StageTimer): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const io = require('../image/sharp-io') as { decodeFrameRgb: (...a: unknown[]) => Promise<unknown> };
  const real = io.decodeFrameRgb;
  io.decodeFrameRgb = async (...args: unknown[]) => {
    const t0 = performance.now();
    const out = await real(...args);
    timer.sample('decode', performance.now() - t0);
    return out;
  };
  return () => {
    io.decodeFrameRgb = real;
  };
}
