import type { SimulatedClock } from 'xstate';

/** Simulated time moves in small steps, because the clock only fires timers already due. */
const STEP_MS = 10;

/** Moves a simulated clock forward to `t`, firing every timer due on the way, in order. */
export function advanceTo(sim: SimulatedClock, t: number): void {
  while (sim.now() + STEP_MS <= t) sim.increment(STEP_MS);
  if (sim.now() < t) sim.set(t);
}

/**
 * Lets a daemon boot on a simulated clock: the self-test blinks need simulated time to pass while the
 * detector's warm-up is real work, so both move until the gate is ready.
 */
export async function bootOnSimulatedClock(sim: SimulatedClock, ready: Promise<void>): Promise<void> {
  let booted = false;
  void ready.then(() => (booted = true));
  while (!booted) {
    sim.increment(STEP_MS);
    await new Promise((r) => setTimeout(r, 1));
  }
}
