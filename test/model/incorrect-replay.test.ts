/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultDecideMinFacePx } from '../../src/config/sections/gate';
import { loadConfig } from '../../src/config/load';
import { parseVoc } from '../../src/eval/voc-read';
import { memoryLogger } from '../../src/log';
import { replayConfig, runReplay } from '../../src/replay/run-replay';
import { doorPlacement } from '../../src/sequence/door-place';
import { makeDoorwaySequence } from '../../src/sequence/doorway';
import { DEFAULT_TIMING } from '../../src/sequence/doorway-plan';
import { checkExpectations } from '../../src/sequence/expectations';
import { requireDataset, tempDir } from '../fixtures/camera-media';

/*
 * maksssksksss24 (a training photo): one person reading, head bowed under a cap, mask below the nose. The
 * issue "Mask model 2.0" asks that a doorway sequence made from it (as `mask-gate sequence make` makes it,
 * faces brought to decision size) meets its expectation: an alert for `incorrect`.
 *
 * Known gap, pinned here: with model 2.0.0 the face stage finds no face at the door (the eyes are under
 * the cap's peak; on the photo itself the best box scores 0.28 and misses the labelled face), so the
 * gate decides nothing. What must hold meanwhile is the fail-safe part: it never clears. When a model
 * finds this face, the pinned failure below changes and this test must be turned into the full
 * expectation.
 */
jest.setTimeout(120_000);
const tmp = tempDir('incorrect-replay');
afterAll(() => tmp.cleanup());

it('maksssksksss24 at the door: never cleared; the incorrect-mask alert is the known gap (no face found)', async () => {
  const data = requireDataset();
  const key = 'maksssksksss24';
  const ann = parseVoc(readFileSync(path.join(data, 'annotations', `${key}.xml`), 'utf8'), `${key}.xml`);
  const faces = ann.objects.map((o) => ({ label: o.label, box: o.box }));
  expect(faces.map((f) => f.label)).toEqual(['incorrect']);
  const frame = { width: 640, height: 360 };
  const decide = defaultDecideMinFacePx(frame.width);
  const door = doorPlacement(faces.map((f) => f.box), ann, frame, decide, Math.round(1.5 * decide));
  expect(door.facePx).toBeGreaterThanOrEqual(decide);
  const dir = path.join(tmp.dir, 'seq');
  const seq = await makeDoorwaySequence([{ image: path.join(data, 'images', `${key}.jpg`), faces, ...(door.place ? { place: door.place } : {}) }], dir, { ...DEFAULT_TIMING, ...frame, tool: 'test' });
  const { decisions } = await runReplay({ config: replayConfig(loadConfig({ env: {} }), `frames://${dir}`, seq), log: memoryLogger() });
  expect(decisions.filter((d) => d.outcome === 'cleared')).toEqual([]);
  expect(checkExpectations(seq.expectations!, decisions).failures).toEqual([`expected alert (incorrect) between 2533 and 6067 ms for ${key}.jpg, got none`]);
});
