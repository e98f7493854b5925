/** @jest-environment ./test/env/onnx-environment.js */
import path from 'node:path';
import type { FakeThermometer } from '../../hardware/fake/thermometer';
import { colourModelFolder, colourSequence, tempDirs } from './helpers/colour-world';
import { fakeOutputs, rigConfig, startRig, type Rig } from './helpers/daemon-rig';

/** The whole daemon with hardware that fails under it: a FAULT, and the outputs at their safe levels. */
const tmp = tempDirs();
let rig: Rig;
afterEach(() => rig?.stop());

async function world(scenes: Parameters<typeof colourSequence>[1], over: Parameters<typeof rigConfig>[2] = {}): Promise<Rig> {
  const dir = tmp();
  await colourSequence(path.join(dir, 'seq'), scenes);
  rig = await startRig(rigConfig(dir, colourModelFolder(), over));
  await rig.until('idle', () => rig.states.includes('idle'));
  return rig;
}

test('a GPIO write fails when an unmasked person arrives: hardware FAULT, every output driven safe, recovery on retry', async () => {
  const r = await world([['empty', 20], ['no_mask', 40]]);
  const outs = fakeOutputs(r);
  // The alert's first write is the red LED on.
  outs.redLed!.failNextWrite('EIO');
  await r.until('a hardware fault', () => r.faults.at(-1)?.some((f) => f.source === 'hardware') === true);
  expect(r.faults.at(-1)).toContainEqual({ source: 'hardware', reason: expect.stringMatching(/redLed.*EIO/) });
  const failedAt = outs.redLed!.history.find((h) => h.op === 'write-failed')!.t;
  for (const out of Object.values(outs)) {
    // From the failure on, each output was forced to its safe level (secure door: relay locked).
    expect(out.history.filter((h) => h.t >= failedAt && h.op === 'safe').map((h) => h.level)).toContain(out.safeLevel);
  }
  expect(outs.relay!.physicalLevel).toBe(false);
  await r.until('the hardware answers again', () => r.faults.at(-1)?.length === 0);
});

test('an I2C thermometer read fails after a masked decision: thermometer FAULT, relay locked, buzzer and green off', async () => {
  const r = await world([['empty', 20], ['mask', 40]], { hardware: { thermometer: { type: 'mlx90614', bus: 1 } } });
  (r.daemon.hardware.thermometer as FakeThermometer).injectError('io', 1000);
  await r.until('a thermometer fault', () => r.faults.at(-1)?.some((f) => f.source === 'thermometer') === true);
  expect(r.faults.at(-1)).toContainEqual({ source: 'thermometer', reason: expect.stringContaining('temperature read failed') });
  expect(r.states.at(-1)).toBe('fault');
  expect(r.levels()).toMatchObject({ relay: false, greenLed: false, buzzer: false });
  expect(r.decisions.filter((d) => d.outcome === 'cleared')).toEqual([]);
});
