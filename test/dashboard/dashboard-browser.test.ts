import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { artifact, launchChromium } from './browser';
import { isJpeg, readMjpegParts } from './http-client';
import { startRig, type Rig } from './rig';

/** The page's globals the predicates read (the tests compile without the DOM library). */
interface PageGlobals {
  document: { getElementById(id: string): { naturalWidth: number } | null; querySelectorAll(selector: string): ArrayLike<{ complete: boolean; naturalWidth: number }> };
}
const liveIs640 = () => (globalThis as unknown as PageGlobals).document.getElementById('live')?.naturalWidth === 640;

jest.setTimeout(90_000);

let rig: Rig;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  rig = await startRig();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const text = (page: Page, sel: string) => page.locator(sel).textContent();

test('the operator and kiosk pages follow a replayed sequence in chromium; commands reach the gate', async () => {
  const { context } = browser;
  const operator = await context.newPage();
  const kiosk = await context.newPage();
  const pageErrors: string[] = [];
  for (const p of [operator, kiosk]) p.on('pageerror', (e) => pageErrors.push(e.message));
  await operator.goto(`${rig.server.url}/`);
  await kiosk.goto(`${rig.server.url}/kiosk`);

  // Idle: neutral kiosk, zero counts.
  await operator.locator('#gate-state[data-state="idle"]').waitFor();
  await kiosk.locator('body.tone-neutral[data-display="ready"]').waitFor();
  expect(await text(kiosk, '#kiosk-title')).toBe('Please look at the camera');
  expect(await text(operator, '#count-cleared')).toBe('0');

  // A masked person: cleared, green Welcome, one cleared decision counted.
  rig.feeder.start();
  rig.feeder.show('mask');
  await operator.locator('#gate-state[data-state^="cleared"]').waitFor();
  await kiosk.locator('body.tone-go[data-display="welcome"]').waitFor();
  expect(await text(kiosk, '#kiosk-title')).toBe('Welcome');
  await operator.locator('#count-cleared', { hasText: /^1$/ }).waitFor();
  expect(rig.gate.state.startsWith('cleared')).toBe(true);
  // The live view shows annotated frames in the page.
  // Function predicates, not strings: a string is eval'd on every poll, which the pages' CSP refuses (it
  // failed whenever the frame was not there at the first check).
  await operator.waitForFunction(liveIs640);
  await kiosk.waitForFunction(liveIs640);
  await kiosk.screenshot({ path: artifact('kiosk-welcome.png') });

  // They leave: back to idle.
  rig.feeder.show(null);
  await operator.locator('#gate-state[data-state="idle"]').waitFor();
  await kiosk.locator('body[data-display="ready"]').waitFor();

  // An unmasked person: red "Please wear your mask", one alert; staying escalates.
  rig.feeder.show('no_mask');
  await kiosk.locator('body.tone-stop[data-display="wear_mask"]').waitFor();
  expect(await text(kiosk, '#kiosk-title')).toBe('Please wear your mask');
  await operator.locator('#count-alerts', { hasText: /^1$/ }).waitFor();
  expect(await text(operator, '#count-cleared')).toBe('1');
  // Not an assertion: the 5 fps live view lags the gate by a frame or two; the picture should show the person.
  await kiosk.waitForTimeout(600);
  await kiosk.screenshot({ path: artifact('kiosk-wear-mask.png') });
  await operator.locator('#gate-state[data-state="alert.escalated"]').waitFor();
  await operator.locator('#count-escalations', { hasText: /^1$/ }).waitFor();
  await kiosk.locator('body[data-display="staff_called"]').waitFor();

  // The hourly chart and the events table are drawn from the log; decisions carry snapshot thumbnails.
  const hour = new Date().getHours();
  await operator.locator(`#chart g.bar[data-hour="${hour}"][data-cleared="1"][data-alert="1"]`).waitFor();
  await operator.locator('#events tbody tr[data-kind="cleared"]').waitFor();
  await operator.locator('#events tbody tr[data-kind="alert"] img.thumb').first().waitFor();
  await operator.waitForFunction(() => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('img.thumb')).some((i) => i.complete && i.naturalWidth === 640));
  expect(await text(operator, '#compliance-today')).toBe('50%');
  // Health arrives over SSE too.
  await operator.locator('#health-fps', { hasText: /\d fps/ }).waitFor();
  expect(await text(operator, '#health-detector')).toBe('cpu, 2 threads');
  await operator.locator('#health-latency', { hasText: /p50 \d/ }).waitFor();
  await operator.screenshot({ path: artifact('operator-alert.png'), fullPage: true });

  // The MJPEG endpoint streams JPEG parts while frames come (FrameStats with generated RGB frames).
  const { parts } = await readMjpegParts(rig.server.url, 2);
  expect(parts.every(isJpeg)).toBe(true);
  const meta = await sharp(parts[1]!).metadata();
  expect([meta.width, meta.height]).toEqual([640, 360]);

  // Maintenance from the page: the gate goes into maintenance, the page and the kiosk follow.
  rig.feeder.show(null);
  await operator.locator('#maintenance-toggle[aria-pressed="false"]').click();
  await operator.locator('#gate-state[data-state="maintenance"]').waitFor();
  expect(rig.gate.state).toBe('maintenance');
  expect(rig.commands).toContainEqual({ type: 'MAINTENANCE_ON', by: 'dashboard' });
  await operator.locator('#maintenance-toggle[aria-pressed="true"]').waitFor();
  await kiosk.locator('body.tone-warn[data-display="maintenance"]').waitFor();
  await operator.screenshot({ path: artifact('operator-maintenance.png'), fullPage: true });
  await operator.locator('#maintenance-toggle').click();
  await operator.locator('#gate-state[data-state="idle"]').waitFor();
  expect(rig.commands).toContainEqual({ type: 'MAINTENANCE_OFF', by: 'dashboard' });

  // Open once: an override, reported back on the page; the relay is released.
  await operator.locator('#open-once').click();
  await operator.locator('#command-result', { hasText: 'Open once sent — gate is override' }).waitFor();
  expect(rig.commands).toContainEqual({ type: 'OPEN_ONCE', by: 'dashboard' });
  await operator.locator('#gate-state[data-state="idle"]').waitFor();
  const transitions = rig.eventLog.recentEvents(200, { includeTransitions: true }).flatMap((e) => (e.kind === 'transition' ? [e.to] : []));
  expect(transitions).toContain('override');

  expect(pageErrors).toEqual([]);
  await operator.close();
  await kiosk.close();
});

test('far faces: the kiosk asks to step closer; the operator page lists ignored faces with their reason', async () => {
  const { context } = browser;
  const operator = await context.newPage();
  const kiosk = await context.newPage();
  await operator.goto(`${rig.server.url}/`);
  await kiosk.goto(`${rig.server.url}/kiosk`);
  await operator.locator('#gate-state[data-state="idle"]').waitFor();
  rig.feeder.start();

  // An unmasked face too far away (30 px; decision size 44 at 640 wide): no alert, "Please step closer".
  rig.feeder.show('no_mask', { facePx: 30 });
  await kiosk.locator('body.tone-neutral[data-display="step_closer"]').waitFor();
  expect(await text(kiosk, '#kiosk-title')).toBe('Please step closer');
  const far = operator.locator('#ignored-faces li[data-reason="too_small"]');
  await far.waitFor();
  expect(await far.textContent()).toMatch(/too far to decide: face 30 px, decision size 44 px$/);
  expect(rig.gate.state).toBe('idle');

  // A picture on the wall: listed as not moving; the gate stays idle and locked.
  rig.feeder.show('mask', { picture: true });
  const picture = operator.locator('#ignored-faces li[data-reason="stationary"]');
  await picture.waitFor();
  expect(await picture.textContent()).toMatch(/not moving: a picture or poster$/);
  await kiosk.locator('body[data-display="ready"]').waitFor();
  expect(rig.gate.state).toBe('idle');
  expect(await text(operator, '#relay')).toBe('relay: locked');

  // An unmasked face in an ignore zone: listed with the zone's name, no alert.
  rig.feeder.show('no_mask', { zone: 'poster' });
  const zoned = operator.locator('#ignored-faces li[data-reason="ignore_zone"]');
  await zoned.waitFor();
  expect(await zoned.textContent()).toMatch(/in ignore zone poster$/);
  expect(rig.gate.state).toBe('idle');

  rig.feeder.show(null);
  await operator.locator('#ignored-faces li.none').waitFor();
  await operator.close();
  await kiosk.close();
});

test('the kiosk says "Out of order" when it loses the daemon, instead of a stale message', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${rig.server.url}/kiosk`);
  await page.locator('body[data-display="ready"]').waitFor();
  await page.screenshot({ path: artifact('kiosk-idle.png') });
  // The daemon goes away (stopping the dashboard closes the stream and refuses reconnects).
  await rig.server.stop();
  await page.locator('body.tone-warn[data-display="out_of_order"]').waitFor({ timeout: 15_000 });
  expect(await text(page, '#kiosk-title')).toBe('Out of order');
  await page.close();
});
