import { checkExpectations, outcomeForFaces } from '../../src/sequence/expectations';
import type { SequenceExpectations } from '../../src/sequence/schema';

const exp: SequenceExpectations = {
  tolerance_ms: 2000,
  outcomes: [
    { outcome: 'cleared', t_ms: 4000, earliest_ms: 2500, latest_ms: 6000 },
    { outcome: 'alert', reason: 'no_mask', t_ms: 10000, earliest_ms: 8500, latest_ms: 12000 },
  ],
};

describe('checkExpectations', () => {
  it('passes when each outcome comes inside its window, repeats included', () => {
    const r = checkExpectations(exp, [
      { outcome: 'alert', t_ms: 10500, reason: 'no_mask' },
      { outcome: 'cleared', t_ms: 3900 },
      { outcome: 'alert', t_ms: 11500 },
    ]);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.matched.map((m) => m.delayMs)).toEqual([-100, 500]);
  });

  it('fails a missing decision, a wrong one, a wrong reason, and one in an empty doorway', () => {
    expect(checkExpectations(exp, [{ outcome: 'alert', t_ms: 9000 }]).failures).toEqual(['expected cleared between 2500 and 6000 ms, got none']);
    expect(checkExpectations(exp, [{ outcome: 'alert', t_ms: 3000 }, { outcome: 'alert', t_ms: 9000 }]).failures).toEqual([
      'expected cleared between 2500 and 6000 ms, got alert at 3000 ms',
    ]);
    expect(checkExpectations(exp, [{ outcome: 'cleared', t_ms: 3000 }, { outcome: 'alert', t_ms: 9000, reason: 'incorrect' }]).failures).toEqual([
      'expected alert (no_mask) between 8500 and 12000 ms, got alert (incorrect) at 9000 ms',
    ]);
    const r = checkExpectations(exp, [{ outcome: 'cleared', t_ms: 3000 }, { outcome: 'alert', t_ms: 7000 }, { outcome: 'alert', t_ms: 9000 }]);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual(['expected no decision at 7000 ms (outside every expected window), got alert at 7000 ms']);
  });

  it('flags a flip-flop inside one window', () => {
    const r = checkExpectations(exp, [{ outcome: 'cleared', t_ms: 3000 }, { outcome: 'alert', t_ms: 3500 }, { outcome: 'alert', t_ms: 9000 }]);
    expect(r.failures).toEqual(['expected cleared between 2500 and 6000 ms, got alert at 3500 ms']);
  });
});

describe('outcomeForFaces', () => {
  it('clears only when everyone is masked; any unmasked face alerts first', () => {
    expect(outcomeForFaces(['mask'])).toEqual({ outcome: 'cleared' });
    expect(outcomeForFaces(['mask', 'mask', 'mask'])).toEqual({ outcome: 'cleared' });
    expect(outcomeForFaces(['no_mask'])).toEqual({ outcome: 'alert', reason: 'no_mask' });
    expect(outcomeForFaces(['incorrect'])).toEqual({ outcome: 'alert', reason: 'incorrect' });
    expect(outcomeForFaces(['mask', 'incorrect', 'no_mask'])).toEqual({ outcome: 'alert', reason: 'no_mask' });
    expect(outcomeForFaces(['mask', 'incorrect'])).toEqual({ outcome: 'alert', reason: 'incorrect' });
    expect(outcomeForFaces([])).toBeNull();
  });
});
