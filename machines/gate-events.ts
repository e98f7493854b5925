/**
 * The events the gate statechart accepts. This file is the contract between the machine and everything
 * that feeds it: the tracker (PEOPLE), hardware inputs (STAFF_BUTTON, FIRE_ALARM_*, PASSAGE), supervisors
 * of the camera, detector and drivers (FAULT / FAULT_CLEARED) and operator commands (MAINTENANCE_*,
 * OPEN_ONCE). Every payload is plain JSON so events can be logged, replayed and sent over MQTT.
 */

/** What the classifier says about one face. `unknown` is a face seen but not classifiable (blur, pose). */
export type FaceLabel = 'mask' | 'no_mask' | 'incorrect' | 'unknown';

/** One tracked person as seen in one frame, after the tracker has smoothed its class probabilities. */
export interface PersonObservation {
  /** Stable track id from the tracker. */
  id: string;
  /** The smoothed label for this frame. */
  label: FaceLabel;
  /** Smoothed probability of `label`, 0..1; for no_mask and incorrect, of being unmasked either way (their sum). */
  confidence: number;
  /** Whether the face centre is inside the configured gate zone. */
  inZone: boolean;
  /** Face box in frame pixels [x1, y1, x2, y2], for logs and the dashboard. */
  box?: [number, number, number, number];
  /** Face height in frame pixels. Below the decision size (settings.decideMinFacePx) a face never decides. */
  facePx: number;
  /**
   * False while the face has not moved since it appeared (within stationaryTolerance): it may be a
   * picture, so it cannot decide yet, but at decision size it still holds the gate (when in doubt, locked).
   */
  moved: boolean;
  /** Set by the tracker when the face must not count at all: a picture on the wall, or an ignore zone. */
  ignored?: TrackerIgnoreReason;
  /** The ignore zone's name (or its place in gate.ignoreZones, from 1), with `ignored: 'ignore_zone'`. */
  ignoreZone?: string;
  /**
   * The classifier did not read this face in this frame: its last reading was carried over (a person the
   * gate has opened for, config detector.reclassify). It is seen, but it is no new vote.
   */
  carried?: boolean;
  /**
   * The detector saw a face here but its reading is under the operating point (it does not read `mask`):
   * someone is there, undecided, and the reading is no vote.
   */
  unsure?: boolean;
}

/** Why the tracker ignores a face: it has not moved for stationaryAfterMs, or its centre is in an ignore zone. */
export type TrackerIgnoreReason = 'stationary' | 'ignore_zone';

/** Why a face in view does not count for the gate, as the dashboard lists it. */
export type IgnoreReason = TrackerIgnoreReason | 'too_small' | 'outside_zone';

/** Why something stopped working. Faults from the machine's own actors (boot, thermometer) retry by themselves. */
export type FaultSource = 'camera' | 'detector' | 'hardware' | 'thermometer' | 'boot';

export type GateEvent =
  /** One processed frame: every person the tracker currently reports, in or out of the zone. */
  | { type: 'PEOPLE'; t: number; frame: number; people: PersonObservation[] }
  /** Staff button: open the gate for one passage. */
  | { type: 'STAFF_BUTTON' }
  /** Remote "open once" (dashboard, MQTT): same as the staff button. */
  | { type: 'OPEN_ONCE'; by?: string }
  /** The passage sensor saw someone walk through. */
  | { type: 'PASSAGE' }
  | { type: 'FIRE_ALARM_ON' }
  | { type: 'FIRE_ALARM_OFF' }
  | { type: 'MAINTENANCE_ON'; by?: string }
  | { type: 'MAINTENANCE_OFF'; by?: string }
  | { type: 'FAULT'; source: FaultSource; reason: string }
  | { type: 'FAULT_CLEARED'; source: FaultSource };

/** Why the gate is alerting. Each reason has its own voice prompt. */
export type AlertReason = 'no_mask' | 'incorrect' | 'fever';

/**
 * Why staff are notified: an alert that lasted escalateAfterMs (its reason), or someone at the door the gate
 * could not decide on for undecidedStaffMs (`undecided`: no alert, the door just stays locked).
 */
export type StaffReason = AlertReason | 'undecided';

/** Voice prompts the machine asks for; the audio layer maps them to WAV files per language. */
export type PromptId = 'thank_you' | 'wear_mask' | 'cover_nose' | 'temperature' | 'look_at_camera' | 'escalation' | 'override';
