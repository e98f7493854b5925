import { earnedClear, extendRun, NO_RUN, updateHold, type ClearAfterAlertConfig, type GroupHold, type MaskRun, type PersonAlert } from './gate-after-alert';
import type { FaceLabel, IgnoreReason, PersonObservation } from './gate-events';

/**
 * Evidence per tracked person: the last N labels, so a decision needs K of N frames to agree.
 * Pure functions over plain data, so the machine's context stays serialisable.
 */
export interface EvidenceConfig {
  windowFrames: number;
  agreeFrames: number;
  minConfidence: number;
}

/** What the evidence needs from settings: the vote rule, the decision size, how long an unseen face is kept, what clears after an alert. */
export interface EvidenceRules {
  evidence: EvidenceConfig;
  decideMinFacePx: number;
  personGoneMs: number;
  clearAfterAlert: ClearAfterAlertConfig;
}

export interface TrackEvidence {
  /** The last windowFrames labels seen for this person at decision size, oldest first. */
  votes: FaceLabel[];
  /** Mean confidence of the votes, for the decision record. */
  confidence: number;
  /** Frame time (ms) the person was last seen. */
  lastSeen: number;
  /** Whether the face was inside the gate zone when last seen. */
  inZone: boolean;
  /** Face height (px) when last seen. */
  facePx: number;
  /** The face has moved since it appeared (a picture never has). */
  moved: boolean;
  /** Reached a verdict once: from then on it is a person, whatever the tracker later says (see addObservations). */
  decided: boolean;
  /** The gate has opened for this person once: it does not open again for them alone. */
  cleared: boolean;
  /**
   * The gate alerted for this person (their votes read unmasked in the zone at decision size) and they have
   * not earned a clear since (gate-after-alert.ts): until then they count as unmasked, whatever their votes.
   */
  alert: PersonAlert | null;
  /**
   * At the door while someone else was under an alert: until earned, held to gate.clearAfterAlert as well
   * (GroupHold, gate-after-alert.ts); their votes still say what they read.
   */
  held: GroupHold | null;
  /** Consecutive frames of fresh `mask` evidence (gate-after-alert.ts). */
  run: MaskRun;
}

export type Tracks = Record<string, TrackEvidence>;

export type PersonVerdict = 'mask' | 'no_mask' | 'incorrect' | 'undecided';

export interface PersonDecision {
  id: string;
  verdict: PersonVerdict;
  confidence: number;
  votes: Record<FaceLabel, number>;
}

/** The decision as recorded (event log, MQTT, replay): the people it was about and what each was. */
export type GateVerdict =
  | { kind: 'empty' }
  | { kind: 'undecided'; people: PersonDecision[] }
  | { kind: 'cleared'; people: PersonDecision[] }
  | { kind: 'alert'; reason: 'no_mask' | 'incorrect'; people: PersonDecision[] };

/** A face in view that does not count for the gate, and why (the operator page lists them). */
export interface IgnoredFace {
  id: string;
  reason: IgnoreReason;
  facePx: number;
  /** Which ignore zone, for `ignore_zone`. */
  zone?: string;
}

/**
 * Adds one frame's observations.
 * - A face the tracker ignores (a picture that has not moved for stationaryAfterMs, a face in an ignore
 *   zone) is no person: it is dropped, unless it had already been decided. A person who was decided and
 *   then stands still, or steps in front of an ignored poster, keeps counting: standing still must never
 *   undo an alert nor let a companion be cleared past them.
 * - A face below the decision size is kept (it is still someone) but adds no vote: votes come only from
 *   frames at decision size.
 * - A person whose votes read unmasked in the zone at decision size is under an alert until they earn a
 *   clear (gate-after-alert.ts); below decision size or out of the zone they keep it.
 * - Everyone else at the door while an alert is on is held to the same bar (holdTheGroup).
 * People not seen in this frame keep their votes (a face the detector missed once is still there) until
 * they have been unseen for personGoneMs.
 */
export function addObservations(tracks: Tracks, people: readonly PersonObservation[], t: number, rules: EvidenceRules): Tracks {
  const cfg = rules.evidence;
  const next: Tracks = {};
  let lifted = false;
  for (const [id, tr] of Object.entries(tracks)) {
    // Someone alerted for and lost at the door (a turned head, the tracker losing a quick move) may still be
    // there, or come back under a new track: they are kept until the door empties (alertedTracks), and keep
    // the alert on for whoever is at the door (holdTheGroup).
    if (t - tr.lastSeen <= rules.personGoneMs || (tr.alert && atDoor(tr, rules))) next[id] = tr;
  }
  for (const p of people) {
    const prev = next[p.id];
    if (p.ignored && !prev?.decided) {
      delete next[p.id];
      continue;
    }
    const seen = { lastSeen: t, inZone: p.inZone, facePx: p.facePx, moved: p.moved || (prev?.moved ?? false) };
    const kept = { decided: prev?.decided ?? false, cleared: prev?.cleared ?? false, alert: prev?.alert ?? null, held: prev?.held ?? null };
    if (p.facePx < rules.decideMinFacePx) {
      next[p.id] = { votes: prev?.votes ?? [], confidence: prev?.confidence ?? 0, ...kept, run: NO_RUN, ...seen };
      continue;
    }
    let tr: TrackEvidence;
    if (p.carried || p.unsure) {
      // Seen, but not read again (a reading carried over) or not read surely (under the operating point): no
      // vote, and the run of mask frames neither grows nor ends.
      tr = { votes: prev?.votes ?? [], confidence: prev?.confidence ?? 0, ...kept, run: prev?.run ?? NO_RUN, ...seen };
    } else {
      const label: FaceLabel = p.confidence >= cfg.minConfidence ? p.label : 'unknown';
      const votes = [...(prev?.votes ?? []), label].slice(-cfg.windowFrames);
      const n = votes.length;
      const confidence = prev && prev.votes.length ? prev.confidence + (p.confidence - prev.confidence) / Math.min(n, cfg.windowFrames) : p.confidence;
      const run = extendRun(prev?.run ?? NO_RUN, label, p, rules.decideMinFacePx, rules.clearAfterAlert);
      tr = { votes, confidence, ...kept, run, ...seen };
    }
    const read = votesVerdict(tr, cfg.agreeFrames);
    if (p.inZone && (read === 'no_mask' || read === 'incorrect')) {
      // The gate alerts for them. Evidence for a clear counts only from after the last frame read unmasked.
      tr.alert = { reason: read, at: prev?.alert?.at ?? t };
      tr.run = NO_RUN;
    } else if (tr.alert && earnedClear(tr.alert, tr.run, t, rules.clearAfterAlert)) {
      tr.alert = null;
      lifted = true;
    }
    tr.decided ||= personVerdict(tr, cfg.agreeFrames) !== 'undecided';
    next[p.id] = tr;
  }
  // A frame without the face ends its run of mask frames: the run is of consecutive frames.
  for (const [id, tr] of Object.entries(next)) if (tr.lastSeen !== t && tr.run.frames) next[id] = { ...tr, run: NO_RUN };
  return holdTheGroup(next, t, rules, lifted);
}

/**
 * The alert applies to the group at the door (GroupHold, gate-after-alert.ts). While anyone is under an
 * alert (in view, or lost at the door), everyone else seen at the door this frame is held: from then on,
 * evidence for their clear counts afresh (the run restarts), and they need gate.clearAfterAlert's run minMs
 * after the last frame anyone under the alert was seen. Holds end when earned and nobody is under an alert
 * any more; all at once when the last alert is lifted by a mask put on and held (`lifted`): the group goes
 * with them. A person under an alert of their own is held by that instead.
 */
function holdTheGroup(tracks: Tracks, t: number, rules: EvidenceRules, lifted: boolean): Tracks {
  const alerted = Object.values(tracks).filter((tr) => tr.alert !== null);
  if (!alerted.length && !Object.values(tracks).some((tr) => tr.held)) return tracks;
  const alertSeenAt = Math.max(...alerted.map((tr) => tr.lastSeen));
  const next: Tracks = {};
  for (const [id, tr] of Object.entries(tracks)) {
    let { held, run } = tr;
    if (tr.alert) {
      held = null;
    } else if (alerted.length && !held && tr.lastSeen === t && atDoor(tr, rules)) {
      held = { at: alertSeenAt, earned: false };
      run = NO_RUN;
    }
    if (held && !alerted.length && lifted) held = null;
    else if (held) held = updateHold(held, alerted.length ? alertSeenAt : held.at, run, t, rules.clearAfterAlert);
    if (held?.earned && !alerted.length) held = null;
    next[id] = held === tr.held && run === tr.run ? tr : { ...tr, held, run };
  }
  return next;
}

export function countVotes(votes: readonly FaceLabel[]): Record<FaceLabel, number> {
  const c: Record<FaceLabel, number> = { mask: 0, no_mask: 0, incorrect: 0, unknown: 0 };
  for (const v of votes) c[v]++;
  return c;
}

/**
 * What the gate takes a person for: their votes (votesVerdict), except that someone the gate alerted for
 * stays unmasked, with the alert's reason, until they have earned a clear (gate-after-alert.ts): a few
 * frames read as `mask` clear nobody who was alerted.
 */
export function personVerdict(tr: TrackEvidence, k: number): PersonVerdict {
  const read = votesVerdict(tr, k);
  return tr.alert && (read === 'mask' || read === 'undecided') ? tr.alert.reason : read;
}

/**
 * K of the last N agree. Unmasked (no_mask and incorrect together; the larger names it, no_mask on a tie)
 * is asked first, and masked needs more votes than unmasked: no_mask and incorrect outvote mask on ties.
 * A face that has not moved since it appeared (possibly a picture) is undecided whatever its votes.
 */
export function votesVerdict(tr: Pick<TrackEvidence, 'votes' | 'moved'>, k: number): PersonVerdict {
  if (!tr.moved) return 'undecided';
  const c = countVotes(tr.votes);
  const unmasked = c.no_mask + c.incorrect;
  if (unmasked >= k) return c.incorrect > c.no_mask ? 'incorrect' : 'no_mask';
  if (c.mask >= k && c.mask > unmasked) return 'mask';
  return 'undecided';
}

/**
 * Everyone the gate decides on: in the zone and at decision size when last seen, at most personGoneMs ago.
 * Someone alerted for and lost at the door for longer is kept (addObservations) but no longer decided on:
 * whoever is at the door is held to gate.clearAfterAlert in their place (holdTheGroup).
 */
export function peopleAtDecisionSize(tracks: Tracks, t: number, rules: EvidenceRules): PersonDecision[] {
  return Object.entries(tracks)
    .filter(([, tr]) => atDoor(tr, rules) && t - tr.lastSeen <= rules.personGoneMs)
    .map(([id, tr]) => ({ id, verdict: personVerdict(tr, rules.evidence.agreeFrames), confidence: round3(tr.confidence), votes: countVotes(tr.votes) }));
}

// The clearing rule's parts. The statechart's guards compose them (gate.machine.ts); verdictOf describes
// the same composition for the decision record.
export const isUnmasked = (p: PersonDecision): boolean => p.verdict === 'no_mask' || p.verdict === 'incorrect';
export const someoneUnmasked = (people: readonly PersonDecision[]): boolean => people.some(isUnmasked);
export const someoneUndecided = (people: readonly PersonDecision[]): boolean => people.some((p) => p.verdict === 'undecided');

/**
 * Whether someone undecided has moved since they appeared: a person to talk to. A face that has not moved may
 * be a picture (gate.stationaryAfterMs), which holds the gate but is not asked to look at the camera, nor
 * reported to staff. With `seenAt`, only someone seen in that frame counts (not one missed, or walking off).
 */
export function someoneUndecidedWhoMoved(tracks: Tracks, people: readonly PersonDecision[], seenAt?: number): boolean {
  return people.some((p) => {
    const tr = tracks[p.id];
    return p.verdict === 'undecided' && tr?.moved === true && (seenAt === undefined || tr.lastSeen === seenAt);
  });
}

/** Whether anyone the gate decides on has not been cleared before (a clear opens only for someone new). */
export function someoneNotYetCleared(tracks: Tracks, people: readonly PersonDecision[]): boolean {
  return people.some((p) => !tracks[p.id]?.cleared);
}

/**
 * Whether someone the gate alerted for has not earned a clear and is still in view: at any size, in or out of
 * the zone, unseen for at most personGoneMs. Someone stepping back or aside after an alert is leaving, not
 * cleared, and nobody beside them is cleared until they are gone. Someone lost at the door for longer is kept
 * (addObservations) but holds nobody by themselves: whoever is at the door is held to gate.clearAfterAlert
 * instead (someoneHeldWithoutFreshMask), the alerted person back under a new track included.
 */
export function someoneAlertedWithoutFreshMask(tracks: Tracks, t: number | undefined, personGoneMs: number): boolean {
  return Object.values(tracks).some((tr) => tr.alert !== null && (t === undefined || t - tr.lastSeen <= personGoneMs));
}

/** Whether someone at the door with an alert (holdTheGroup) has not yet earned a clear under gate.clearAfterAlert. */
export function someoneHeldWithoutFreshMask(tracks: Tracks): boolean {
  return Object.values(tracks).some((tr) => tr.held !== null && !tr.held.earned);
}

/**
 * What the door keeps when it empties (nobody at decision size in the zone for personGoneMs): the people
 * under an alert still in view, stepped back or aside (last seen within personGoneMs, not at the door).
 */
export function alertedTracks(tracks: Tracks, t: number, rules: EvidenceRules): Tracks {
  return Object.fromEntries(Object.entries(tracks).filter(([, tr]) => tr.alert !== null && !atDoor(tr, rules) && t - tr.lastSeen <= rules.personGoneMs));
}

/** In the zone and at decision size when last seen. */
function atDoor(tr: TrackEvidence, rules: EvidenceRules): boolean {
  return tr.inZone && tr.facePx >= rules.decideMinFacePx;
}

/** Whether someone the gate decides on is counted from an earlier frame (not in this one): nobody is cleared unseen. */
export function someoneOutOfSight(tracks: Tracks, people: readonly PersonDecision[], t: number | undefined): boolean {
  return people.some((p) => tracks[p.id]?.lastSeen !== t);
}

/** Marks everyone the gate has just cleared. */
export function markCleared(tracks: Tracks, people: readonly PersonDecision[]): Tracks {
  const next = { ...tracks };
  for (const p of people) if (next[p.id]) next[p.id] = { ...next[p.id]!, cleared: true };
  return next;
}

/** The alert's reason: no_mask when anyone has no mask at all, else incorrect; null when nobody is unmasked. */
export function alertReasonOf(people: readonly PersonDecision[]): 'no_mask' | 'incorrect' | null {
  if (people.some((p) => p.verdict === 'no_mask')) return 'no_mask';
  return people.some((p) => p.verdict === 'incorrect') ? 'incorrect' : null;
}

/** The record of a decision: alert if anyone is unmasked, cleared only if everyone is masked and nobody undecided. */
export function verdictOf(people: PersonDecision[]): GateVerdict {
  if (people.length === 0) return { kind: 'empty' };
  const reason = alertReasonOf(people);
  if (reason) return { kind: 'alert', reason, people };
  return someoneUndecided(people) ? { kind: 'undecided', people } : { kind: 'cleared', people };
}

/** Whether this frame shows anyone the gate decides on: in the zone, at decision size, counted. */
export function anyoneAtDecisionSizeNow(tracks: Tracks, t: number, rules: EvidenceRules): boolean {
  return Object.values(tracks).some((tr) => tr.lastSeen === t && tr.inZone && tr.facePx >= rules.decideMinFacePx);
}

/** This frame's faces that do not count, and why; `tracks` is the evidence after the frame. */
export function ignoredFaces(people: readonly PersonObservation[], tracks: Tracks, rules: EvidenceRules): IgnoredFace[] {
  const out: IgnoredFace[] = [];
  for (const p of people) {
    const counted = tracks[p.id] !== undefined;
    const reason: IgnoreReason | null = p.ignored && !counted ? p.ignored : !p.inZone ? 'outside_zone' : p.facePx < rules.decideMinFacePx ? 'too_small' : null;
    if (reason) out.push({ id: p.id, reason, facePx: Math.round(p.facePx), ...(reason === 'ignore_zone' && p.ignoreZone ? { zone: p.ignoreZone } : {}) });
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
