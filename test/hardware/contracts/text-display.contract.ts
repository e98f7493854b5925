import { DeviceClosedError, DisplayIoError, DisplayTextError } from '../../../hardware/errors';
import type { TextDisplay } from '../../../hardware/types';

export interface DisplaySubject {
  display: TextDisplay;
  /** What the LCD shows, where the test can see it; absent on a board. */
  screen?: () => readonly string[];
  backlight?: () => boolean;
  /** Makes the next transfer fail. */
  injectIoError?: () => void;
  cleanup?: () => Promise<void> | void;
}
export type DisplayFactory = () => DisplaySubject | Promise<DisplaySubject>;

/** The TextDisplay contract for a 16x2 display. */
export function describeTextDisplayContract(label: string, make: DisplayFactory, canInject: boolean): void {
  describe(`TextDisplay contract (16x2): ${label}`, () => {
    let subject: DisplaySubject | null = null;
    const build = async () => (subject = await make());
    afterEach(async () => {
      if (subject) {
        await subject.display.close().catch(() => undefined);
        await subject.cleanup?.();
      }
      subject = null;
    });
    const blank = ' '.repeat(16);

    it('rejects writes before open() and after close(); open/close are idempotent', async () => {
      const { display } = await build();
      expect(display.columns).toBe(16);
      expect(display.rows).toBe(2);
      await expect(display.writeLines(['x'])).rejects.toThrow(DeviceClosedError);
      await display.open();
      await display.open();
      await display.close();
      await display.close();
      await expect(display.clear()).rejects.toThrow(DeviceClosedError);
    });

    it('opens blank with the backlight on, then shows padded lines', async () => {
      const s = await build();
      await s.display.open();
      if (s.screen) expect(s.screen()).toEqual([blank, blank]);
      if (s.backlight) expect(s.backlight()).toBe(true);
      await s.display.writeLines(['Please wear', 'a mask']);
      if (s.screen) expect(s.screen()).toEqual(['Please wear     ', 'a mask          ']);
      await s.display.writeLines(['Thank you']);
      if (s.screen) expect(s.screen()).toEqual(['Thank you       ', blank]);
    });

    it('shows exactly 16 characters, and rejects 17 or a third line without changing the screen', async () => {
      const s = await build();
      await s.display.open();
      await s.display.writeLines(['0123456789abcdef', 'ok']);
      await expect(s.display.writeLines(['0123456789abcdefX'])).rejects.toThrow(DisplayTextError);
      await expect(s.display.writeLines(['0123456789abcdefX'])).rejects.toThrow(/line 1 has 17 characters, the display has 16 columns/);
      await expect(s.display.writeLines(['a', 'b', 'c'])).rejects.toThrow(/expected at most 2 lines, got 3/);
      if (s.screen) expect(s.screen()).toEqual(['0123456789abcdef', 'ok              ']);
    });

    it('shows characters the LCD ROM lacks as ?', async () => {
      const s = await build();
      await s.display.open();
      await s.display.writeLines(['37.5°C ok', 'a\\b ~ é']);
      if (s.screen) expect(s.screen()).toEqual(['37.5?C ok       ', 'a?b ? ?         ']);
    });

    it('clear() blanks the screen; setBacklight() switches the light', async () => {
      const s = await build();
      await s.display.open();
      await s.display.writeLines(['a', 'b']);
      await s.display.clear();
      if (s.screen) expect(s.screen()).toEqual([blank, blank]);
      await s.display.setBacklight(false);
      if (s.backlight) expect(s.backlight()).toBe(false);
      await s.display.setBacklight(true);
      if (s.backlight) expect(s.backlight()).toBe(true);
      await s.display.writeLines(['b']);
      if (s.screen) expect(s.screen()).toEqual(['b' + ' '.repeat(15), blank]);
    });

    if (canInject) {
      it('reports a failed transfer as DisplayIoError naming bus and address', async () => {
        const s = await build();
        await s.display.open();
        s.injectIoError!();
        const err = await s.display.writeLines(['x']).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DisplayIoError);
        expect((err as Error).message).toMatch(/^display: PCF8574 on bus \d+ at 0x27: write failed: Remote I\/O error \(EREMOTEIO\)$/);
      });
    }
  });
}
