import type { ActiveFault } from '../../machines/gate-context';
import type { GateListener } from '../gate/gate-controller';
import type { EventLog } from './event-log';

/**
 * Feeds the gate's events into the log: decisions (with their alert), escalations, forced passages, state
 * transitions, and faults as a diff of the active set (new source: fault; gone source: recovery).
 */
export function eventLogListener(log: Pick<EventLog, 'recordDecision' | 'recordEscalation' | 'recordForcedPassage' | 'recordFault' | 'recordRecovery' | 'recordTransition'>): GateListener {
  let state: string | null = null;
  let faults: readonly ActiveFault[] = [];
  return {
    onState: (to, _ind, t) => {
      log.recordTransition(state, to, t);
      state = to;
    },
    onDecision: (r) => void log.recordDecision(r),
    onEscalation: (reason) => void log.recordEscalation(reason),
    onForcedPassage: () => void log.recordForcedPassage(),
    onFaults: (next) => {
      for (const f of next) {
        const before = faults.find((x) => x.source === f.source);
        if (!before || before.reason !== f.reason) log.recordFault(f.source, f.reason);
      }
      for (const f of faults) if (!next.some((x) => x.source === f.source)) log.recordRecovery(f.source);
      faults = next;
    },
  };
}
