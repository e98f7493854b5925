import type { DisplayMessage } from '../../machines/gate-outputs';

export type KioskTone = 'go' | 'stop' | 'neutral' | 'warn';

/** What the doorway monitor shows: one huge line readable from 2 m, a smaller second line, a colour. */
export interface KioskText {
  tone: KioskTone;
  title: string;
  subtitle: string;
}

export const kioskMessages: Record<DisplayMessage, KioskText> = {
  starting: { tone: 'neutral', title: 'Starting…', subtitle: 'One moment please' },
  ready: { tone: 'neutral', title: 'Please look at the camera', subtitle: 'Mask check at the entrance' },
  step_closer: { tone: 'neutral', title: 'Please step closer', subtitle: 'Come up to the camera for the mask check' },
  please_wait: { tone: 'neutral', title: 'Checking your mask…', subtitle: 'Please wait' },
  // Someone the gate cannot decide: told what to do, then that staff are coming. Neutral: nothing is wrong yet.
  look_at_camera: { tone: 'neutral', title: 'Please look at the camera', subtitle: 'and make sure your mask covers your nose and mouth' },
  staff_notified: { tone: 'neutral', title: 'A member of staff is on the way', subtitle: 'Please wait here' },
  measuring: { tone: 'neutral', title: 'Measuring temperature…', subtitle: 'Please wait' },
  welcome: { tone: 'go', title: 'Welcome', subtitle: 'Thank you for wearing your mask' },
  wear_mask: { tone: 'stop', title: 'Please wear your mask', subtitle: 'The door opens once your mask is on' },
  cover_nose: { tone: 'stop', title: 'Please cover your nose', subtitle: 'Pull your mask up over your nose' },
  temperature: { tone: 'stop', title: 'High temperature', subtitle: 'Please see a member of staff' },
  staff_called: { tone: 'stop', title: 'Staff have been called', subtitle: 'Please wait here' },
  staff_override: { tone: 'go', title: 'Please pass', subtitle: 'Opened by staff' },
  out_of_order: { tone: 'warn', title: 'Out of order', subtitle: 'Please see a member of staff' },
  maintenance: { tone: 'warn', title: 'Maintenance', subtitle: 'Please see a member of staff' },
  emergency: { tone: 'stop', title: 'EMERGENCY', subtitle: 'Door open — please exit' },
};
