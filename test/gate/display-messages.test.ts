import { displayMessages } from '../../src/gate/display-messages';
import { kioskMessages } from '../../src/dashboard/kiosk-messages';

test('every text display message is two lines of at most 16 printable ASCII characters (the HD44780 ROM)', () => {
  for (const [id, lines] of Object.entries(displayMessages)) {
    expect({ id, lines: lines.map((l) => /^[\x20-\x7e]{0,16}$/.test(l)) }).toEqual({ id, lines: [true, true] });
  }
});

test('someone undecided is told what to do, then that staff are coming, in a neutral tone (not an alert)', () => {
  expect(kioskMessages.look_at_camera).toEqual({ tone: 'neutral', title: 'Please look at the camera', subtitle: 'and make sure your mask covers your nose and mouth' });
  expect(kioskMessages.staff_notified.tone).toBe('neutral');
  expect(displayMessages.look_at_camera).toEqual(['Please look at', 'the camera']);
});
