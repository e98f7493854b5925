/** @jest-environment ./test/env/onnx-environment.js */
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { colourModelFolder, colourSequence, tempDirs } from './helpers/colour-world';
import { rigConfig, startRig, type Rig } from './helpers/daemon-rig';

/**
 * The soak's failure, caught in seconds: the daemon must let go of every frame it has processed. (It once
 * did not: each frame stayed reachable from a Promise.race on the frame loop's long-lived stop promise,
 * 0.7 MB a frame at 640x360, found by `npm run bench`'s peak RSS.)
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tmp = tempDirs();
let rig: Rig;
afterEach(() => rig?.stop());

test('processed frames are garbage: none of the first 100 survive a GC while the daemon runs on', async () => {
  const dir = tmp();
  await colourSequence(path.join(dir, 'seq'), [['empty', 10], ['no_mask', 20]]);
  const refs: WeakRef<object>[] = [];
  rig = await startRig(rigConfig(dir, colourModelFolder(), { camera: { paced: false } }), { start: false });
  const unhook = hookFrames(rig, (f) => refs.length < 100 && refs.push(new WeakRef(f)));
  await rig.daemon.start();
  await rig.until('150 frames', () => rig.frames >= 150);
  unhook();
  // Finalizers and weak references clear over a couple of turns of the loop.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
});

/** Sees each processed frame through the daemon's per-frame hook (FrameStats.frame). */
function hookFrames(r: Rig, fn: (frame: object) => void): () => void {
  let on = true;
  const listener = r.frameListeners;
  const f = (frame: object) => on && fn(frame);
  listener.push(f);
  return () => {
    on = false;
    listener.splice(listener.indexOf(f), 1);
  };
}
