/**
 * Reconnect delays: 1 s doubling to 30 s, then every 30 s for as long as it takes. A camera that comes
 * back after a reboot must be found again without anyone restarting the gate.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000 };

/** Delay before reconnect attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2 ** 30 already exceeds any sane cap; avoid Infinity for long outages.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n - 1, 30));
}
