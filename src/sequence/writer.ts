import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeJpeg } from '../image/sharp-io';
import { parseSequence } from './read';
import { SEQUENCE_FILE, SEQUENCE_FORMAT, type Sequence, type SequenceExpectations, type SequenceFrame } from './schema';

export interface SequenceWriterOptions {
  fps: number;
  width: number;
  height: number;
  source: Sequence['source'];
  /** JPEG quality, 1..100. */
  quality?: number;
  /** Write into a directory that already has files (they are left alone; sequence.json is replaced). */
  force?: boolean;
}

/**
 * Writes a sequence: frame-000000.jpg, ... then sequence.json last (atomically), so a directory with a
 * sequence.json always holds a complete sequence even if recording was interrupted.
 */
export class SequenceWriter {
  private frames: SequenceFrame[] = [];

  constructor(
    readonly dir: string,
    private readonly opts: SequenceWriterOptions,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const existing = await readdir(this.dir);
    if (existing.length && !this.opts.force) {
      throw new Error(`${this.dir}: expected an empty or new directory for the sequence, got ${existing.length} file(s) in it (use --force to write into it)`);
    }
  }

  get count(): number {
    return this.frames.length;
  }

  /** Adds a frame at `tMs` (from the first frame): raw RGB at the sequence size, or JPEG bytes as they are. */
  async add(frame: { data: Buffer; width: number; height: number } | { jpeg: Buffer }, tMs: number, facePx?: number): Promise<string> {
    const prev = this.frames[this.frames.length - 1];
    if (prev && tMs <= prev.t_ms) throw new Error(`${this.dir}: frame ${this.frames.length}: expected t_ms above ${prev.t_ms}, got ${tMs}`);
    const file = `frame-${String(this.frames.length).padStart(6, '0')}.jpg`;
    const jpeg = 'jpeg' in frame ? frame.jpeg : await encodeJpeg(frame, this.opts.quality ?? 90);
    await writeFile(path.join(this.dir, file), jpeg);
    this.frames.push({ file, t_ms: Math.round(tMs), ...(facePx === undefined ? {} : { face_px: Math.round(facePx * 10) / 10 }) });
    return file;
  }

  /**
   * Writes sequence.json; validates it first, so a writer bug never leaves a sequence that will not load.
   * `fps` replaces the nominal rate (a live recording knows its real rate only at the end).
   */
  async finish(extra: { expectations?: SequenceExpectations; fps?: number } = {}): Promise<Sequence> {
    const { expectations } = extra;
    const file = path.join(this.dir, SEQUENCE_FILE);
    if (this.frames.length === 0) throw new Error(`${this.dir}: no frames were recorded, so no sequence was written`);
    const seq = parseSequence(
      {
        format: SEQUENCE_FORMAT,
        version: 1,
        fps: extra.fps ?? this.opts.fps,
        width: this.opts.width,
        height: this.opts.height,
        source: this.opts.source,
        frames: this.frames,
        ...(expectations ? { expectations } : {}),
      },
      file,
    );
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(seq, null, 2) + '\n');
    await rename(tmp, file);
    return seq;
  }
}
