import type { GateEvent } from '../../machines/gate-events';

/**
 * A command message to a gate event, or an error text. maintenance takes ON/OFF (also true/false, 1/0: what
 * Home Assistant and people type); open_once takes any payload (Home Assistant sends PRESS).
 */
export function commandToEvent(command: 'maintenance' | 'open_once', payload: string): GateEvent | { error: string } {
  if (command === 'open_once') return { type: 'OPEN_ONCE', by: 'mqtt' };
  const p = payload.trim().toLowerCase();
  if (['on', 'true', '1'].includes(p)) return { type: 'MAINTENANCE_ON', by: 'mqtt' };
  if (['off', 'false', '0'].includes(p)) return { type: 'MAINTENANCE_OFF', by: 'mqtt' };
  return { error: `expected ON or OFF for maintenance, got ${JSON.stringify(payload.slice(0, 40))}` };
}
