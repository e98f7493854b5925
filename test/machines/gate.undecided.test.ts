import { booted, type Effect, type GateHarness } from './gate-harness';

/**
 * Someone at decision size the gate cannot decide (readings under the operating point, `unsure`) is asked to
 * look at the camera after gate.undecidedPromptMs and reported to staff after gate.undecidedStaffMs. The door
 * stays locked and quiet throughout: no clear, no alert. The real statechart on a simulated clock, shipped defaults.
 */

const says = (h: GateHarness, prompt: string) => h.effects.filter((e) => e.kind === 'say' && e.prompt === prompt);
const staffCalls = (h: GateHarness) => h.effects.flatMap((e) => (e.kind === 'notifyStaff' ? [e.reason] : []));
const decisions = (h: GateHarness) => h.effects.flatMap((e) => (e.kind === 'decision' ? [e.report.outcome] : []));

/** Someone walks up whose face the detector reads unsure every frame (the nose head doubts their mask). */
function doubted(h: GateHarness): string {
  const id = h.addPerson('incorrect');
  h.people.get(id)!.unsure = true;
  return id;
}

/** A doubted person at the door, left undecided for `ms` after their first frame. */
async function undecidedFor(ms: (s: GateHarness['settings']) => number): Promise<{ h: GateHarness; s: GateHarness['settings']; id: string }> {
  const h = await booted();
  const s = h.settings;
  const id = doubted(h);
  h.frame();
  h.live(ms(s));
  return { h, s, id };
}

/** From now on the detector reads them surely as `label`, for the frames a decision needs. */
function readSurely(h: GateHarness, id: string, label: 'mask' | 'no_mask'): void {
  const p = h.people.get(id)!;
  p.unsure = false;
  p.label = label;
  h.frames(h.settings.evidence.agreeFrames);
}

/** Frames for `ms`, checking after each that the door is locked, dark and silent (no red, no buzzer). */
function liveLocked(h: GateHarness, ms: number): void {
  for (let i = 0; i < ms / 100; i++) {
    h.frame();
    expect({ t: h.clock.now(), ...h.outputs }).toMatchObject({ t: h.clock.now(), relay: 'locked', redLed: 'off', greenLed: 'off', buzzer: 'off' });
  }
}

describe('someone the gate cannot decide', () => {
  test('is asked to look at the camera undecidedPromptMs after arriving, not before; the door stays locked', async () => {
    const h = await booted();
    const s = h.settings;
    doubted(h);
    h.frame();
    const arrived = h.clock.now();
    expect(h.state).toBe('evaluating');
    liveLocked(h, s.undecidedPromptMs - 100);
    expect(h.state).toBe('evaluating');
    expect(h.outputs.display).toBe('please_wait');
    expect(says(h, 'look_at_camera')).toEqual([]);
    liveLocked(h, 100);
    expect(h.state).toBe('evaluating.prompted');
    expect(h.outputs.display).toBe('look_at_camera');
    expect(says(h, 'look_at_camera').map((e) => e.t)).toEqual([arrived + s.undecidedPromptMs]);
    expect(decisions(h)).toEqual([]);
  });

  test('staff are notified undecidedStaffMs after arriving, once, with the reason undecided; still locked, no decision', async () => {
    const h = await booted();
    const s = h.settings;
    doubted(h);
    h.frame();
    const arrived = h.clock.now();
    liveLocked(h, s.undecidedStaffMs! - 100);
    expect(h.state).toBe('evaluating.prompted');
    expect(staffCalls(h)).toEqual([]);
    liveLocked(h, 100);
    expect(h.state).toBe('evaluating.staffCalled');
    expect(h.outputs.display).toBe('staff_notified');
    expect(h.effects.filter((e) => e.kind === 'notifyStaff')).toEqual([{ t: arrived + s.undecidedStaffMs!, kind: 'notifyStaff', reason: 'undecided' }]);
    // Standing there a minute more: nothing else happens, the door never opens.
    liveLocked(h, 60_000);
    expect(h.state).toBe('evaluating.staffCalled');
    expect(staffCalls(h)).toEqual(['undecided']);
    expect(says(h, 'look_at_camera')).toHaveLength(1);
    expect(decisions(h)).toEqual([]);
    expect(h.effects.filter((e) => e.kind === 'say').map((e) => (e as Extract<Effect, { kind: 'say' }>).prompt)).toEqual(['look_at_camera']);
  });

  test('a mask read surely after the prompt clears as before, and the staff timer is cancelled', async () => {
    const { h, s, id } = await undecidedFor((s) => s.undecidedPromptMs);
    expect(h.state).toBe('evaluating.prompted');
    readSurely(h, id, 'mask');
    expect(h.state).toBe('cleared.open');
    expect(h.outputs.relay).toBe('released');
    expect(decisions(h)).toEqual(['cleared']);
    expect(says(h, 'thank_you')).toHaveLength(1);
    h.live(s.undecidedStaffMs! + 5000);
    expect(staffCalls(h)).toEqual([]);
  });

  test('no mask read surely after the prompt alerts as before; staff hear of the alert, not of an undecided person', async () => {
    const { h, s, id } = await undecidedFor((s) => s.undecidedPromptMs);
    expect(h.state).toBe('evaluating.prompted');
    readSurely(h, id, 'no_mask');
    expect(h.state).toBe('alert.active');
    expect(h.outputs).toMatchObject({ relay: 'locked', redLed: 'on', buzzer: 'alert', display: 'wear_mask' });
    expect(decisions(h)).toEqual(['alert']);
    // Past the undecided staff time, then the alert's own escalation.
    h.live(s.undecidedStaffMs! - s.undecidedPromptMs);
    expect(staffCalls(h)).toEqual([]);
    h.live(s.escalateAfterMs - (s.undecidedStaffMs! - s.undecidedPromptMs));
    expect(h.state).toBe('alert.escalated');
    expect(staffCalls(h)).toEqual(['no_mask']);
  });

  test('missed by the detector when the prompt is due: said in the next frame that shows them', async () => {
    const h = await booted();
    const s = h.settings;
    doubted(h);
    h.frame();
    const arrived = h.clock.now();
    h.live(s.undecidedPromptMs - 200);
    // Three frames without their face (still counted: unseen for less than personGoneMs).
    for (let i = 0; i < 3; i++) h.frame(100, []);
    expect(h.clock.now()).toBe(arrived + s.undecidedPromptMs + 100);
    expect(says(h, 'look_at_camera')).toEqual([]);
    expect(h.outputs.display).toBe('please_wait');
    h.frame();
    expect(h.state).toBe('evaluating.prompted');
    expect(says(h, 'look_at_camera').map((e) => e.t)).toEqual([arrived + s.undecidedPromptMs + 200]);
  });

  test('staff called, then a sure mask: cleared as before', async () => {
    const { h, id } = await undecidedFor((s) => s.undecidedStaffMs!);
    expect(h.state).toBe('evaluating.staffCalled');
    readSurely(h, id, 'mask');
    expect(h.state).toBe('cleared.open');
    expect(decisions(h)).toEqual(['cleared']);
  });
});

describe('nobody left undecided: no prompt', () => {
  test('the undecided person walks off before undecidedPromptMs: idle, never prompted', async () => {
    const h = await booted();
    doubted(h);
    h.live(h.settings.undecidedPromptMs - 1000);
    h.leave();
    expect(h.state).toBe('idle');
    h.live(h.settings.undecidedStaffMs! + 5000);
    expect(h.effects).toEqual([]);
  });

  test('prompted, then the person walks off: no staff call, idle', async () => {
    const h = await booted();
    doubted(h);
    h.frame();
    h.live(h.settings.undecidedPromptMs);
    expect(h.state).toBe('evaluating.prompted');
    h.leave();
    expect(h.state).toBe('idle');
    h.live(h.settings.undecidedStaffMs!);
    expect(staffCalls(h)).toEqual([]);
  });

  test('stepping back below decision size restarts the wait: the prompt comes undecidedPromptMs after they are back', async () => {
    const h = await booted();
    const s = h.settings;
    const id = doubted(h);
    h.live(s.undecidedPromptMs - 1000);
    // Back to 10 px under the decision size for 1 s (less than personGoneMs: the door stays evaluating).
    h.people.get(id)!.facePx = s.decideMinFacePx - 10;
    h.live(1000);
    expect(h.state).toBe('evaluating');
    expect(h.outputs.display).toBe('step_closer');
    const lastFar = h.clock.now();
    h.people.get(id)!.facePx = 100;
    liveLocked(h, s.undecidedPromptMs - 100);
    expect(says(h, 'look_at_camera')).toEqual([]);
    liveLocked(h, 100);
    expect(h.state).toBe('evaluating.prompted');
    expect(says(h, 'look_at_camera').map((e) => e.t)).toEqual([lastFar + s.undecidedPromptMs]);
  });

  test('prompted, then stepping back: back to waiting (no staff call while they are not at the door)', async () => {
    const h = await booted();
    const s = h.settings;
    const id = doubted(h);
    h.frame();
    h.live(s.undecidedPromptMs);
    expect(h.state).toBe('evaluating.prompted');
    h.people.get(id)!.facePx = s.decideMinFacePx - 10;
    h.frame();
    expect(h.state).toBe('evaluating');
    expect(h.outputs.display).toBe('step_closer');
  });

  test('a face that has not moved (possibly a picture) holds the gate but is not asked, nor reported to staff', async () => {
    const h = await booted();
    h.addPerson('mask', true, { moved: false });
    // 9 s: the tracker calls it a picture (ignored) at gate.stationaryAfterMs, 10 s.
    liveLocked(h, 9000);
    expect(h.state).toBe('evaluating');
    expect(h.outputs.display).toBe('please_wait');
    expect(h.effects).toEqual([]);
  });
});

test('undecidedStaffMs null: asked to look at the camera, staff never notified', async () => {
  const h = await booted({ settings: { undecidedStaffMs: null } });
  doubted(h);
  h.frame();
  liveLocked(h, 60_000);
  expect(h.state).toBe('evaluating.prompted');
  expect(says(h, 'look_at_camera')).toHaveLength(1);
  expect(staffCalls(h)).toEqual([]);
});

test('the timings come from settings', async () => {
  const h = await booted({ settings: { undecidedPromptMs: 2000, undecidedStaffMs: 5000 } });
  doubted(h);
  h.frame();
  const arrived = h.clock.now();
  h.live(6000);
  expect(h.effects.map((e) => [e.kind, e.t - arrived])).toEqual([
    ['say', 2000],
    ['notifyStaff', 5000],
  ]);
});
