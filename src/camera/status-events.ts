import type { GateEvent } from '../../machines/gate-events';
import type { CameraStatus } from './supervisor';

/**
 * What the gate hears about the camera: FAULT when it stops giving frames (lost, never came up, or a
 * replay failed), FAULT_CLEARED when frames come again. Repeated reconnect attempts are one fault.
 * Returns null when nothing changes for the gate.
 */
export function cameraStatusToGateEvent(faulted: boolean, status: CameraStatus): GateEvent | null {
  if ((status.state === 'reconnecting' || status.state === 'failed') && !faulted) {
    return { type: 'FAULT', source: 'camera', reason: status.reason ?? status.state };
  }
  if (status.state === 'online' && faulted) return { type: 'FAULT_CLEARED', source: 'camera' };
  return null;
}

/** Subscribes `send` to a supervisor's status changes; returns the unsubscribe function. */
export function forwardCameraFaults(
  camera: { on(event: 'status', listener: (s: CameraStatus) => void): () => void },
  send: (event: GateEvent) => void,
): () => void {
  let faulted = false;
  return camera.on('status', (s) => {
    const ev = cameraStatusToGateEvent(faulted, s);
    if (!ev) return;
    faulted = ev.type === 'FAULT';
    send(ev);
  });
}
