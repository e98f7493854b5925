/**
 * Reusable input tensors for one network. The detector prepares frame n+1's tensor while frame n is still in
 * the network, so two can be in use at once; a buffer goes back to the pool only when its run is over (a
 * session may read its feeds when the run starts, not when it is called).
 */
export class InputPool {
  private readonly spare: Float32Array[] = [];

  constructor(
    private readonly length: number,
    private readonly keep = 2,
  ) {}

  /** Runs `use` with a buffer of the pool's length, returned to the pool when `use` settles. */
  async with<T>(use: (buffer: Float32Array) => Promise<T>): Promise<T> {
    const buffer = this.spare.pop() ?? new Float32Array(this.length);
    try {
      return await use(buffer);
    } finally {
      if (this.spare.length < this.keep) this.spare.push(buffer);
    }
  }
}

/**
 * Reusable tensors of several lengths, taken and given back by hand: for callers that hold a buffer past
 * its own run (the classifier copies a face's crops from an earlier call for its mirror image). Buffers come
 * back dirty; callers overwrite or clear what they use. Fresh typed arrays on every call were the detector's
 * main garbage: their external memory set off a full collection every second frame (2-9 ms on the main thread).
 */
export class SizedPool {
  private readonly spare = new Map<number, Float32Array[]>();

  /** `keep`: spare buffers kept per length. */
  constructor(private readonly keep = 16) {}

  take(length: number): Float32Array {
    return this.spare.get(length)?.pop() ?? new Float32Array(length);
  }

  give(buffer: Float32Array): void {
    const list = this.spare.get(buffer.length) ?? [];
    if (list.length < this.keep) list.push(buffer);
    this.spare.set(buffer.length, list);
  }
}
