import type { DisplayMessage } from '../../machines/gate-outputs';

/** Two 16-column lines per message, for the HD44780 (ASCII only: its ROM has no CJK glyphs). */
export const displayMessages: Record<DisplayMessage, [string, string]> = {
  starting: ['Mask gate', 'starting...'],
  ready: ['Welcome', 'Please look here'],
  step_closer: ['Please step', 'closer'],
  please_wait: ['Checking mask', 'please wait'],
  look_at_camera: ['Please look at', 'the camera'],
  staff_notified: ['Staff notified', 'please wait'],
  measuring: ['Measuring', 'temperature'],
  welcome: ['Welcome', 'Thank you!'],
  wear_mask: ['Please wear', 'your mask'],
  cover_nose: ['Please cover', 'your nose'],
  temperature: ['High temperature', 'Please see staff'],
  staff_called: ['Staff have been', 'called'],
  staff_override: ['Staff override', 'Please pass'],
  out_of_order: ['Out of order', 'Please see staff'],
  maintenance: ['Maintenance', 'Gate disabled'],
  emergency: ['EMERGENCY', 'Gate open - exit'],
};
