import type { SnapshotFrom } from 'xstate';
import type { gateMachine } from './gate.machine';

export type LedMode = 'off' | 'on' | 'blink';

/** Messages for the text display and the kiosk page; the UI layer maps them to words per language. */
export type DisplayMessage =
  | 'starting'
  | 'ready'
  | 'step_closer'
  | 'please_wait'
  /** Undecided for gate.undecidedPromptMs: face the camera, mask over nose and mouth. */
  | 'look_at_camera'
  /** Undecided for gate.undecidedStaffMs: staff are on their way (not an alert: neutral, door locked). */
  | 'staff_notified'
  | 'measuring'
  | 'welcome'
  | 'wear_mask'
  | 'cover_nose'
  | 'temperature'
  | 'staff_called'
  | 'staff_override'
  | 'out_of_order'
  | 'maintenance'
  | 'emergency';

/** Everything the gate shows and drives, as a pure function of the machine's state. */
export interface Indication {
  greenLed: LedMode;
  redLed: LedMode;
  amberLed: LedMode;
  relay: 'locked' | 'released';
  buzzer: 'off' | 'alert' | 'escalated';
  display: DisplayMessage;
}

type GateSnapshot = SnapshotFrom<typeof gateMachine>;

const base: Indication = { greenLed: 'off', redLed: 'off', amberLed: 'off', relay: 'locked', buzzer: 'off', display: 'ready' };

export function indicationFor(s: GateSnapshot): Indication {
  const ctx = s.context;
  if (s.matches('booting')) {
    if (s.matches({ booting: { selfTest: 'green' } })) return { ...base, greenLed: 'on', display: 'starting' };
    if (s.matches({ booting: { selfTest: 'red' } })) return { ...base, redLed: 'on', display: 'starting' };
    if (s.matches({ booting: { selfTest: 'amber' } })) return { ...base, amberLed: 'on', display: 'starting' };
    return { ...base, display: 'starting' };
  }
  if (s.matches('emergency')) return { ...base, redLed: 'blink', amberLed: 'blink', relay: 'released', display: 'emergency' };
  if (s.matches('maintenance')) {
    return { ...base, amberLed: 'blink', relay: ctx.settings.maintenanceRelay === 'released' ? 'released' : 'locked', display: 'maintenance' };
  }
  if (s.matches('fault')) return { ...base, amberLed: 'on', relay: ctx.settings.failMode === 'open' ? 'released' : 'locked', display: 'out_of_order' };
  if (s.matches('override')) return { ...base, greenLed: 'blink', relay: 'released', display: 'staff_override' };
  // Faces in the zone, all below decision size: they are not at the door yet.
  const onlyFarFaces = ctx.people.length === 0 && ctx.farFaces > 0;
  if (s.matches({ operating: { door: 'evaluating' } })) {
    // Locked and quiet whatever the substate: an undecided person is told what to do, never alerted.
    const display: DisplayMessage = onlyFarFaces
      ? 'step_closer'
      : s.matches({ operating: { door: { evaluating: 'staffCalled' } } })
        ? 'staff_notified'
        : s.matches({ operating: { door: { evaluating: 'prompted' } } })
          ? 'look_at_camera'
          : 'please_wait';
    return { ...base, display };
  }
  if (s.matches({ operating: { door: 'screening' } })) return { ...base, display: 'measuring' };
  if (s.matches({ operating: { door: 'cleared' } })) {
    return { ...base, greenLed: 'on', relay: s.matches({ operating: { door: { cleared: 'open' } } }) ? 'released' : 'locked', display: 'welcome' };
  }
  if (s.matches({ operating: { door: 'alert' } })) {
    const escalated = s.matches({ operating: { door: { alert: 'escalated' } } });
    const display: DisplayMessage = escalated ? 'staff_called' : ctx.alertReason === 'incorrect' ? 'cover_nose' : ctx.alertReason === 'fever' ? 'temperature' : 'wear_mask';
    return { ...base, redLed: 'on', buzzer: escalated ? 'escalated' : 'alert', display };
  }
  if (s.matches('operating') && onlyFarFaces) return { ...base, display: 'step_closer' };
  return base;
}

/**
 * Door substates named by their parent alone: `evaluating` was one state before it had substates, and MQTT
 * subscribers, logs and the dashboard know it by that name. Its later stages are `evaluating.prompted` and
 * `evaluating.staffCalled`.
 */
const PLAIN_SUBSTATES: Record<string, readonly string[]> = { evaluating: ['checking', 'promptDue'] };

/** A compact name of the state for logs, MQTT and the dashboard: e.g. "alert.escalated". */
export function gateStateName(s: GateSnapshot): string {
  const v = s.value;
  if (typeof v === 'string') return v;
  if ('operating' in v) {
    const door = (v.operating as Record<string, unknown>).door;
    if (typeof door === 'string') return door;
    const [k, sub] = Object.entries(door as Record<string, string>)[0]!;
    return PLAIN_SUBSTATES[k]?.includes(sub) ? k : `${k}.${sub}`;
  }
  return Object.keys(v)[0]!;
}
