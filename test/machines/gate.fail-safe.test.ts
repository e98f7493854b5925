import type { FaceLabel } from '../../machines/gate-events';
import { personVerdict, verdictOf, type PersonVerdict, type TrackEvidence } from '../../machines/gate-evidence';
import { booted, type GateHarness } from './gate-harness';

/**
 * Issue 15's rules on the real statechart with a simulated clock: decision size, pictures and ignored faces,
 * faces that have not moved, and decided people who stand still.
 */
const K = 5; // default agreeFrames (of windowFrames 8)

function decisions(h: GateHarness) {
  return h.effects.filter((e) => e.kind === 'decision').map((e) => (e.kind === 'decision' ? e.report : null)!);
}

describe('decision size', () => {
  test('uses the configured decision size: 44 px at the default 640-pixel frame', async () => {
    const h = await booted();
    expect(h.settings.decideMinFacePx).toBe(44);
  });

  test('a face below decision size is asked to step closer: idle, locked, no vote, no prompt', async () => {
    const h = await booted();
    const far = h.addPerson('mask', true, { facePx: 43 });
    h.live(3000);
    expect(h.state).toBe('idle');
    expect(h.outputs).toMatchObject({ display: 'step_closer', relay: 'locked', greenLed: 'off', redLed: 'off' });
    expect(h.effects).toEqual([]);
    expect(h.snapshot.context.ignored).toEqual([{ id: far, reason: 'too_small', facePx: 43 }]);
    // An unmasked far face alerts nobody either.
    h.people.get(far)!.label = 'no_mask';
    h.live(3000);
    expect(h.state).toBe('idle');
    expect(h.effects).toEqual([]);
  });

  test('votes count from the first frame at decision size: K frames there decide, not fewer', async () => {
    const h = await booted();
    const id = h.addPerson('no_mask', true, { facePx: 30 });
    // Thirty far frames of no_mask add nothing.
    h.frames(30);
    h.people.get(id)!.facePx = 44;
    h.frames(K - 1);
    expect(h.state).toBe('evaluating');
    expect(h.outputs.display).toBe('please_wait');
    h.frame();
    expect(h.state).toBe('alert.active');
    expect(h.snapshot.context.tracks[id]!.votes).toHaveLength(K);
  });

  test('a far unmasked face neither alerts nor blocks the masked person at the door', async () => {
    const h = await booted();
    const near = h.addPerson('mask');
    h.addPerson('no_mask', true, { facePx: 20 });
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    // The record is about the people the gate decided on.
    expect(decisions(h)).toMatchObject([{ outcome: 'cleared', verdict: { kind: 'cleared', people: [{ id: near, verdict: 'mask' }] } }]);
    expect(decisions(h)[0]!.verdict).toMatchObject({ people: { length: 1 } });
  });

  test('a far face holds nothing: a person who steps back below decision size is gone after personGoneMs', async () => {
    const h = await booted();
    const id = h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    h.people.get(id)!.facePx = 30;
    h.live(h.settings.personGoneMs + 200);
    expect(h.state).toBe('idle');
    expect(h.outputs).toMatchObject({ display: 'step_closer', relay: 'locked', buzzer: 'off' });
  });
});

describe('pictures and faces that have not moved', () => {
  test('a stationary face (a poster) leaves idle idle and locked, however long it stays', async () => {
    const h = await booted();
    const poster = h.addPerson('mask', true, { moved: false, ignored: 'stationary' });
    h.live(60_000);
    expect(h.state).toBe('idle');
    expect(h.outputs).toMatchObject({ relay: 'locked', display: 'ready' });
    expect(h.effects).toEqual([]);
    expect(h.snapshot.context.ignored).toEqual([{ id: poster, reason: 'stationary', facePx: 100 }]);
  });

  test('with a poster in view, a masked person clears once and an unmasked one alerts; the poster is in neither record', async () => {
    const h = await booted();
    const poster = h.addPerson('mask', true, { moved: false, ignored: 'stationary' });
    const a = h.addPerson('mask');
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    h.people.delete(a);
    h.live(h.settings.personGoneMs + 200);
    expect(h.state).toBe('idle');
    h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    expect(decisions(h).map((d) => d.outcome)).toEqual(['cleared', 'alert']);
    for (const d of decisions(h)) expect(d.verdict.kind !== 'empty' && d.verdict.people.map((p) => p.id)).not.toContain(poster);
  });

  test('a face that has not moved yet cannot decide but holds the gate; once it is a picture it holds nothing', async () => {
    const h = await booted();
    const still = h.addPerson('mask', true, { moved: false });
    h.addPerson('mask');
    h.live(5000);
    // Masked, but still as a photo: the masked person beside it waits.
    expect(h.state).toBe('evaluating');
    expect(h.outputs.relay).toBe('locked');
    h.people.get(still)!.ignored = 'stationary';
    h.frame();
    expect(h.state).toBe('cleared.open');
  });

  test('a face that has not moved yet never alerts either', async () => {
    const h = await booted();
    h.addPerson('no_mask', true, { moved: false });
    h.live(5000);
    expect(h.state).toBe('evaluating');
    expect(h.effects).toEqual([]);
  });

  test('a face in an ignore zone counts for nothing', async () => {
    const h = await booted();
    const id = h.addPerson('no_mask', true, { ignored: 'ignore_zone' });
    h.live(3000);
    expect(h.state).toBe('idle');
    expect(h.snapshot.context.ignored).toEqual([{ id, reason: 'ignore_zone', facePx: 100 }]);
  });
});

describe('a person who stands still after being decided must not flip the gate', () => {
  test('cleared: standing still (the tracker now ignores the face) keeps the gate as it was, with no second decision', async () => {
    const h = await booted();
    const id = h.addPerson('mask');
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    h.people.get(id)!.ignored = 'stationary';
    h.live(30_000);
    expect(h.state).toBe('cleared.closed');
    expect(decisions(h)).toHaveLength(1);
    // Still a person for the gate: an unmasked newcomer beside them alerts, a masked one does not reopen it alone.
    h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
  });

  test('alert: standing still keeps the alert and its escalation; a masked companion is not cleared past them', async () => {
    const h = await booted();
    const id = h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    h.people.get(id)!.ignored = 'ignore_zone';
    h.addPerson('mask');
    h.live(h.settings.escalateAfterMs + 1000);
    expect(h.state).toBe('alert.escalated');
    expect(h.outputs.relay).toBe('locked');
    expect(decisions(h).map((d) => d.outcome)).toEqual(['alert']);
  });
});

describe('the relay opens once per person', () => {
  test('a newcomer who vanishes undecided (a duplicate box, a passer-by) does not reopen the gate for the person already cleared', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    h.live(h.settings.relayOpenMs + 100);
    expect(h.state).toBe('cleared.closed');
    // A box seen for two frames that never moved, then never again.
    const glitch = h.addPerson('mask', true, { moved: false });
    h.frames(2);
    expect(h.state).toBe('evaluating');
    h.people.delete(glitch);
    h.live(h.settings.personGoneMs + 500);
    expect(h.state).toBe('cleared.closed');
    expect(h.outputs.relay).toBe('locked');
    expect(decisions(h).map((d) => d.outcome)).toEqual(['cleared']);
    expect(h.prompts()).toEqual(['thank_you']);
  });

  test('an unmasked newcomer who leaves: back to closed, not a second clear for the one who stayed', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    h.live(h.settings.relayOpenMs + 100);
    const b = h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    // Walks off: seen leaving the zone, then gone (someone alerted and lost at the door is kept longer).
    h.people.get(b)!.inZone = false;
    h.frame();
    h.people.delete(b);
    // The one who stayed was at the door with the alert: back to closed once they have stood masked for
    // gate.clearAfterAlert.minMs after the alerted newcomer was last seen, not before.
    const { minMs } = h.settings.clearAfterAlert;
    h.live(minMs - 100);
    expect(h.state).toBe('alert.active');
    h.live(200);
    expect(h.state).toBe('cleared.closed');
    expect(h.outputs.relay).toBe('locked');
    expect(decisions(h).map((d) => d.outcome)).toEqual(['cleared', 'alert']);
  });

  test('a masked newcomer after the passage is cleared, and the relay opens again for them', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    h.live(h.settings.relayOpenMs + 100);
    const b = h.addPerson('unknown');
    h.frame();
    expect(h.state).toBe('evaluating');
    h.people.get(b)!.label = 'mask';
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    expect(decisions(h).map((d) => d.outcome)).toEqual(['cleared', 'cleared']);
  });

  test('someone masked who joins while the relay is open passes with the others: no second opening for them', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    const b = h.addPerson('mask');
    h.frames(K + 1);
    expect(h.snapshot.context.tracks[b]!.cleared).toBe(true);
    h.live(h.settings.relayOpenMs + 100);
    const glitch = h.addPerson('unknown');
    h.frame();
    h.people.delete(glitch);
    h.live(h.settings.personGoneMs + 500);
    expect(h.state).toBe('cleared.closed');
    expect(decisions(h)).toHaveLength(1);
  });
});

describe('the clearing rule', () => {
  test('unmasked outvotes mask on a tie: a 4-4 window is no_mask, even where K = N/2 lets both reach K', () => {
    const tr = (votes: FaceLabel[]): TrackEvidence => ({ votes, confidence: 0.9, lastSeen: 0, inZone: true, facePx: 100, moved: true, decided: false, cleared: false, alert: null, held: null, run: { frames: 0, peakPx: 0 } });
    const tie: FaceLabel[] = ['mask', 'no_mask', 'mask', 'no_mask', 'mask', 'incorrect', 'mask', 'no_mask'];
    expect(personVerdict(tr(tie), 4)).toBe('no_mask');
    // With the schema's K > N/2, a tie reaches neither side: undecided, never mask.
    expect(personVerdict(tr(tie), 5)).toBe('undecided');
    expect(personVerdict(tr(['mask', 'mask', 'mask', 'mask', 'mask', 'unknown', 'unknown', 'unknown']), 5)).toBe('mask');
    // The same votes from a face that has not moved decide nothing.
    expect(personVerdict({ ...tr(['mask', 'mask', 'mask', 'mask', 'mask']), moved: false }, 5)).toBe('undecided');
  });

  test('the decision record agrees with the guards: cleared only with everyone at decision size masked', () => {
    const p = (id: string, verdict: PersonVerdict) => ({ id, verdict, confidence: 0.9, votes: { mask: 0, no_mask: 0, incorrect: 0, unknown: 0 } });
    expect(verdictOf([]).kind).toBe('empty');
    expect(verdictOf([p('a', 'mask'), p('b', 'undecided')]).kind).toBe('undecided');
    expect(verdictOf([p('a', 'mask'), p('b', 'incorrect'), p('c', 'undecided')])).toMatchObject({ kind: 'alert', reason: 'incorrect' });
    expect(verdictOf([p('a', 'incorrect'), p('b', 'no_mask')])).toMatchObject({ kind: 'alert', reason: 'no_mask' });
    expect(verdictOf([p('a', 'mask'), p('b', 'mask')]).kind).toBe('cleared');
  });

  test('no_mask outranks incorrect for the reason when both are in the zone', async () => {
    const h = await booted();
    h.addPerson('incorrect');
    h.addPerson('no_mask');
    h.frames(K);
    expect(h.snapshot.context.alertReason).toBe('no_mask');
    expect(h.prompts()).toEqual(['wear_mask']);
  });
});
