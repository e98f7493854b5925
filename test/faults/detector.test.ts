/** @jest-environment ./test/env/onnx-environment.js */
import path from 'node:path';
import { writeModelFolder } from '../detector/helpers/model-folder';
import { colourModelFolder, colourModelParts, colourSequence, replaceModel, tempDirs } from './helpers/colour-world';
import { rigConfig, startRig, type Rig } from './helpers/daemon-rig';

/** The whole daemon with a detector that fails mid-run: the gate faults, the outputs fail safe, and it recovers. */
const tmp = tempDirs();
let rig: Rig;
afterEach(() => rig?.stop());

async function world(): Promise<string> {
  const dir = tmp();
  // Nobody, then an unmasked person, over and over.
  await colourSequence(path.join(dir, 'seq'), [['empty', 20], ['no_mask', 30]]);
  return dir;
}

test('the detector throws mid-run: FAULT with the reason, relay at its fail level, restart with backoff, then decisions again', async () => {
  rig = await startRig(rigConfig(await world(), colourModelFolder()));
  await rig.until('a first decision', () => rig.decisions.length >= 1);
  // onnxruntime failing inside a run, as a native error surfaces; the frame loop holds this same object.
  const detector = rig.daemon.detector;
  const real = detector.detect.bind(detector);
  let failures = 2; // backoff 1 s, then 2 s
  detector.detect = (f) => (failures-- > 0 ? Promise.reject(new Error('Non-zero status code returned while running Conv node')) : real(f));
  await rig.until('a detector fault', () => rig.states.at(-1) === 'fault');
  expect(rig.faults.at(-1)).toEqual([{ source: 'detector', reason: expect.stringContaining('Non-zero status code') }]);
  expect(rig.levels()).toMatchObject({ relay: false, greenLed: false });
  const decided = rig.decisions.length;
  await rig.until('recovered and deciding again', () => rig.faults.at(-1)?.length === 0 && rig.decisions.length > decided);
  expect(rig.lines.some((l) => l.includes('detector recovered'))).toBe(true);
}, 40_000);

test('a model returning garbage shapes: a boot FAULT naming the output and shape; the fixed model is picked up on retry', async () => {
  const good = colourModelFolder();
  const { manifest, files } = colourModelParts({ garbageShapes: true });
  const model = writeModelFolder('colour-world', manifest, files);
  rig = await startRig(rigConfig(await world(), model));
  await rig.until('a detector fault at boot', () => rig.states.at(-1) === 'fault' && rig.faults.at(-1)?.some((f) => f.source === 'boot') === true);
  const reason = rig.faults.at(-1)!.find((f) => f.source === 'boot')!.reason;
  expect(reason).toBe('detector warm-up failed: model colour-world@0.0.1: decoder.face.decoder.outputs.boxes: expected output boxes shaped [1, ?, 4], got [1, 1, 3]');
  expect(rig.levels()).toMatchObject({ relay: false, greenLed: false });
  // The operator puts the right model back; the gate's boot retry loads it.
  replaceModel(model, good);
  await rig.until('booted on the good model and deciding', () => rig.decisions.length >= 1);
  expect(rig.faults.at(-1)).toEqual([]);
}, 40_000);
