import type { DecisionReport } from '../../machines/gate.machine';
import type { GateListener } from '../gate/gate-controller';
import type { MqttBridge } from './mqtt-bridge';

/** The decision as published: no image, no face box, only what a building system needs. */
export function decisionPayload(r: DecisionReport): Record<string, unknown> {
  return {
    outcome: r.outcome,
    reason: r.reason,
    temperatureC: r.temperatureC,
    people: r.verdict.kind === 'empty' ? [] : r.verdict.people.map((p) => ({ id: p.id, verdict: p.verdict, confidence: p.confidence })),
  };
}

/** The gate's state, faults, decisions, escalations and forced passages go to MQTT. */
export function mqttListener(bridge: Pick<MqttBridge, 'publishState' | 'setFaults' | 'publishEvent'>): GateListener {
  return {
    onState: (state, indication) => bridge.publishState(state, indication),
    onFaults: (faults) => bridge.setFaults(faults),
    onDecision: (r) => bridge.publishEvent('decision', decisionPayload(r)),
    onEscalation: (reason) => bridge.publishEvent('escalation', { reason }),
    onForcedPassage: () => bridge.publishEvent('forced_passage', {}),
  };
}
