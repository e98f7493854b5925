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
