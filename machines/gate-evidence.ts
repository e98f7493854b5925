import type { AlertReason, FaceLabel, PersonObservation } from './gate-events';

/**
 * Evidence per tracked person: the last N labels, so a decision needs K of N frames to agree.
 * Pure functions over plain data, so the machine's context stays serialisable.
 */
export interface EvidenceConfig {
  windowFrames: number;
  agreeFrames: number;
  minConfidence: number;
}

export interface TrackEvidence {
  /** The last windowFrames labels seen for this person, oldest first. */
  votes: FaceLabel[];
  /** Mean confidence of the votes, for the decision record. */
  confidence: number;
  /** Frame time (ms) the person was last seen. */
  lastSeen: number;
  /** Whether the face was inside the gate zone when last seen. */
  inZone: boolean;
}

export type Tracks = Record<string, TrackEvidence>;

export type PersonVerdict = 'mask' | 'no_mask' | 'incorrect' | 'undecided';

export interface PersonDecision {
  id: string;
  verdict: PersonVerdict;
  confidence: number;
  votes: Record<FaceLabel, number>;
}

export type GateVerdict =
  | { kind: 'empty' }
  | { kind: 'undecided'; people: PersonDecision[] }
  | { kind: 'cleared'; people: PersonDecision[] }
  | { kind: 'alert'; reason: Exclude<AlertReason, 'fever'>; people: PersonDecision[] };

/**
 * Adds one frame's observations. People not seen in this frame keep their votes (a face the detector
 * missed once is still there) until they have been unseen for `forgetAfterMs`.
 */
export function addObservations(tracks: Tracks, people: readonly PersonObservation[], t: number, cfg: EvidenceConfig, forgetAfterMs: number): Tracks {
  const next: Tracks = {};
  for (const [id, tr] of Object.entries(tracks)) {
    if (t - tr.lastSeen <= forgetAfterMs) next[id] = tr;
  }
  for (const p of people) {
    const prev = next[p.id];
    const label: FaceLabel = p.confidence >= cfg.minConfidence ? p.label : 'unknown';
    const votes = [...(prev?.votes ?? []), label].slice(-cfg.windowFrames);
    const n = votes.length;
    const confidence = prev ? prev.confidence + (p.confidence - prev.confidence) / Math.min(n, cfg.windowFrames) : p.confidence;
    next[p.id] = { votes, confidence, lastSeen: t, inZone: p.inZone };
  }
  return next;
}

export function countVotes(votes: readonly FaceLabel[]): Record<FaceLabel, number> {
  const c: Record<FaceLabel, number> = { mask: 0, no_mask: 0, incorrect: 0, unknown: 0 };
  for (const v of votes) c[v]++;
  return c;
}

/** K of the last N agree: masked, or unmasked (no_mask and incorrect together, the larger one names it). */
export function personVerdict(tr: TrackEvidence, k: number): PersonVerdict {
  const c = countVotes(tr.votes);
  if (c.mask >= k) return 'mask';
  if (c.no_mask + c.incorrect >= k) return c.incorrect > c.no_mask ? 'incorrect' : 'no_mask';
  return 'undecided';
}

/** The people who count for the gate: in the zone when last seen. */
export function peopleInZone(tracks: Tracks): [string, TrackEvidence][] {
  return Object.entries(tracks).filter(([, tr]) => tr.inZone);
}

/** Any unmasked person alerts; the gate clears only when everyone in the zone is masked. */
export function gateVerdict(tracks: Tracks, k: number): GateVerdict {
  const inZone = peopleInZone(tracks);
  if (inZone.length === 0) return { kind: 'empty' };
  const people: PersonDecision[] = inZone.map(([id, tr]) => ({ id, verdict: personVerdict(tr, k), confidence: round3(tr.confidence), votes: countVotes(tr.votes) }));
  if (people.some((p) => p.verdict === 'no_mask')) return { kind: 'alert', reason: 'no_mask', people };
  if (people.some((p) => p.verdict === 'incorrect')) return { kind: 'alert', reason: 'incorrect', people };
  if (people.every((p) => p.verdict === 'mask')) return { kind: 'cleared', people };
  return { kind: 'undecided', people };
}

/** Whether this frame shows anyone in the zone (drives the person-gone timer). */
export function anyoneInZoneNow(people: readonly PersonObservation[]): boolean {
  return people.some((p) => p.inZone);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
