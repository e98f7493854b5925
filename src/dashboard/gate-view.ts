import type { ActiveFault } from '../../machines/gate-context';
import type { GateEvent } from '../../machines/gate-events';
import { indicationFor, type Indication } from '../../machines/gate-outputs';
import type { GateController } from '../gate/gate-controller';
import { kioskMessages, type KioskText } from './kiosk-messages';

/** The parts of the GateController the dashboard uses. */
export type DashboardGate = Pick<GateController, 'state' | 'snapshot' | 'send'>;

/** The gate as the pages see it: `/api/state` and the SSE `state` event. */
export interface GateView {
  state: string;
  maintenance: boolean;
  indication: Indication | null;
  kiosk: KioskText;
  faults: ActiveFault[];
}

export function gateView(gate: DashboardGate): GateView {
  const snap = gate.snapshot;
  const indication = snap ? indicationFor(snap) : null;
  const state = gate.state;
  return {
    state,
    maintenance: state === 'maintenance' || (snap?.context.maintenance ?? false),
    indication,
    kiosk: indication ? kioskMessages[indication.display] : { tone: 'warn', title: 'Out of order', subtitle: 'The gate is not running' },
    faults: snap ? snap.context.faults.map((f) => ({ ...f })) : [],
  };
}

export type OperatorCommand = Extract<GateEvent, { type: 'MAINTENANCE_ON' | 'MAINTENANCE_OFF' | 'OPEN_ONCE' }>;
