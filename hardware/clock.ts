/**
 * Time source for drivers, fakes and their histories. Injected so tests can use jest's fake timers or a
 * hand-driven clock. The default looks the globals up at call time, so `jest.useFakeTimers()` applied after
 * a device was built still takes effect.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any monotonic origin in tests). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Rejects with `onTimeout()` if `work` has not settled within `ms`. The work itself cannot be cancelled
 * (a stuck I2C transfer sits in libuv's thread pool); callers must not start another one on top of it.
 */
export function withTimeout<T>(clock: Clock, work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = clock.setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (v) => {
        clock.clearTimeout(handle);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(handle);
        reject(e);
      },
    );
  });
}
