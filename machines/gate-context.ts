import type { ClearAfterAlertConfig } from './gate-after-alert';
import type { AlertReason, FaultSource } from './gate-events';
import type { EvidenceConfig, IgnoredFace, PersonDecision, Tracks } from './gate-evidence';

/** The slice of config the machine needs: timings and policy. Plain JSON, passed as the actor's input. */
export interface GateSettings {
  evidence: EvidenceConfig;
  /** Decision size: faces less high than this (px) never decide, hold nor vote. */
  decideMinFacePx: number;
  personGoneMs: number;
  /** What clears someone the gate has alerted for: fresh, strong evidence only. */
  clearAfterAlert: ClearAfterAlertConfig;
  relayMode: 'pulse' | 'hold';
  relayOpenMs: number;
  holdMaxMs: number;
  escalateAfterMs: number;
  /** Someone at decision size undecided this long is asked to look at the camera (the door stays locked). */
  undecidedPromptMs: number;
  /** Still undecided this long (from the same start, > undecidedPromptMs): staff are notified; null never. */
  undecidedStaffMs: number | null;
  failMode: 'secure' | 'open';
  maintenanceRelay: 'locked' | 'released';
  selfTestBlinkMs: number;
  faultRetryMs: number;
  feverThresholdC: number;
  /** A thermometer is wired: a masked decision is followed by a temperature read. */
  hasThermometer: boolean;
}

export interface ActiveFault {
  source: FaultSource;
  reason: string;
}

export interface GateContext {
  settings: GateSettings;
  tracks: Tracks;
  /** Everyone in the zone at decision size after the latest frame, with what each is: the guards decide on these. */
  people: PersonDecision[];
  /** Faces in the zone below decision size in the latest frame (the kiosk asks them to step closer). */
  farFaces: number;
  /** Faces in the latest frame that do not count, with why (the operator page lists them). */
  ignored: IgnoredFace[];
  alertReason: AlertReason | null;
  temperatureC: number | null;
  faults: ActiveFault[];
  maintenance: boolean;
  /** Self-test and detector warm-up have completed once. */
  ready: boolean;
  lastFrame: { t: number; frame: number } | null;
}

/** Faults the machine raised itself (boot, a thermometer read); it clears and retries them after faultRetryMs. */
export const SELF_RETRYING: readonly FaultSource[] = ['boot', 'thermometer'];

export function initialContext(settings: GateSettings): GateContext {
  return {
    settings,
    tracks: {},
    people: [],
    farFaces: 0,
    ignored: [],
    alertReason: null,
    temperatureC: null,
    faults: [],
    maintenance: false,
    ready: false,
    lastFrame: null,
  };
}
