/** @jest-environment ./test/env/onnx-environment.js */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { memoryLogger } from '../../src/log';
import { runReplay, replayConfig, type ReplayLine } from '../../src/replay/run-replay';
import { pickDoorwayCases, type CaseKind } from '../../src/sequence/dataset-cases';
import { makeDoorwaySequence } from '../../src/sequence/doorway';
import { DEFAULT_TIMING } from '../../src/sequence/doorway-plan';
import type { Sequence } from '../../src/sequence/schema';
import { gstLaunch, requireDataset, tempDir } from '../fixtures/camera-media';

/**
 * End-to-end replays: doorway sequences built from the shared photos, encoded as MJPEG AVI and read back
 * through GStreamer (file://), through onnxruntime with the default model, the tracker, the statechart,
 * simulated hardware, SQLite and the dashboard.
 */
jest.setTimeout(180_000);

const tmp = tempDir('mask-gate-e2e-');
afterAll(() => tmp.cleanup());

interface Run {
  seq: Sequence;
  lines: ReplayLine[];
  rows: { outcome: string; reason: string | null }[];
  stats: { counts: { cleared: number; alert: number }; compliance: number | null };
}

async function replayCase(kind: CaseKind, people = 1): Promise<Run> {
  const cases = await pickDoorwayCases(requireDataset(), { [kind]: people });
  const dir = path.join(tmp.dir, kind);
  const seq = await makeDoorwaySequence(cases, dir, { ...DEFAULT_TIMING, width: 640, height: 360, tool: 'e2e test' });
  // Through GStreamer: the JPEG frames muxed (not re-encoded) into an MJPEG AVI at the sequence's rate.
  const avi = path.join(tmp.dir, `${kind}.avi`);
  await gstLaunch(`multifilesrc location=${dir}/frame-%06d.jpg index=0 caps="image/jpeg,framerate=${seq.fps}/1" ! jpegparse ! avimux ! filesink location=${avi}`);
  mkdirSync(path.join(tmp.dir, `${kind}-data`));
  const config = replayConfig(loadConfig({ env: {} }), `file://${avi}`, seq, { eventLogPath: path.join(tmp.dir, `${kind}-data`, 'events.sqlite') });
  let rows: Run['rows'] = [];
  let stats: Run['stats'] = { counts: { cleared: -1, alert: -1 }, compliance: null };
  const { lines } = await runReplay({
    config,
    log: memoryLogger(),
    services: { eventLog: true, dashboard: true },
    inspect: async (daemon) => {
      rows = daemon.eventLog!.recentEvents(50).filter((e) => e.kind === 'decision').map((e) => ({ outcome: (e as { outcome: string }).outcome, reason: e.reason ?? null }));
      const res = await fetch(`${daemon.dashboard!.url}/api/stats`);
      stats = (await res.json()) as Run['stats'];
    },
  });
  return { seq, lines, rows, stats };
}

const when = (lines: ReplayLine[], pred: (l: ReplayLine) => boolean) => lines.filter(pred).map((l) => l.t_ms);
const output = (name: string, level: 'on' | 'off') => (l: ReplayLine) => l.type === 'output' && l.name === name && l.level === level;
/** Sequence time at which the person stands still in front of the camera. */
const steady = (seq: Sequence) => seq.expectations!.outcomes[0]!.t_ms;
const appears = (seq: Sequence) => seq.expectations!.outcomes[0]!.earliest_ms;

test('masked person: green LED and a relay pulse within 500 ms of a steady face, no red; idle after leaving; one cleared row', async () => {
  const { seq, lines, rows, stats } = await replayCase('masked');
  const green = when(lines, output('greenLed', 'on')).filter((t) => t >= appears(seq));
  const relay = when(lines, output('relay', 'on')).filter((t) => t >= appears(seq));
  expect(green[0]).toBeLessThanOrEqual(steady(seq) + 500);
  expect(relay[0]).toBeLessThanOrEqual(steady(seq) + 500);
  expect(when(lines, output('relay', 'off')).some((t) => t > relay[0]!)).toBe(true); // a pulse, not a hold
  expect(when(lines, output('redLed', 'on')).filter((t) => t >= 0)).toEqual([]);
  expect(lines.filter((l) => l.type === 'state').at(-1)).toMatchObject({ state: 'idle' });
  expect(rows).toEqual([{ outcome: 'cleared', reason: null }]);
  expect(stats).toMatchObject({ counts: { cleared: 1, alert: 0 }, compliance: 1 });
});

test('unmasked person: red, buzzer and "please wear your mask", never the relay; one alert row', async () => {
  const { seq, lines, rows } = await replayCase('unmasked');
  expect(when(lines, output('redLed', 'on')).some((t) => t >= appears(seq))).toBe(true);
  expect(when(lines, output('buzzer', 'on')).some((t) => t >= appears(seq))).toBe(true);
  expect(lines.filter((l) => l.type === 'prompt').map((l) => (l as { prompt: string }).prompt)).toContain('wear_mask');
  expect(when(lines, output('relay', 'on')).filter((t) => t >= 0)).toEqual([]);
  expect(lines.filter((l) => l.type === 'state').at(-1)).toMatchObject({ state: 'idle' });
  expect(rows).toEqual([{ outcome: 'alert', reason: 'no_mask' }]);
});

test('masks below the nose: three people, none let through, and the "cover your nose" prompt plays', async () => {
  // The incorrect class is the model's weakest (see the model card): three people, not one photo's luck.
  const { lines, rows } = await replayCase('incorrect', 3);
  expect(lines.filter((l) => l.type === 'prompt').map((l) => (l as { prompt: string }).prompt)).toContain('cover_nose');
  expect(rows.some((r) => r.outcome === 'alert' && r.reason === 'incorrect')).toBe(true);
  expect(rows.filter((r) => r.outcome === 'cleared')).toEqual([]);
  expect(when(lines, output('relay', 'on')).filter((t) => t >= 0)).toEqual([]);
});

test('a masked and an unmasked person together: the gate alerts', async () => {
  const { seq, lines, rows } = await replayCase('multi');
  expect(seq.expectations!.outcomes[0]).toMatchObject({ outcome: 'alert' });
  expect(lines.some((l) => l.type === 'decision' && l.outcome === 'alert')).toBe(true);
  expect(when(lines, output('relay', 'on')).filter((t) => t >= 0)).toEqual([]);
  expect(rows.some((r) => r.outcome === 'alert')).toBe(true);
});

test('mask-gate replay SEQ --json prints the timeline with t_ms and checks the expectations (exit 0)', async () => {
  const cases = await pickDoorwayCases(requireDataset(), { masked: 1, unmasked: 1 });
  const dir = path.join(tmp.dir, 'cli-seq');
  await makeDoorwaySequence(cases, dir, { ...DEFAULT_TIMING, width: 640, height: 360, tool: 'e2e test' });
  const r = spawnSync(process.execPath, [path.join(__dirname, '../../bin/mask-gate.js'), 'replay', dir, '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const times = lines.filter((l) => l.type !== 'result').map((l) => l.t_ms as number);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(lines.filter((l) => l.type === 'decision').map((l) => [l.outcome, l.reason])).toEqual([
    ['cleared', null],
    ['alert', 'no_mask'],
  ]);
  expect(lines.some((l) => l.type === 'output' && l.name === 'relay' && l.level === 'on')).toBe(true);
  expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, failures: [] });
});
