import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { FakeTextDisplay } from '../../hardware/fake/text-display';
import { FakeThermometer } from '../../hardware/fake/thermometer';
import { systemClock } from '../../hardware/clock';
import { loadConfig } from '../../src/config/load';
import { createHardware } from '../../hardware/create-hardware';
import type { Config } from '../../src/config/schema';
import { GateController } from '../../src/gate/gate-controller';
import { gateSettingsFromConfig } from '../../src/gate/settings';
import { memoryLogger } from '../../src/log';
import type { PersonObservation } from '../../machines/gate-events';

/**
 * Simulated hardware from the real factory, wired as a site would: an active-low relay board and a passage
 * sensor. The factory builds the fakes, so tests can press buttons and read levels.
 */
async function simulatedHardware(config: Config, opts: { fireActive?: boolean } = {}) {
  const hw = createHardware(config.hardware, { logger: memoryLogger() });
  if (opts.fireActive) (hw.inputs.fireAlarm as FakeDigitalInput).setLevel(true);
  await hw.open();
  const o = hw.outputs as unknown as Record<'greenLed' | 'redLed' | 'amberLed' | 'buzzer' | 'relay', FakeDigitalOutput>;
  const i = hw.inputs as unknown as Record<'staffButton' | 'fireAlarm' | 'passageSensor', FakeDigitalInput>;
  return { hw, outputs: o, inputs: i, thermometer: hw.thermometer as FakeThermometer | null, display: hw.display as FakeTextDisplay };
}

async function settle(ms = 0) {
  await jest.advanceTimersByTimeAsync(ms);
}

const WIRING = [
  'hardware:',
  '  outputs: { relay: { pin: 18, activeLow: true } }',
  '  inputs: { passageSensor: { pin: 33, debounceMs: 0 } }',
  '  display: { type: hd44780-pcf8574, bus: 1 }',
].join('\n');

async function startGate(extra = '', hwOpts: { fireActive?: boolean; thermometer?: boolean } = {}) {
  const wiring = hwOpts.thermometer ? `${WIRING}\n  thermometer: { type: mlx90614, bus: 1 }` : WIRING;
  const config = loadConfig({ text: `${wiring}\n${extra}`, env: {} });
  const sim = await simulatedHardware(config, hwOpts);
  const hw = { ...sim, outputs: sim.outputs, inputs: sim.inputs };
  const log = memoryLogger();
  const events: string[] = [];
  const gate = new GateController({
    settings: gateSettingsFromConfig(config),
    hardware: sim.hw,
    clock: systemClock,
    log,
    warmUp: async () => {},
    indication: { blinkMs: 500, buzzer: config.gate.buzzer },
    listeners: [
      {
        onPrompt: (p) => events.push(`say ${p}`),
        onDecision: (d) => events.push(`decision ${d.outcome} ${d.temperatureC ?? ''}`.trim()),
        onEscalation: (reason) => events.push(`staff ${reason}`),
      },
    ],
  });
  await gate.start();
  await settle(config.gate.selfTestBlinkMs * 3 + 10);
  const person = (label: PersonObservation['label'], n = 5) => {
    for (let i = 0; i < n; i++) gate.send({ type: 'PEOPLE', t: Date.now(), frame: i, people: [{ id: 't1', label, confidence: 0.9, inZone: true, facePx: 100, moved: true }] });
  };
  return { config, hw, gate, log, events, person };
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

test('boot blinks green, red and amber once each, in order, then the gate is idle and locked', async () => {
  const { hw, gate, config } = await startGate();
  expect(gate.state).toBe('idle');
  const ons = (['greenLed', 'redLed', 'amberLed'] as const).map((n) => hw.outputs[n].history.find((h) => h.op === 'write' && h.level === true)?.t);
  expect(ons.every((t) => typeof t === 'number')).toBe(true);
  expect(ons[1]! - ons[0]!).toBe(config.gate.selfTestBlinkMs);
  expect(ons[2]! - ons[1]!).toBe(config.gate.selfTestBlinkMs);
  for (const n of ['greenLed', 'redLed', 'amberLed'] as const) expect(hw.outputs[n].history.filter((h) => h.op === 'write' && h.level === true)).toHaveLength(1);
  expect(hw.outputs.relay.level).toBe(false);
  // Active-low relay board: locked is electrically high.
  expect(hw.outputs.relay.physicalLevel).toBe(true);
  expect(hw.display.screen.map((l) => l.trim())).toEqual(['Welcome', 'Please look here']);
  await gate.stop();
});

test('a masked person releases the relay (active low) for relayOpenMs and shows welcome', async () => {
  const { hw, gate, events, person } = await startGate('gate: { relayOpenMs: 2000 }');
  person('mask');
  await settle();
  expect(gate.state).toBe('cleared.open');
  expect(hw.outputs.relay.physicalLevel).toBe(false);
  expect(hw.outputs.greenLed.level).toBe(true);
  expect(hw.display.screen[0]!.trim()).toBe('Welcome');
  expect(events).toEqual(['say thank_you', 'decision cleared']);
  await settle(2000);
  expect(hw.outputs.relay.level).toBe(false);
  await gate.stop();
});

test('an alert plays the configured buzzer pattern', async () => {
  const { hw, gate, person } = await startGate('gate: { buzzer: { alert: [100, 300] } }');
  person('no_mask');
  await settle();
  const t0 = Date.now();
  await settle(1000);
  const buzz = hw.outputs.buzzer.history.filter((h) => h.op === 'write' && h.t >= t0).map((h) => [h.t - t0, h.level]);
  expect(buzz).toEqual([
    [0, true], [100, false], [400, true], [500, false], [800, true], [900, false],
  ]);
  expect(hw.outputs.redLed.level).toBe(true);
  expect(hw.outputs.relay.level).toBe(false);
  await gate.stop();
});

test('someone undecided is asked to look at the camera, then staff hear why; locked, dark and silent throughout', async () => {
  const { config, hw, gate, events } = await startGate();
  const t0 = Date.now();
  // A face the detector reads unsure (under the operating point) every frame, 10 frames a second.
  const frames = (ms: number) => {
    for (let i = 0; i < ms / 100; i++) {
      gate.send({ type: 'PEOPLE', t: Date.now(), frame: i, people: [{ id: 't1', label: 'incorrect', confidence: 0.7, inZone: true, facePx: 100, moved: true, unsure: true }] });
      jest.advanceTimersByTime(100);
    }
  };
  frames(config.gate.undecidedPromptMs);
  await settle();
  expect(gate.state).toBe('evaluating.prompted');
  expect(hw.display.screen.map((l) => l.trim())).toEqual(['Please look at', 'the camera']);
  frames(config.gate.undecidedStaffMs! - config.gate.undecidedPromptMs);
  await settle();
  expect(gate.state).toBe('evaluating.staffCalled');
  expect(hw.display.screen.map((l) => l.trim())).toEqual(['Staff notified', 'please wait']);
  expect(events).toEqual(['say look_at_camera', 'staff undecided']);
  for (const n of ['relay', 'redLed', 'buzzer'] as const) expect(hw.outputs[n].history.filter((h) => h.op === 'write' && h.t >= t0 && h.level === true)).toEqual([]);
  await gate.stop();
});

test('staff button and passage sensor drive an override through the debounced inputs', async () => {
  const { hw, gate } = await startGate();
  hw.inputs.staffButton.press();
  await settle(29);
  expect(gate.state).toBe('idle'); // still bouncing
  await settle(1);
  expect(gate.state).toBe('override');
  expect(hw.outputs.relay.level).toBe(true);
  hw.inputs.passageSensor.press();
  await settle();
  expect(gate.state).toBe('idle');
  expect(hw.outputs.relay.level).toBe(false);
  await gate.stop();
});

test('a fire alarm already active at start releases the relay', async () => {
  const { hw, gate } = await startGate('', { fireActive: true });
  expect(gate.state).toBe('emergency');
  expect(hw.outputs.relay.level).toBe(true);
  hw.inputs.fireAlarm.release();
  await settle(30);
  expect(gate.state).toBe('booting');
  await settle(1000);
  expect(gate.state).toBe('idle');
  await gate.stop();
});

test('a failed GPIO write is a fault: outputs safe, amber on, and recovery once the line answers', async () => {
  const { hw, gate, person } = await startGate('gate: { faultRetryMs: 3000, relayOpenMs: 10000 }');
  hw.outputs.greenLed.failNextWrite('EIO');
  person('mask');
  await settle();
  expect(gate.state).toBe('fault');
  expect(gate.snapshot?.context.faults).toEqual([{ source: 'hardware', reason: 'greenLed: write failed: EIO' }]);
  expect(hw.outputs.relay.level).toBe(false);
  expect(hw.outputs.amberLed.level).toBe(true);
  expect(hw.outputs.relay.history.some((h) => h.op === 'safe')).toBe(true);
  await settle(3000);
  expect(gate.state).toBe('idle');
  expect(hw.outputs.amberLed.level).toBe(false);
  await gate.stop();
});

test('temperature is read from the thermometer after a masked decision', async () => {
  const { hw, gate, events, person } = await startGate('', { thermometer: true });
  hw.thermometer!.setTemperature(36.4);
  person('mask');
  await settle(10);
  expect(gate.state).toBe('cleared.open');
  expect(events.find((e) => e.startsWith('decision'))).toMatch(/^decision cleared 36\.3[5-9]|^decision cleared 36\.4/);
  await gate.stop();
});

test('a thermometer error is a fault, never a pass', async () => {
  const { hw, gate, events, person } = await startGate('', { thermometer: true });
  hw.thermometer!.injectError('pec');
  person('mask');
  await settle(10);
  expect(gate.state).toBe('fault');
  expect(gate.snapshot?.context.faults[0]?.source).toBe('thermometer');
  expect(hw.outputs.relay.level).toBe(false);
  expect(events).not.toContain('say thank_you');
  await gate.stop();
});
