import { percentile } from '../pipeline/frame-rate';
import type { Sequence } from '../sequence/schema';
import { round2 } from './stage-timer';

/** A gate decision during the bench, on the sequence's clock; lagMs: the real time its frame took. */
export interface BenchDecision {
  tMs: number;
  lagMs: number;
  outcome: 'cleared' | 'alert';
  reason?: string | null;
}

export type Verdict = 'correct' | 'wrongClear' | 'wrongAlert' | 'undecided';

/**
 * What the gate told people it could not decide, on the sequence's clock: the look-at-camera prompts
 * (gate.undecidedPromptMs) and the staff notifications with reason `undecided` (gate.undecidedStaffMs).
 * Neither is a decision.
 */
export interface BenchNotices {
  lookAtCameraMs: readonly number[];
  staffUndecidedMs: readonly number[];
}

const NO_NOTICES: BenchNotices = { lookAtCameraMs: [], staffUndecidedMs: [] };

export interface PersonResult {
  person: number;
  /** The photo the person (or group) was cut from, and the labels of their faces. */
  image: string;
  labels: string[];
  appearMs: number;
  /** The end of the passage: the empty corridor after them (or the sequence's end). */
  goneMs: number;
  /** First frame in which the person's tallest labelled face is at least gate.decideMinFacePx high; null: never. */
  decisionSizeMs: number | null;
  /** What the labels call for: null when the face never reaches decision size (nothing may be decided). */
  expected: 'cleared' | 'alert' | null;
  /** First decision while the person was in view, and every outcome decided then. */
  decisionMs: number | null;
  outcomes: string[];
  verdict: Verdict;
  /** Asked to look at the camera while in view; staff notified that they stayed undecided. */
  askedToLook: boolean;
  staffCalled: boolean;
}

export interface Judgement {
  people: PersonResult[];
  /**
   * People by verdict; of the undecided, how many the gate asked to look at the camera and reported to staff
   * (told, not decided: they count in neither the decided share nor the latency).
   */
  outcomes: Record<'correct' | 'wrongClears' | 'wrongAlerts' | 'undecided' | 'undecidedPrompted' | 'undecidedStaffCalled', number>;
  /** From the frame of decision size to the first decision, sequence clock, over the people decided. */
  decisionLatencyMs: { p50: number; p95: number; decided: number; people: number };
  /** The same plus the real time the deciding frame took: what a live camera would add. */
  decisionLatencyLiveMs: { p50: number; p95: number };
  /** The old measure, from the person's first frame (far away, face under decision size). */
  decisionLatencyFromAppearMs: { p50: number; p95: number };
  /** Decided before their face reached decision size: the gate decided on a face too small. */
  decidedBeforeDecisionSize: number;
  /** Decisions while the doorway was empty (a clear is a wrong clear), and when. */
  decisionsWithNobody: { cleared: number; alert: number; atMs: number[] };
}

/**
 * Judges a bench run against the sequence's labels. A person is each approach of the timeline, in view
 * until the empty corridor after them. A clear of anyone the labels refuse is a wrong clear, whatever else
 * was decided for them; an alert for someone the labels let in is a wrong alert.
 */
export function judge(seq: Sequence, decisions: readonly BenchDecision[], decideMinFacePx: number, notices: BenchNotices = NO_NOTICES): Judgement {
  const timeline = seq.source.timeline ?? [];
  const end = seq.frames.at(-1)!.t_ms + 1;
  const expectations = seq.expectations?.outcomes ?? [];
  const used = new Set<BenchDecision>();
  const people: PersonResult[] = [];
  const live: number[] = [];
  timeline.forEach((s, i) => {
    if (s.kind !== 'approach') return;
    const until = timeline.slice(i + 1).find((x) => x.kind === 'empty')?.from_ms ?? end;
    const inView = (t: number) => t >= s.from_ms && t < until;
    const sizeFrame = seq.frames.find((f) => inView(f.t_ms) && (f.face_px ?? 0) >= decideMinFacePx);
    const exp = expectations.find((e) => inView(e.t_ms));
    const mine = decisions.filter((d) => inView(d.tMs));
    mine.forEach((d) => used.add(d));
    const expected = sizeFrame && exp ? exp.outcome : null;
    const verdict: Verdict =
      expected === null
        ? mine.some((d) => d.outcome === 'cleared') ? 'wrongClear' : mine.length ? 'wrongAlert' : 'correct'
        : !mine.length ? 'undecided' : expected === 'alert' && mine.some((d) => d.outcome === 'cleared') ? 'wrongClear' : expected === 'cleared' && mine.some((d) => d.outcome === 'alert') ? 'wrongAlert' : 'correct';
    const first = mine[0];
    if (first && sizeFrame) live.push(Math.max(0, first.tMs - sizeFrame.t_ms) + first.lagMs);
    people.push({
      person: people.length,
      image: s.image ?? '',
      labels: exp?.subject?.faces.map((f) => f.label) ?? [],
      appearMs: s.from_ms,
      goneMs: until,
      decisionSizeMs: sizeFrame?.t_ms ?? null,
      expected,
      decisionMs: first?.tMs ?? null,
      outcomes: mine.map((d) => (d.reason ? `${d.outcome} (${d.reason})` : d.outcome)),
      verdict,
      askedToLook: notices.lookAtCameraMs.some(inView),
      staffCalled: notices.staffUndecidedMs.some(inView),
    });
  });
  const decided = people.filter((p) => p.decisionMs !== null && p.decisionSizeMs !== null);
  const fromSize = decided.map((p) => Math.max(0, p.decisionMs! - p.decisionSizeMs!));
  const fromAppear = people.filter((p) => p.decisionMs !== null).map((p) => p.decisionMs! - p.appearMs);
  const stray = decisions.filter((d) => !used.has(d));
  const count = (v: Verdict) => people.filter((p) => p.verdict === v).length;
  const pct = (xs: number[]) => ({ p50: round2(percentile(xs, 0.5)), p95: round2(percentile(xs, 0.95)) });
  return {
    people,
    outcomes: {
      correct: count('correct'),
      wrongClears: count('wrongClear'),
      wrongAlerts: count('wrongAlert'),
      undecided: count('undecided'),
      undecidedPrompted: people.filter((p) => p.verdict === 'undecided' && p.askedToLook).length,
      undecidedStaffCalled: people.filter((p) => p.verdict === 'undecided' && p.staffCalled).length,
    },
    decisionLatencyMs: { ...pct(fromSize), decided: decided.length, people: people.filter((p) => p.expected !== null).length },
    decisionLatencyLiveMs: pct(live),
    decisionLatencyFromAppearMs: pct(fromAppear),
    decidedBeforeDecisionSize: decided.filter((p) => p.decisionMs! < p.decisionSizeMs!).length,
    decisionsWithNobody: { cleared: stray.filter((d) => d.outcome === 'cleared').length, alert: stray.filter((d) => d.outcome === 'alert').length, atMs: stray.map((d) => d.tMs) },
  };
}
