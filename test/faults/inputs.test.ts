/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { constantModel } from '../detector/helpers/onnx-builder';
import { writeModelFolder } from '../detector/helpers/model-folder';
import { colourModelFolder, colourModelParts, colourSequence, tempDirs } from './helpers/colour-world';
import { rigConfig, startRig, type Rig } from './helpers/daemon-rig';

/** Bad input files seen by the whole daemon: a corrupt frame in a replay, and broken model folders. */
const tmp = tempDirs();
let rig: Rig;
afterEach(() => rig?.stop());

test('a corrupt JPEG in a sequence is skipped and counted; the replay goes on to its decisions', async () => {
  const dir = tmp();
  const seq = await colourSequence(path.join(dir, 'seq'), [['empty', 10], ['no_mask', 30], ['empty', 10]]);
  const files = JSON.parse(readFileSync(path.join(seq, 'sequence.json'), 'utf8')).frames.map((f: { file: string }) => f.file);
  // Frame 5: a JPEG header and then nothing; frame 12 (the person in view): random bytes.
  writeFileSync(path.join(seq, files[5]), readFileSync(path.join(seq, files[5])).subarray(0, 200));
  writeFileSync(path.join(seq, files[12]), Buffer.from('definitely not a jpeg'));
  rig = await startRig(rigConfig(dir, colourModelFolder(), { camera: { loop: false, paced: false } }));
  await rig.until('the replay ended', () => rig.ended);
  const skipped = rig.lines.filter((l) => / warn .*frame \d+ skipped/.test(l));
  expect(skipped).toHaveLength(2);
  expect(skipped[0]).toContain(`${files[5]}: frame 5 skipped`);
  expect(skipped[1]).toContain(`${files[12]}: frame 12 skipped`);
  expect(rig.frames).toBe(files.length - 2);
  expect(rig.decisions.map((d) => d.outcome)).toEqual(['alert']);
  expect(rig.states).not.toContain('fault');
});

describe('a wrong, truncated or mismatched model file: a clear error at start, naming the model and the problem', () => {
  async function bootWith(model: string): Promise<{ reason: string; lines: string[] }> {
    const dir = tmp();
    await colourSequence(path.join(dir, 'seq'), [['empty', 5]]);
    rig = await startRig(rigConfig(dir, model));
    await rig.until('a boot fault', () => rig.faults.at(-1)?.some((f) => f.source === 'boot') === true);
    expect(rig.states.at(-1)).toBe('fault');
    expect(rig.levels()).toMatchObject({ relay: false, greenLed: false });
    // A clear error is a sentence, not a crash trace.
    expect(rig.lines.filter((l) => /^\s+at /m.test(l))).toEqual([]);
    return { reason: rig.faults.at(-1)!.find((f) => f.source === 'boot')!.reason, lines: rig.lines };
  }

  test('truncated (a copy cut short): the file and its checksum are named', async () => {
    const model = colourModelFolder();
    truncateSync(path.join(model, 'classifier.onnx'), 100);
    const { reason } = await bootWith(model);
    expect(reason).toMatch(/colour-world/);
    expect(reason).toMatch(/classifier\.onnx/);
    expect(reason).toMatch(/bytes|sha256|size/i);
  });

  test('wrong (not an ONNX file, checksum matching): the file is named', async () => {
    const { manifest, files } = colourModelParts();
    const model = writeModelFolder('colour-world', manifest, { ...files, 'face.onnx': Buffer.from('<html>404 Not Found</html>') });
    const { reason } = await bootWith(model);
    expect(reason).toMatch(/colour-world/);
    expect(reason).toMatch(/could load the face network .*protobuf parsing failed/);
  });

  test('mismatched (the network wants another input than model.json says): the input is named', async () => {
    const { manifest, files } = colourModelParts();
    const face = constantModel({ name: 'pixels', dims: [1, 32, 32, 3] }, { boxes: { dims: [1, 1, 4], data: [0, 0, 1, 1] }, scores: { dims: [1, 1], data: [0.9] } });
    const model = writeModelFolder('colour-world', manifest, { ...files, 'face.onnx': face });
    const { reason } = await bootWith(model);
    expect(reason).toMatch(/colour-world/);
    expect(reason).toMatch(/image/);
    expect(reason).toMatch(/pixels/);
  });
});
