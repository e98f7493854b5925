import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseVoc, type VocAnnotation } from './voc-read';

/** One annotated image of a VOC folder (`annotations/*.xml`, `images/`). */
export interface VocImage {
  /** File name without extension: the `image` of detection entries. */
  key: string;
  /** The image file, or null where it is missing (fine when scoring a detections file). */
  imagePath: string | null;
  annotation: VocAnnotation;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function imageKey(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}

/** Reads a VOC folder; `only` limits it to those keys (an error names any that are missing). */
export async function loadVocDataset(dir: string, only?: readonly string[]): Promise<VocImage[]> {
  const annDir = path.join(dir, 'annotations');
  let names: string[];
  try {
    names = (await readdir(annDir)).filter((n) => n.toLowerCase().endsWith('.xml')).sort(byName);
  } catch (err) {
    throw new Error(`${dir}: expected an annotations/ folder of Pascal VOC XML files: ${(err as Error).message}`);
  }
  if (names.length === 0) throw new Error(`${annDir}: expected Pascal VOC XML files, got none`);
  const wanted = only ? new Set(only) : null;
  const out: VocImage[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const xmlPath = path.join(annDir, name);
    const annotation = parseVoc(await readFile(xmlPath, 'utf8'), xmlPath);
    const key = imageKey(annotation.filename || name);
    if (wanted && !wanted.has(key)) continue;
    const other = seen.get(key);
    if (other) throw new Error(`${xmlPath}: image "${key}" is also annotated by ${other}`);
    seen.set(key, xmlPath);
    out.push({ key, imagePath: await findImage(dir, annotation.filename, name), annotation });
  }
  if (wanted) {
    const missing = [...wanted].filter((k) => !seen.has(k));
    if (missing.length) throw new Error(`${dir}: expected annotations for every listed image, got none for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  }
  return out;
}

/** An image list: one name per line (folder and extension ignored), # comments and blank lines skipped. */
export async function readImageList(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map(imageKey);
}

async function findImage(dir: string, filename: string, xmlName: string): Promise<string | null> {
  const base = imageKey(xmlName);
  const candidates = [filename && path.join(dir, 'images', path.basename(filename)), ...['.jpg', '.jpeg', '.png'].map((e) => path.join(dir, 'images', base + e))];
  for (const c of candidates) {
    if (!c) continue;
    try {
      await access(c);
      return c;
    } catch {
      // try the next spelling
    }
  }
  return null;
}

/** Image files given as files or folders (a folder's images, not recursive), in name order. */
export async function listImages(paths: readonly string[], isImage: (f: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let entries: string[] | null = null;
    try {
      entries = await readdir(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${p}: no such file or folder`);
        throw err;
      }
    }
    if (entries === null) out.push(p);
    else out.push(...entries.filter(isImage).sort(byName).map((e) => path.join(p, e)));
  }
  return out;
}
