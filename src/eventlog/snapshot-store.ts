import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { snapshotJpeg } from '../detector/image-io';

export type FaceBox = readonly [number, number, number, number];

/** Ids are the save time (UTC) and a random tag: `20250301T081502123Z-9f2c4e1a`. Nothing else is accepted. */
const ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{8}$/;

export class SnapshotIdError extends Error {
  constructor(id: string) {
    super(`expected a snapshot id like 20250301T081502123Z-9f2c4e1a, got ${JSON.stringify(id.slice(0, 80))}`);
  }
}

/**
 * Snapshot JPEGs on local disk only, faces blurred unless told otherwise. Files are named by id, so
 * reading back by id can never leave the directory.
 */
export class SnapshotStore {
  constructor(
    readonly dir: string,
    private readonly blurFaces: boolean,
  ) {}

  /** Saves an RGB frame (boxes in pixels) and returns its id. */
  async save(rgb: Buffer, width: number, height: number, boxes: readonly FaceBox[], now = Date.now()): Promise<string> {
    if (rgb.length !== width * height * 3) throw new Error(`expected ${width}x${height}x3 = ${width * height * 3} bytes of RGB, got ${rgb.length}`);
    const jpeg = await snapshotJpeg({ data: rgb, width, height }, boxes, this.blurFaces);
    const id = `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(id);
    await writeFile(`${file}.tmp`, jpeg);
    await rename(`${file}.tmp`, file);
    return id;
  }

  /** The file of a snapshot id; throws SnapshotIdError for anything that is not an id. */
  fileFor(id: string): string {
    if (typeof id !== 'string' || !ID.test(id)) throw new SnapshotIdError(String(id));
    return path.join(path.resolve(this.dir), `${id}.jpg`);
  }

  /** The JPEG bytes, or null if there is no such snapshot (pruned, never saved). */
  async read(id: string): Promise<Buffer | null> {
    const file = this.fileFor(id);
    try {
      return await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** Deletes snapshots saved before `cutoff` (ms); returns how many. Files that are not snapshots are left alone. */
  async prune(cutoff: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let n = 0;
    for (const name of names) {
      const t = snapshotTime(name.replace(/\.jpg$/, ''));
      if (!name.endsWith('.jpg') || t === null || t >= cutoff) continue;
      await unlink(path.join(this.dir, name)).catch(() => {});
      n++;
    }
    return n;
  }
}

/** The save time encoded in an id, or null if it is not one. */
export function snapshotTime(id: string): number | null {
  const m = ID.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}
