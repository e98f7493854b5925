import type { SequenceExpectation, SequenceExpectations } from './schema';

/**
 * The check `mask-gate replay` applies: the outcomes a replay produced against those sequence.json expects.
 * Every expected outcome needs a matching one inside its [earliest_ms, latest_ms] window; the same outcome
 * repeated inside that window is one decision; anything else (a different outcome in the window, or any
 * outcome outside every window, e.g. an alert while the doorway is empty) fails the replay.
 */
export interface ObservedOutcome {
  outcome: 'cleared' | 'alert';
  t_ms: number;
  /** For alerts, when the replay knows it. */
  reason?: string;
}

export interface ExpectationResult {
  ok: boolean;
  /** One entry per expected outcome: the observation that met it and how long after t_ms it came. */
  matched: { expected: SequenceExpectation; observed: ObservedOutcome | null; delayMs: number | null }[];
  /** Human-readable, one line each, with times. */
  failures: string[];
}

export function checkExpectations(expectations: SequenceExpectations, observed: readonly ObservedOutcome[]): ExpectationResult {
  const obs = [...observed].sort((a, b) => a.t_ms - b.t_ms);
  const used = new Set<number>();
  const failures: string[] = [];
  const matched: ExpectationResult['matched'] = [];

  for (const exp of expectations.outcomes) {
    const inWindow = obs.map((o, i) => ({ o, i })).filter(({ o }) => o.t_ms >= exp.earliest_ms && o.t_ms <= exp.latest_ms);
    const what = `${exp.outcome}${exp.reason ? ` (${exp.reason})` : ''} between ${exp.earliest_ms} and ${exp.latest_ms} ms${exp.subject ? ` for ${exp.subject.image}` : ''}`;
    for (const { i } of inWindow) used.add(i);
    const first = inWindow[0]?.o ?? null;
    matched.push({ expected: exp, observed: first, delayMs: first ? first.t_ms - exp.t_ms : null });
    if (!first) {
      failures.push(`expected ${what}, got none`);
      continue;
    }
    const wrong = inWindow.find(({ o }) => o.outcome !== exp.outcome || (exp.reason && o.reason && o.reason !== exp.reason));
    if (wrong) failures.push(`expected ${what}, got ${describe(wrong.o)}`);
  }
  obs.forEach((o, i) => {
    if (!used.has(i)) failures.push(`expected no decision at ${o.t_ms} ms (outside every expected window), got ${describe(o)}`);
  });
  return { ok: failures.length === 0, matched, failures };
}

function describe(o: ObservedOutcome): string {
  return `${o.outcome}${o.reason ? ` (${o.reason})` : ''} at ${o.t_ms} ms`;
}

/**
 * The gate outcome a photo's labelled faces call for: any face without a mask is an alert (no_mask), else
 * any mask worn wrongly is an alert (incorrect), else everyone is masked and the gate clears.
 */
export function outcomeForFaces(labels: readonly ('mask' | 'no_mask' | 'incorrect')[]): { outcome: 'cleared' | 'alert'; reason?: 'no_mask' | 'incorrect' } | null {
  if (labels.length === 0) return null;
  if (labels.includes('no_mask')) return { outcome: 'alert', reason: 'no_mask' };
  if (labels.includes('incorrect')) return { outcome: 'alert', reason: 'incorrect' };
  return { outcome: 'cleared' };
}
