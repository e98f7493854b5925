/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { parseVoc } from '../../src/eval/voc-read';
import { memoryLogger } from '../../src/log';
import { replayConfig, runReplay } from '../../src/replay/run-replay';
import { makeDoorwaySequence } from '../../src/sequence/doorway';
import { DEFAULT_TIMING } from '../../src/sequence/doorway-plan';
import { checkExpectations } from '../../src/sequence/expectations';
import { requireDataset, tempDir } from '../fixtures/camera-media';

/*
 * A photo whose one face wears the mask below the nose (maksssksksss24, a training photo), walked up to
 * the door as a sequence and replayed through the whole gate with the default model: the gate must
 * alert for `incorrect`, as the sequence's expectations (from the photo's label) say. Model 1.1.0 cleared
 * nobody but missed the alert ("expected alert (incorrect), got none").
 */
jest.setTimeout(120_000);
const tmp = tempDir('incorrect-replay');
afterAll(() => tmp.cleanup());

it('alerts for the mask worn below the nose in a doorway sequence made from maksssksksss24', async () => {
  const data = requireDataset();
  const key = 'maksssksksss24';
  const faces = parseVoc(readFileSync(path.join(data, 'annotations', `${key}.xml`), 'utf8'), `${key}.xml`).objects.map((o) => ({ label: o.label, box: o.box }));
  expect(faces.map((f) => f.label)).toEqual(['incorrect']);
  const dir = path.join(tmp.dir, 'seq');
  const seq = await makeDoorwaySequence([{ image: path.join(data, 'images', `${key}.jpg`), faces }], dir, { ...DEFAULT_TIMING, width: 640, height: 360, tool: 'test' });
  const config = replayConfig(loadConfig({ env: {} }), `frames://${dir}`, seq);
  const { decisions } = await runReplay({ config, log: memoryLogger() });
  const result = checkExpectations(seq.expectations!, decisions);
  expect(result.failures).toEqual([]);
  expect(decisions.map((d) => [d.outcome, d.reason])).toEqual([['alert', 'incorrect']]);
});
