import { bindGateEvents, toFaultEvent } from '../../hardware/input-events';
import { ThermometerPecError } from '../../hardware/errors';
import { createHardware } from '../../hardware/create-hardware';
import { FakeDigitalInput } from '../../hardware/fake/digital-input';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { HardwareSection } from '../../src/config/sections/hardware';
import { memoryLogger } from '../../src/log';
import type { GateEvent } from '../../machines/gate-events';

function simulated(fireInitial = false) {
  const hw = createHardware(HardwareSection.parse({ inputs: { passageSensor: { pin: 33, debounceMs: 0 }, staffButton: { pin: 29, debounceMs: 0 }, fireAlarm: { pin: 31, debounceMs: 0 } } }), {
    logger: memoryLogger(),
    readFile: () => null,
  });
  if (fireInitial) (hw.inputs.fireAlarm as FakeDigitalInput).setLevel(true);
  return hw;
}

describe('bindGateEvents', () => {
  it('turns activations into gate events, and the fire alarm both ways', async () => {
    const hw = simulated();
    await hw.open();
    const events: GateEvent[] = [];
    bindGateEvents(hw, (e) => events.push(e));
    const button = hw.inputs.staffButton as FakeDigitalInput;
    const passage = hw.inputs.passageSensor as FakeDigitalInput;
    const fire = hw.inputs.fireAlarm as FakeDigitalInput;
    button.press();
    button.release();
    passage.press();
    passage.release();
    fire.press();
    fire.release();
    await Promise.resolve();
    expect(events).toEqual([{ type: 'STAFF_BUTTON' }, { type: 'PASSAGE' }, { type: 'FIRE_ALARM_ON' }, { type: 'FIRE_ALARM_OFF' }]);
  });

  it('announces a fire alarm already active at bind time once', async () => {
    const hw = simulated(true);
    await hw.open();
    const events: GateEvent[] = [];
    bindGateEvents(hw, (e) => events.push(e));
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([{ type: 'FIRE_ALARM_ON' }]);
  });

  it('turns device errors into FAULT with their source, and unsubscribes', async () => {
    const hw = simulated();
    await hw.open();
    const events: GateEvent[] = [];
    const off = bindGateEvents(hw, (e) => events.push(e));
    (hw.outputs.relay as FakeDigitalOutput).injectError('holder died');
    off();
    (hw.inputs.staffButton as FakeDigitalInput).press();
    (hw.outputs.relay as FakeDigitalOutput).injectError('again');
    expect(events).toEqual([{ type: 'FAULT', source: 'hardware', reason: 'relay: holder died' }]);
  });

  it('toFaultEvent keeps the thermometer source', () => {
    expect(toFaultEvent(new ThermometerPecError('thermometer', 'bad'))).toEqual({ type: 'FAULT', source: 'thermometer', reason: 'thermometer: bad' });
    expect(toFaultEvent(new Error('x'))).toEqual({ type: 'FAULT', source: 'hardware', reason: 'x' });
  });
});
