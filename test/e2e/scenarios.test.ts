/** @jest-environment ./test/env/onnx-environment.js */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { memoryLogger } from '../../src/log';
import { replayConfig, runReplay, type ReplayLine } from '../../src/replay/run-replay';
import { checkExpectations, type ExpectationResult, type ObservedOutcome } from '../../src/sequence/expectations';
import { SCENARIO_VERSION, scenarioSequence, type ScenarioName } from '../../src/sequence/scenarios';
import type { Sequence } from '../../src/sequence/schema';
import { defaultTemplatesDir } from '../../src/training/synth/templates';
import { requireDataset, ROOT } from '../fixtures/camera-media';

/**
 * Issue 15's doorway scenarios, made from the shared photos and mask templates (cached in
 * $TMPDIR/mask-gate-scenarios, made again when SCENARIO_VERSION changes), replayed through the whole gate
 * with the default config and model, and checked against the outcomes their sequence.json expects.
 */
jest.setTimeout(240_000);

const CACHE = path.join(tmpdir(), 'mask-gate-scenarios');

function requireTemplates(): string {
  const dir = defaultTemplatesDir(ROOT);
  if (!existsSync(path.join(dir, 'masks.cfg'))) throw new Error(`mask templates missing: expected ${dir} with masks.cfg and templates/ (../shared/datasets/mask-templates beside the project${process.env.CI ? '; CI must provide it' : ''})`);
  return dir;
}

interface Replayed {
  seq: Sequence;
  lines: ReplayLine[];
  decisions: ObservedOutcome[];
  check: ExpectationResult;
}

async function replay(name: ScenarioName): Promise<Replayed> {
  const dir = path.join(CACHE, `${name}-v${SCENARIO_VERSION}`);
  const seq = await scenarioSequence(name, { dataset: requireDataset(), templates: requireTemplates() }, dir);
  const config = replayConfig(loadConfig({ env: {} }), `frames://${dir}`, seq);
  const { lines, decisions } = await runReplay({ config, log: memoryLogger() });
  return { seq, lines, decisions, check: checkExpectations(seq.expectations!, decisions) };
}

const relayOn = (lines: ReplayLine[]) => lines.filter((l) => l.type === 'output' && l.name === 'relay' && l.level === 'on' && l.t_ms >= 0).map((l) => l.t_ms);
/** First frame in which a person's tallest labelled face is at least `px` high. */
const reaches = (seq: Sequence, px: number) => seq.frames.filter((f, i) => (f.face_px ?? 0) >= px && !((seq.frames[i - 1]?.face_px ?? 0) >= px)).map((f) => f.t_ms);

test('picture-on-wall: a framed face in the gate zone all along decides nothing; the masked person is cleared, the unmasked one alerted', async () => {
  const { seq, lines, decisions, check } = await replay('picture-on-wall');
  expect(seq.expectations!.outcomes.map((o) => o.outcome)).toEqual(['cleared', 'alert']);
  expect(check.failures).toEqual([]);
  expect(decisions.map((d) => d.outcome)).toEqual(['cleared', 'alert']);
  // The relay opens once, for the masked person, never before anyone came.
  const [masked] = seq.expectations!.outcomes;
  expect(relayOn(lines).length).toBeGreaterThan(0);
  relayOn(lines).forEach((t) => expect(t).toBeGreaterThanOrEqual(masked!.earliest_ms));
});

test('walk-up: nothing is decided while faces are under decision size (44 px at 640), then one clear and one alert', async () => {
  const { seq, decisions, check } = await replay('walk-up');
  const decide = loadConfig({ env: {} }).gate.decideMinFacePx;
  const sized = reaches(seq, decide);
  expect(sized).toHaveLength(2);
  // They walk up from far: frames of each person with small faces come before decision size.
  expect(seq.frames.filter((f) => f.face_px !== undefined && f.face_px < decide && f.t_ms < sized[0]!).length).toBeGreaterThan(10);
  expect(check.failures).toEqual([]);
  expect(decisions.map((d) => d.outcome)).toEqual(['cleared', 'alert']);
  decisions.forEach((d, i) => expect(d.t_ms).toBeGreaterThanOrEqual(sized[i]!));
});

test('stands-30s: an unmasked person standing at the gate for 30 s is alerted and never cleared; the relay never opens', async () => {
  const { seq, lines, decisions, check } = await replay('stands-30s');
  const hold = seq.source.timeline!.find((s) => s.kind === 'hold')!;
  expect(hold.to_ms - hold.from_ms).toBeGreaterThanOrEqual(30_000);
  expect(check.failures).toEqual([]);
  expect(decisions.length).toBeGreaterThan(0);
  expect(decisions.filter((d) => d.outcome !== 'alert')).toEqual([]);
  expect(relayOn(lines)).toEqual([]);
});

test('together: a masked and an unmasked person side by side are alerted, never cleared', async () => {
  const { seq, lines, decisions, check } = await replay('together');
  expect(seq.expectations!.outcomes[0]!.subject!.faces.map((f) => f.label).sort()).toEqual(['mask', 'no_mask']);
  expect(check.failures).toEqual([]);
  expect(decisions.map((d) => d.outcome)).toContain('alert');
  expect(relayOn(lines)).toEqual([]);
});

/**
 * Issue 15 expects this to hold only with the mask model 2.0. With model 1.1.0 it holds here: the face
 * stage scores this held mask (a template and a drawn hand, on the plain corridor) at 0.2 at most, under
 * the 0.7 operating point, so it is never tracked. It does not reproduce the real clip of the issue (a
 * real hand beside a real person), so passing here does not show that gap closed.
 */
test('held-mask: a mask held up in a hand at face height, no face behind it, is no person and decides nothing', async () => {
  const { seq, lines, decisions, check } = await replay('held-mask');
  expect(seq.expectations!.outcomes).toEqual([]);
  expect(check.failures).toEqual([]);
  expect(decisions).toEqual([]);
  // Not even evaluated: the gate never leaves idle once booted.
  expect(lines.filter((l) => l.type === 'state' && l.t_ms >= 0).map((l) => (l as { state: string }).state)).toEqual(['idle']);
});

test('turned: a masked face turned from the camera is never cleared; after undecidedPromptMs the gate asks them to look at the camera', async () => {
  const { seq, lines, decisions, check } = await replay('turned');
  // They stand at the gate (past undecidedPromptMs), and no outcome is expected of them: the photo's label is
  // mask, but the face is turned (with detector.maskMaxTurn null this sequence fails: cleared at 5200 ms).
  expect(seq.source.timeline!.some((s) => s.kind === 'hold')).toBe(true);
  expect(seq.expectations!.outcomes).toEqual([]);
  expect(check.failures).toEqual([]);
  expect(decisions).toEqual([]);
  expect(relayOn(lines)).toEqual([]);
  expect(lines.filter((l) => l.type === 'prompt').map((l) => (l as { prompt: string }).prompt)).toContain('look_at_camera');
});
