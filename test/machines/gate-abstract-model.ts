import { createMachine } from 'xstate';

/**
 * An abstract model of the gate: one state per situation worth telling apart (flags such as "a fault is
 * pending behind maintenance" are separate states, so serialising only the state value is exact), and
 * abstract events that each stand for a short concrete scenario (see the executors in gate.paths.test.ts).
 * Only the events listed for a state are explored from it.
 */
export type AbstractEvent =
  | 'BOOT_DONE' | 'WARMUP_FAIL'
  | 'PERSON_MASKED' | 'PERSON_UNMASKED' | 'PERSON_INCORRECT' | 'NEWCOMER' | 'BLINK' | 'NO_FACE_TIMEOUT'
  // Faces that must decide nothing: far away (below decision size, unmasked), a picture on the wall (masked,
  // never moved, ignored by the tracker as stationary), a face that has not moved yet (masked), a person
  // whose votes tie mask against no_mask; and everyone already decided standing still (the tracker ignores them).
  | 'FAR_PERSON' | 'PICTURE' | 'STILL_FACE' | 'TIE' | 'STANDS_STILL'
  // Beside someone already cleared: an unmasked newcomer, and the newcomer leaving again undecided or alerted.
  | 'UNMASKED_NEWCOMER' | 'NEWCOMER_GONE'
  // After an alert: the alerted person reads `mask` for K frames (a flicker, or a mask really put on but not
  // held long enough yet), holds a mask for gate.clearAfterAlert (maskFrames, minMs), or, reading `mask`,
  // steps out of the zone or back below decision size (leaving, in view for less than personGoneMs).
  | 'MASK_HELD' | 'ALERTED_STEPS_OUT' | 'ALERTED_STEPS_BACK'
  // A masked companion joins the alerted person at the door, and the alerted person walks off and is gone: the
  // alert applied to the companion too, who is cleared only under gate.clearAfterAlert (MASK_HELD from there).
  | 'ALERTED_LEAVES_GROUP'
  // Someone stays undecided: for gate.undecidedPromptMs (asked to look at the camera), then on until
  // gate.undecidedStaffMs (staff notified); or the undecided person steps back below decision size, still in view.
  | 'UNDECIDED_WAIT' | 'STAFF_WAIT' | 'UNDECIDED_STEPS_BACK'
  | 'TEMP_OK' | 'TEMP_FEVER' | 'TEMP_FAIL'
  | 'RELAY_TIMEOUT' | 'PASSAGE' | 'ESCALATE_TIMEOUT'
  | 'STAFF_BUTTON' | 'OPEN_ONCE' | 'FIRE_ON' | 'FIRE_OFF' | 'MAINT_ON' | 'MAINT_OFF'
  | 'CAMERA_FAULT' | 'CAMERA_CLEARED' | 'FAULT_RETRY';

export interface Variant {
  name: string;
  thermometer: boolean;
  relayMode: 'pulse' | 'hold';
  failMode: 'secure' | 'open';
}

type Table = Record<string, Partial<Record<AbstractEvent, string>>>;

export function abstractTable(v: Variant): Table {
  const masked = v.thermometer ? 'screening' : 'cleared_open';
  const t: Table = {
    booting: { BOOT_DONE: 'idle', WARMUP_FAIL: 'fault_warmup', FIRE_ON: 'emergency_boot', MAINT_ON: 'maintenance_boot', CAMERA_FAULT: 'fault_camera_boot', STAFF_BUTTON: 'booting', PASSAGE: 'booting' },
    fault_warmup: { FAULT_RETRY: 'booting', CAMERA_CLEARED: 'fault_warmup' },
    fault_camera_boot: { CAMERA_CLEARED: 'booting', FAULT_RETRY: 'fault_camera_boot' },
    emergency_boot: { FIRE_OFF: 'booting', STAFF_BUTTON: 'emergency_boot' },
    maintenance_boot: { MAINT_OFF: 'booting' },
    idle: {
      PERSON_MASKED: masked, PERSON_UNMASKED: 'alert_active', PERSON_INCORRECT: 'alert_active', NEWCOMER: 'evaluating',
      FAR_PERSON: 'idle', PICTURE: 'idle', STILL_FACE: 'evaluating', TIE: 'evaluating',
      NO_FACE_TIMEOUT: 'idle', PASSAGE: 'idle', TEMP_OK: 'idle', FIRE_OFF: 'idle', MAINT_OFF: 'idle', CAMERA_CLEARED: 'idle',
      STAFF_BUTTON: 'override', OPEN_ONCE: 'override', FIRE_ON: 'emergency', MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    evaluating: {
      PERSON_MASKED: masked, PERSON_UNMASKED: 'alert_active', PERSON_INCORRECT: 'alert_active', NEWCOMER: 'evaluating',
      FAR_PERSON: 'evaluating', PICTURE: 'evaluating', STILL_FACE: 'evaluating', TIE: 'evaluating',
      UNDECIDED_WAIT: 'evaluating_prompted', UNDECIDED_STEPS_BACK: 'evaluating',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    // Undecided for undecidedPromptMs, asked to look at the camera; then for undecidedStaffMs, staff notified.
    // Locked throughout; a decision works as from evaluating, and nobody left undecided starts the wait again.
    evaluating_prompted: {
      PERSON_MASKED: masked, PERSON_UNMASKED: 'alert_active', PERSON_INCORRECT: 'alert_active', NEWCOMER: 'evaluating_prompted',
      FAR_PERSON: 'evaluating_prompted', PICTURE: 'evaluating_prompted', STILL_FACE: 'evaluating_prompted',
      STAFF_WAIT: 'evaluating_staff', UNDECIDED_STEPS_BACK: 'evaluating',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    evaluating_staff: {
      PERSON_MASKED: masked, PERSON_UNMASKED: 'alert_active', PERSON_INCORRECT: 'alert_active', NEWCOMER: 'evaluating_staff',
      STAFF_WAIT: 'evaluating_staff', UNDECIDED_STEPS_BACK: 'evaluating',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    cleared_open: {
      FAR_PERSON: 'cleared_open', PICTURE: 'cleared_open', STANDS_STILL: 'cleared_open',
      RELAY_TIMEOUT: 'cleared_closed', PASSAGE: 'cleared_closed', PERSON_MASKED: 'cleared_open', PERSON_UNMASKED: 'alert_active',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    cleared_closed: {
      FAR_PERSON: 'cleared_closed', PICTURE: 'cleared_closed', STILL_FACE: 'evaluating_cleared', STANDS_STILL: 'cleared_closed',
      NEWCOMER: 'evaluating_cleared', UNMASKED_NEWCOMER: 'alert_cleared', PERSON_UNMASKED: 'alert_active', PERSON_MASKED: 'cleared_closed', PASSAGE: 'cleared_closed',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', CAMERA_FAULT: 'fault_camera',
    },
    alert_active: {
      FAR_PERSON: 'alert_active', PICTURE: 'alert_active', STILL_FACE: 'alert_active', STANDS_STILL: 'alert_active',
      PERSON_MASKED: 'alert_active', MASK_HELD: masked, ALERTED_STEPS_OUT: 'alert_active', ALERTED_STEPS_BACK: 'alert_active',
      ALERTED_LEAVES_GROUP: 'alert_group', ESCALATE_TIMEOUT: 'alert_escalated', PERSON_INCORRECT: 'alert_active', PERSON_UNMASKED: 'alert_active',
      BLINK: 'alert_active', PASSAGE: 'alert_active', NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency',
      MAINT_ON: 'maintenance', CAMERA_FAULT: 'fault_camera',
    },
    // The alerted person has gone; the masked companion who was at the door with them stays, held to gate.clearAfterAlert.
    alert_group: {
      MASK_HELD: masked, PERSON_UNMASKED: 'alert_active', NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency',
    },
    // A newcomer beside someone already cleared: it opens again only for the newcomer.
    evaluating_cleared: {
      NEWCOMER_GONE: 'cleared_closed', PERSON_MASKED: masked, PERSON_UNMASKED: 'alert_active', NO_FACE_TIMEOUT: 'idle',
      STAFF_BUTTON: 'override', FIRE_ON: 'emergency', CAMERA_FAULT: 'fault_camera',
    },
    alert_cleared: {
      NEWCOMER_GONE: 'cleared_closed', PERSON_MASKED: 'alert_cleared', MASK_HELD: masked, ALERTED_STEPS_OUT: 'alert_cleared', ALERTED_STEPS_BACK: 'alert_cleared',
      NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency',
    },
    alert_escalated: {
      STANDS_STILL: 'alert_escalated', ALERTED_STEPS_OUT: 'alert_escalated',
      PERSON_MASKED: 'alert_escalated', MASK_HELD: masked, PERSON_UNMASKED: 'alert_escalated', NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', CAMERA_FAULT: 'fault_camera',
    },
    override: { RELAY_TIMEOUT: 'idle', PASSAGE: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', CAMERA_FAULT: 'fault_camera' },
    fault_camera: {
      CAMERA_CLEARED: 'idle', FAULT_RETRY: 'fault_camera', PERSON_MASKED: 'fault_camera', STAFF_BUTTON: 'override_fault', OPEN_ONCE: 'override_fault',
      FIRE_ON: 'emergency_fault', MAINT_ON: 'maintenance_fault',
    },
    override_fault: { RELAY_TIMEOUT: 'fault_camera', PASSAGE: 'fault_camera' },
    emergency: { FIRE_OFF: 'idle', MAINT_ON: 'emergency_maint', CAMERA_FAULT: 'emergency_fault', STAFF_BUTTON: 'emergency', PERSON_UNMASKED: 'emergency' },
    emergency_maint: { FIRE_OFF: 'maintenance', MAINT_OFF: 'emergency' },
    emergency_fault: { FIRE_OFF: 'fault_camera', CAMERA_CLEARED: 'emergency' },
    maintenance: { MAINT_OFF: 'idle', CAMERA_FAULT: 'maintenance_fault', STAFF_BUTTON: 'maintenance', PERSON_UNMASKED: 'maintenance', FIRE_ON: 'emergency_maint' },
    maintenance_fault: { MAINT_OFF: 'fault_camera', CAMERA_CLEARED: 'maintenance' },
  };
  if (v.thermometer) {
    Object.assign(t, {
      screening: {
        TEMP_OK: 'cleared_open', TEMP_FEVER: 'alert_active_fever', TEMP_FAIL: 'fault_thermometer', PERSON_UNMASKED: 'alert_active',
        NO_FACE_TIMEOUT: 'idle', STAFF_BUTTON: 'override', FIRE_ON: 'emergency', CAMERA_FAULT: 'fault_camera',
      },
      alert_active_fever: { PERSON_MASKED: 'alert_active_fever', PERSON_UNMASKED: 'alert_active_fever', ESCALATE_TIMEOUT: 'alert_escalated_fever', NO_FACE_TIMEOUT: 'idle' },
      alert_escalated_fever: { PERSON_MASKED: 'alert_escalated_fever', NO_FACE_TIMEOUT: 'idle' },
      fault_thermometer: { FAULT_RETRY: 'idle', CAMERA_CLEARED: 'fault_thermometer' },
    });
  }
  return t;
}

export function abstractModel(v: Variant) {
  const table = abstractTable(v);
  const states = Object.fromEntries(Object.entries(table).map(([name, on]) => [name, { on }]));
  return createMachine({ id: `abstract-${v.name}`, initial: 'booting', states } as never);
}

/** The real machine's state names (gateStateName) each abstract state stands for. */
export function realStateOf(abstract: string): string {
  const m: Record<string, string> = {
    fault_warmup: 'fault', fault_camera_boot: 'fault', fault_camera: 'fault', fault_thermometer: 'fault',
    emergency_boot: 'emergency', emergency_maint: 'emergency', emergency_fault: 'emergency',
    maintenance_boot: 'maintenance', maintenance_fault: 'maintenance',
    override_fault: 'override',
    cleared_open: 'cleared.open', cleared_closed: 'cleared.closed', evaluating_cleared: 'evaluating',
    evaluating_prompted: 'evaluating.prompted', evaluating_staff: 'evaluating.staffCalled', alert_cleared: 'alert.active', alert_group: 'alert.active',
    alert_active: 'alert.active', alert_escalated: 'alert.escalated', alert_active_fever: 'alert.active', alert_escalated_fever: 'alert.escalated',
  };
  return m[abstract] ?? abstract;
}

/** Safety invariant: where the relay may be released. */
export function relayReleasedIn(abstract: string, v: Variant): boolean {
  if (abstract === 'cleared_open' || abstract.startsWith('override') || abstract.startsWith('emergency')) return true;
  if (abstract.startsWith('fault')) return v.failMode === 'open';
  return false;
}
