import type { GateListener } from '../gate/gate-controller';
import type { DashboardServer } from './dashboard-server';

/**
 * Pushes what the gate does to open pages. Every hook only queues a refresh (the server reads the gate and
 * the event log after the transition), so the order among the gate's listeners does not matter and a
 * dashboard problem never reaches the gate. Prompts count too: an alert can change its reason in place.
 */
export function dashboardListener(server: Pick<DashboardServer, 'gateChanged' | 'eventsChanged'>): GateListener {
  return {
    onState: () => server.gateChanged(),
    onPrompt: () => server.gateChanged(),
    onDecision: () => server.eventsChanged(),
    onEscalation: () => server.eventsChanged(),
    onForcedPassage: () => server.eventsChanged(),
    onFaults: () => server.eventsChanged(),
  };
}
