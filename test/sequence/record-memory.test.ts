import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Frame, FrameSource } from '../../src/camera/frame';
import { memoryLogger } from '../../src/log';
import { recordSequence } from '../../src/sequence/record';

/**
 * A live recording must let go of each frame once it is written. (It once did not: each frame stayed
 * reachable from a Promise.race on the recording's long-lived deadline until the deadline, so a long
 * recording held every frame in memory.)
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('frames already written are garbage while a live recording goes on', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mask-gate-record-mem-'));
  try {
    const refs: WeakRef<Frame>[] = [];
    const stop = new AbortController();
    let seq = 0;
    let alive = -1;
    const camera: FrameSource = {
      info: { uri: 'test://memory', live: true, width: 32, height: 24, fps: 30 },
      start: async () => undefined,
      stop: async () => undefined,
      on: () => () => undefined,
      [Symbol.asyncIterator]: () => {
        throw new Error('not used');
      },
      async next() {
        if (seq === 40) {
          // Finalizers and weak references clear over a couple of turns of the loop.
          for (let i = 0; i < 3; i++) {
            gc();
            await new Promise((r) => setImmediate(r));
          }
          alive = refs.filter((r) => r.deref() !== undefined).length;
          stop.abort();
        }
        const frame: Frame = { data: Buffer.alloc(32 * 24 * 3, seq), width: 32, height: 24, tMs: 1000 + seq * 33, seq: seq++ };
        if (refs.length < 20) refs.push(new WeakRef(frame));
        return frame;
      },
    };
    const s = await recordSequence(camera, { seconds: 600, outDir: path.join(dir, 'rec'), tool: 'test', logger: memoryLogger(), signal: stop.signal });
    expect(s.frames.length).toBeGreaterThanOrEqual(40);
    expect(alive).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
