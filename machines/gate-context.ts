import type { AlertReason, FaultSource } from './gate-events';
import type { EvidenceConfig, GateVerdict, Tracks } from './gate-evidence';

/** The slice of config the machine needs: timings and policy. Plain JSON, passed as the actor's input. */
export interface GateSettings {
  evidence: EvidenceConfig;
  personGoneMs: number;
  relayMode: 'pulse' | 'hold';
  relayOpenMs: number;
  holdMaxMs: number;
  escalateAfterMs: number;
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
  /** Verdict after the latest frame. */
  verdict: GateVerdict;
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
    verdict: { kind: 'empty' },
    alertReason: null,
    temperatureC: null,
    faults: [],
    maintenance: false,
    ready: false,
    lastFrame: null,
  };
}
