/**
 * Hardware to gate events (machines/gate-events.ts): stable input changes become STAFF_BUTTON, PASSAGE,
 * FIRE_ALARM_ON/OFF; asynchronous device failures become FAULT with source `hardware` or `thermometer`.
 */
import type { GateEvent } from '../machines/gate-events';
import { HardwareError, errorText } from './errors';
import type { DigitalInput, Unsubscribe } from './types';

type InputsOf = Readonly<Record<'staffButton' | 'fireAlarm' | 'passageSensor', DigitalInput | null>>;

/** FAULT for any error a hardware call or device reported. */
export function toFaultEvent(err: unknown): Extract<GateEvent, { type: 'FAULT' }> {
  return { type: 'FAULT', source: err instanceof HardwareError ? err.source : 'hardware', reason: errorText(err) };
}

/**
 * Subscribes `send` to the inputs and to device errors. Buttons and the passage sensor fire on activation
 * only. A fire alarm already active when this is called (after open) is announced once with FIRE_ALARM_ON,
 * unless a change got there first.
 */
export function bindGateEvents(
  hw: { inputs: InputsOf; onError(listener: (err: HardwareError) => void): Unsubscribe },
  send: (event: GateEvent) => void,
): Unsubscribe {
  const offs: Unsubscribe[] = [];
  const { staffButton, fireAlarm, passageSensor } = hw.inputs;
  if (staffButton) offs.push(staffButton.onChange((active) => active && send({ type: 'STAFF_BUTTON' })));
  if (passageSensor) offs.push(passageSensor.onChange((active) => active && send({ type: 'PASSAGE' })));
  if (fireAlarm) {
    let changed = false;
    offs.push(
      fireAlarm.onChange((active) => {
        changed = true;
        send({ type: active ? 'FIRE_ALARM_ON' : 'FIRE_ALARM_OFF' });
      }),
    );
    if (fireAlarm.isOpen) {
      fireAlarm.read().then(
        (active) => {
          if (active && !changed) send({ type: 'FIRE_ALARM_ON' });
        },
        (e: unknown) => send(toFaultEvent(e)),
      );
    }
  }
  offs.push(hw.onError((err) => send(toFaultEvent(err))));
  return () => offs.forEach((off) => off());
}
