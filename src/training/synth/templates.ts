/**
 * Mask templates (../shared/datasets/mask-templates, MIT, from aqeelanwar/MaskTheFace): RGBA images whose
 * alpha is the mask's outline, each with six anchor points read from `masks.cfg`:
 *   b top middle (bridge of the nose), a / c top corners (cheeks), e bottom middle (under the chin),
 *   d / f bottom corners (jaw line). `_left` / `_right` files are views for faces turned to one side.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readImageRgba } from '../../image/sharp-io';

export type Point = [number, number];
export const ANCHOR_NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
export type AnchorName = (typeof ANCHOR_NAMES)[number];
export type Anchors = Record<AnchorName, Point>;
export type TemplateView = 'front' | 'left' | 'right';

export interface TemplateEntry {
  /** The section name, e.g. `surgical_blue_left`. */
  name: string;
  /** The family: the name without its view suffix, e.g. `surgical_blue`. */
  family: string;
  view: TemplateView;
  /** The PNG, relative to the templates folder. */
  file: string;
  anchors: Anchors;
}

export interface MaskTemplate extends TemplateEntry {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  rgba: Uint8Array;
}

/** Parses masks.cfg; every problem names the file, the line and the section. */
export function parseMasksCfg(text: string, file = 'masks.cfg'): TemplateEntry[] {
  const out: TemplateEntry[] = [];
  const problems: string[] = [];
  let cur: { name: string; line: number; file?: string; anchors: Partial<Anchors> } | undefined;
  const finish = () => {
    if (!cur) return;
    const missing = ANCHOR_NAMES.filter((n) => !cur!.anchors[n]);
    if (!cur.file) problems.push(`${file}:${cur.line}: [${cur.name}]: expected a template: line, got none`);
    if (missing.length) problems.push(`${file}:${cur.line}: [${cur.name}]: expected anchors mask_a..mask_f, missing ${missing.map((m) => `mask_${m}`).join(', ')}`);
    if (cur.file && !missing.length) {
      const view: TemplateView = cur.name.endsWith('_left') ? 'left' : cur.name.endsWith('_right') ? 'right' : 'front';
      out.push({ name: cur.name, family: cur.name.replace(/_(left|right)$/, ''), view, file: cur.file, anchors: cur.anchors as Anchors });
    }
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      finish();
      cur = { name: sec[1]!.trim(), line: i + 1, anchors: {} };
      return;
    }
    const kv = /^([A-Za-z_]+)\s*:\s*(.+)$/.exec(line);
    if (!cur || !kv) return problems.push(`${file}:${i + 1}: expected [section] or key: value, got "${raw.trim()}"`);
    const [, key, value] = kv;
    if (key === 'template') cur.file = value!.trim().replace(/^templates\//, '');
    else if (/^mask_[a-f]$/.test(key!)) {
      const m = /^(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$/.exec(value!.trim());
      if (!m) problems.push(`${file}:${i + 1}: [${cur.name}] ${key}: expected x, y, got "${value!.trim()}"`);
      else cur.anchors[key!.slice(5) as AnchorName] = [Number(m[1]), Number(m[2])];
    }
  });
  finish();
  if (problems.length) throw new Error(`mask templates: ${problems.length} problem(s)\n${problems.join('\n')}`);
  return out;
}

/** Reads every template named in `<dir>/masks.cfg` (its PNGs from `<dir>/templates/`). */
export async function loadMaskTemplates(dir: string): Promise<MaskTemplate[]> {
  const cfg = path.join(dir, 'masks.cfg');
  const entries = parseMasksCfg(readFileSync(cfg, 'utf8'), cfg);
  return Promise.all(
    entries.map(async (e) => {
      const img = await readImageRgba(path.join(dir, 'templates', e.file));
      return { ...e, width: img.width, height: img.height, rgba: img.data };
    }),
  );
}

/** The default templates folder beside the checkout (../shared), or MASK_GATE_TEMPLATES. */
export function defaultTemplatesDir(root = process.cwd()): string {
  return path.resolve(process.env.MASK_GATE_TEMPLATES ?? path.join(root, '..', 'shared', 'datasets', 'mask-templates'));
}
