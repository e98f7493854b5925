import type { ActiveFault } from '../../machines/gate-context';
import type { IgnoredFace } from '../../machines/gate-evidence';
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
  /** Faces in view in the latest frame that the gate does not count, with why. */
  ignoredFaces: IgnoredFace[];
  /** The decision size in pixels (null before the gate runs), for "too far: 30 of 44 px". */
  decideMinFacePx: number | null;
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
    ignoredFaces: snap ? snap.context.ignored.map((f) => ({ ...f })) : [],
    decideMinFacePx: snap?.context.settings.decideMinFacePx ?? null,
  };
}

export type OperatorCommand = Extract<GateEvent, { type: 'MAINTENANCE_ON' | 'MAINTENANCE_OFF' | 'OPEN_ONCE' }>;
