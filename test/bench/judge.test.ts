import { judge, type BenchDecision, type Judgement } from '../../src/bench/judge';
import { formatRun } from '../../src/bench/report';
import type { BenchResult } from '../../src/bench/run-bench';
import type { Sequence } from '../../src/sequence/schema';

/** Two people: frames every 100 ms; each face grows 20, 30, 40, 50, 60 px over the approach. */
function sequence(): Sequence {
  const frames: Sequence['frames'] = [];
  const px: Record<number, number> = { 1000: 20, 1100: 30, 1200: 40, 1300: 50, 1400: 60, 1500: 60, 3000: 20, 3100: 30, 3200: 40, 3300: 50, 3400: 60, 3500: 60 };
  for (let t = 0; t <= 4500; t += 100) frames.push({ file: `f${t}.jpg`, t_ms: t, ...(px[t] ? { face_px: px[t] } : {}) });
  const face = (label: 'mask' | 'no_mask') => ({ image: `${label}.jpg`, faces: [{ label, box: [0, 0, 10, 10] as [number, number, number, number] }] });
  return {
    format: 'mask-gate-sequence',
    version: 1,
    fps: 10,
    width: 640,
    height: 360,
    source: {
      kind: 'synthesized',
      tool: 'test',
      created: 'now',
      timeline: [
        { kind: 'empty', from_ms: 0, to_ms: 1000 },
        { kind: 'approach', from_ms: 1000, to_ms: 1400, image: 'mask.jpg' },
        { kind: 'hold', from_ms: 1400, to_ms: 1600, image: 'mask.jpg' },
        { kind: 'empty', from_ms: 1600, to_ms: 3000 },
        { kind: 'approach', from_ms: 3000, to_ms: 3400, image: 'no_mask.jpg' },
        { kind: 'hold', from_ms: 3400, to_ms: 3600, image: 'no_mask.jpg' },
        { kind: 'empty', from_ms: 3600, to_ms: 4500 },
      ],
    },
    frames,
    expectations: {
      tolerance_ms: 200,
      outcomes: [
        { outcome: 'cleared', t_ms: 1400, earliest_ms: 1300, latest_ms: 1600, subject: face('mask') },
        { outcome: 'alert', reason: 'no_mask', t_ms: 3400, earliest_ms: 3300, latest_ms: 3600, subject: face('no_mask') },
      ],
    },
  };
}

const d = (tMs: number, outcome: 'cleared' | 'alert', lagMs = 10): BenchDecision => ({ tMs, outcome, lagMs });

describe('bench judgement against the labels', () => {
  it('times each decision from the frame in which the face reaches decision size', () => {
    const j = judge(sequence(), [d(1500, 'cleared'), d(3400, 'alert', 30)], 45);
    expect(j.people.map((p) => [p.decisionSizeMs, p.expected, p.verdict])).toEqual([
      [1300, 'cleared', 'correct'],
      [3300, 'alert', 'correct'],
    ]);
    expect(j.outcomes).toEqual({ correct: 2, wrongClears: 0, wrongAlerts: 0, undecided: 0, undecidedPrompted: 0, undecidedStaffCalled: 0 });
    expect(j.decisionLatencyMs).toEqual({ p50: 100, p95: 200, decided: 2, people: 2 });
    expect(j.decisionLatencyLiveMs).toEqual({ p50: 130, p95: 210 });
    expect(j.decisionLatencyFromAppearMs).toEqual({ p50: 400, p95: 500 });
    expect(j.decidedBeforeDecisionSize).toBe(0);
  });

  it('a clear of someone the labels refuse is a wrong clear even after an alert; a missing decision is undecided', () => {
    const j = judge(sequence(), [d(3350, 'alert'), d(3500, 'cleared')], 45);
    expect(j.people.map((p) => p.verdict)).toEqual(['undecided', 'wrongClear']);
    expect(j.outcomes).toEqual({ correct: 0, wrongClears: 1, wrongAlerts: 0, undecided: 1, undecidedPrompted: 0, undecidedStaffCalled: 0 });
    expect(j.decisionLatencyMs).toMatchObject({ decided: 1, people: 2 });
  });

  it('counts an alert for a masked person as a wrong alert, decisions before decision size, and decisions with nobody there', () => {
    const j = judge(sequence(), [d(500, 'cleared'), d(1100, 'alert'), d(2000, 'alert')], 45);
    expect(j.people[0]).toMatchObject({ verdict: 'wrongAlert', decisionMs: 1100, outcomes: ['alert'] });
    expect(j.decidedBeforeDecisionSize).toBe(1);
    expect(j.decisionsWithNobody).toEqual({ cleared: 1, alert: 1, atMs: [500, 2000] });
  });

  it('a face that never reaches decision size must not be decided: any decision for it is wrong', () => {
    const j = judge(sequence(), [d(1500, 'cleared')], 70);
    expect(j.people.map((p) => [p.decisionSizeMs, p.expected, p.verdict])).toEqual([
      [null, null, 'wrongClear'],
      [null, null, 'correct'],
    ]);
    expect(j.decisionLatencyMs).toMatchObject({ decided: 0, people: 0 });
  });
});

describe('what the gate told the people it could not decide', () => {
  it('counts the undecided asked to look at the camera and reported to staff, as no decision', () => {
    // Nobody decided; the first person asked while in view (1600 is the empty corridor: not theirs), the second also reported.
    const j = judge(sequence(), [], 45, { lookAtCameraMs: [1550, 1600, 3550], staffUndecidedMs: [3590] });
    expect(j.people.map((p) => [p.verdict, p.askedToLook, p.staffCalled, p.goneMs])).toEqual([
      ['undecided', true, false, 1600],
      ['undecided', true, true, 3600],
    ]);
    expect(j.outcomes).toEqual({ correct: 0, wrongClears: 0, wrongAlerts: 0, undecided: 2, undecidedPrompted: 2, undecidedStaffCalled: 1 });
    expect(j.decisionLatencyMs).toMatchObject({ decided: 0, people: 2 });
  });

  it('a prompt to someone later decided counts as neither undecided nor prompted-undecided; decided share and latency unchanged', () => {
    const plain = judge(sequence(), [d(1500, 'cleared')], 45);
    const told = judge(sequence(), [d(1500, 'cleared')], 45, { lookAtCameraMs: [1450, 3500], staffUndecidedMs: [] });
    expect(told.people[0]).toMatchObject({ verdict: 'correct', askedToLook: true });
    expect(told.outcomes).toEqual({ ...plain.outcomes, undecidedPrompted: 1 });
    expect(told.decisionLatencyMs).toEqual(plain.decisionLatencyMs);
  });
});

describe('the report', () => {
  const result = (j: Judgement, undecidedStaffMs: number | null = 20_000): BenchResult => ({
    ...j,
    model: 'm', decoder: 'two_stage', provider: 'cpu', threads: 1, size: '640x360', frames: 46,
    schedule: { overlap: true, reclassifyEvery: 3, idleEvery: 2 }, skippedFrames: 0, carriedReadings: 0, turnedReadings: 0, maskMaxTurn: 0.5,
    frameLatencyMs: { p50: 1, p95: 2 }, facesPerFrame: { '1': 46 }, seconds: 1, fps: 46, stages: {},
    decideMinFacePx: 45, undecidedPromptMs: 4000, undecidedStaffMs, peakRssMb: 100, host: { cpus: 2, loadavg1: 0 },
  });

  it('says what the undecided were told and how long the longest stayed, against the prompt time', () => {
    const text = formatRun(result(judge(sequence(), [d(1500, 'cleared')], 45, { lookAtCameraMs: [3550], staffUndecidedMs: [] })));
    // The second person reached decision size at 3300 and the passage ended at 3600.
    expect(text).toContain('1 of 1 asked to look at the camera (after gate.undecidedPromptMs 4000 ms), 0 reported to staff (after 20000 ms); the longest stayed 300 ms in view from decision size');
    expect(text).toMatch(/undecided +#1 no_mask\.jpg \[no_mask\]: no decision, asked to look at the camera$/m);
    expect(formatRun(result(judge(sequence(), [], 45), null))).toContain('staff never notified (undecidedStaffMs null)');
  });

  it('says how many mask readings were refused as turned, or that turned faces read mask', () => {
    const j = judge(sequence(), [d(1500, 'cleared')], 45);
    expect(formatRun({ ...result(j), turnedReadings: 7 })).toContain('turned faces: 7 mask readings refused, turned past 0.5 (detector.maskMaxTurn)');
    expect(formatRun({ ...result(j), maskMaxTurn: null })).toContain('turned faces: any turn reads mask (detector.maskMaxTurn null)');
  });

  it('has no such line when everyone was decided', () => {
    expect(formatRun(result(judge(sequence(), [d(1500, 'cleared'), d(3400, 'alert')], 45)))).not.toContain('asked to look at the camera');
  });
});
