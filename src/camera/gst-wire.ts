/**
 * The messages between the gate process and its camera child. Parent to child goes over the IPC channel
 * (small JSON, and the RTSP password never appears in argv or the environment). Child to parent goes over
 * a separate stream as records, [u32 header length][JSON header][payload], so frames and the end of the
 * stream arrive in order and large frames do not go through IPC's JSON.
 */
import type { PipelinePlan } from './pipeline';

export type ParentMessage = { kind: 'open'; plan: PipelinePlan; loop: boolean } | { kind: 'stop' };

export type ChildRecord =
  | { kind: 'started' }
  | { kind: 'frame'; index: number; loop: number; width: number; height: number; framerate: string | null; at: number }
  | { kind: 'eos' }
  | { kind: 'error'; message: string; element: string | null; debug: string | null }
  | { kind: 'warning'; message: string };

/** Encodes one record. */
export function encodeRecord(header: ChildRecord, payload?: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(payload ? { ...header, bytes: payload.length } : header), 'utf8');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(json.length, 0);
  return payload ? Buffer.concat([len, json, payload]) : Buffer.concat([len, json]);
}

/** Decodes records from a byte stream, however it is chunked. */
export class RecordReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private header: (ChildRecord & { bytes?: number }) | null = null;

  /** Feeds bytes; returns the records they complete. Throws on a malformed header. */
  push(chunk: Buffer): { record: ChildRecord; payload: Buffer | null }[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: { record: ChildRecord; payload: Buffer | null }[] = [];
    for (;;) {
      if (!this.header) {
        if (this.size < 4) break;
        const len = this.peek(4).readUInt32BE(0);
        if (len > 1 << 20) throw new Error(`camera stream: header of ${len} bytes`);
        if (this.size < 4 + len) break;
        this.take(4);
        this.header = JSON.parse(this.take(len).toString('utf8')) as ChildRecord & { bytes?: number };
      }
      const bytes = this.header.bytes ?? 0;
      if (this.size < bytes) break;
      const { bytes: _ignored, ...record } = this.header;
      out.push({ record: record as ChildRecord, payload: bytes ? this.take(bytes) : null });
      this.header = null;
    }
    return out;
  }

  private peek(n: number): Buffer {
    return this.chunks[0]!.length >= n ? this.chunks[0]!.subarray(0, n) : Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      // Gather exactly n bytes across chunks (a frame arrives in many socket reads).
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.size -= n;
    return out;
  }
}
