export interface QueuedMessage {
  topic: string;
  payload: string;
}

/** Events held while the broker is away: bounded, oldest dropped first, drops counted. */
export class OfflineQueue {
  private items: QueuedMessage[] = [];
  dropped = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.items.length;
  }

  push(m: QueuedMessage): void {
    if (this.max === 0) {
      this.dropped++;
      return;
    }
    if (this.items.length >= this.max) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(m);
  }

  /** Takes everything, oldest first. */
  drain(): QueuedMessage[] {
    return this.items.splice(0);
  }
}
