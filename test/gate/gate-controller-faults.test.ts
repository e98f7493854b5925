import { systemClock } from '../../hardware/clock';
import { createHardware } from '../../hardware/create-hardware';
import type { ActiveFault } from '../../machines/gate-context';
import { loadConfig } from '../../src/config/load';
import { GateController } from '../../src/gate/gate-controller';
import { gateSettingsFromConfig } from '../../src/gate/settings';
import { memoryLogger } from '../../src/log';

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

test('listeners hear onFaults with the whole active set each time it changes, and only then', async () => {
  const config = loadConfig({ text: '', env: {} });
  const hw = createHardware(config.hardware, { logger: memoryLogger() });
  await hw.open();
  const calls: ActiveFault[][] = [];
  const gate = new GateController({
    settings: gateSettingsFromConfig(config),
    hardware: hw,
    clock: systemClock,
    log: memoryLogger(),
    warmUp: async () => {},
    indication: { blinkMs: 500, buzzer: config.gate.buzzer },
    listeners: [{ onFaults: (f) => calls.push([...f]) }],
  });
  await gate.start();
  await jest.advanceTimersByTimeAsync(config.gate.selfTestBlinkMs * 3 + 10);
  expect(calls).toEqual([]);
  gate.send({ type: 'FAULT', source: 'camera', reason: 'no frames' });
  gate.send({ type: 'FAULT', source: 'detector', reason: 'slow' });
  gate.send({ type: 'PEOPLE', t: Date.now(), frame: 1, people: [] }); // no change to faults
  gate.send({ type: 'FAULT_CLEARED', source: 'thermometer' }); // not active: no change
  gate.send({ type: 'FAULT_CLEARED', source: 'camera' });
  gate.send({ type: 'FAULT_CLEARED', source: 'detector' });
  expect(calls).toEqual([
    [{ source: 'camera', reason: 'no frames' }],
    [{ source: 'camera', reason: 'no frames' }, { source: 'detector', reason: 'slow' }],
    [{ source: 'detector', reason: 'slow' }],
    [],
  ]);
  await gate.stop();
});
