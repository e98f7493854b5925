import type { Config } from '../config/schema';
import type { GateSettings } from '../../machines/gate-context';

/** The machine's input, taken from config: the only place config reaches the statechart. */
export function gateSettingsFromConfig(c: Config): GateSettings {
  const g = c.gate;
  return {
    evidence: { ...g.evidence },
    decideMinFacePx: g.decideMinFacePx,
    personGoneMs: g.personGoneMs,
    clearAfterAlert: { ...g.clearAfterAlert },
    relayMode: g.relayMode,
    relayOpenMs: g.relayOpenMs,
    holdMaxMs: g.holdMaxMs,
    escalateAfterMs: g.escalateAfterMs,
    undecidedPromptMs: g.undecidedPromptMs,
    undecidedStaffMs: g.undecidedStaffMs,
    failMode: g.failMode,
    maintenanceRelay: g.maintenanceRelay,
    selfTestBlinkMs: g.selfTestBlinkMs,
    faultRetryMs: g.faultRetryMs,
    feverThresholdC: g.feverThresholdC,
    hasThermometer: c.hardware.thermometer !== null,
  };
}
