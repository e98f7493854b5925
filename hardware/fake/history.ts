import type { Clock } from '../clock';
import type { HistoryEntry } from '../types';

/** A fake's timestamped record of everything done to it and through its controls. */
export class History {
  readonly entries: HistoryEntry[] = [];
  constructor(private readonly clock: Clock) {}

  add(op: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ t: this.clock.now(), op, ...fields });
  }

  /** Entries with the given op, in order. */
  of(op: string): HistoryEntry[] {
    return this.entries.filter((e) => e.op === op);
  }
}
