import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseVoc } from '../eval/voc-read';
import type { DoorwayPerson } from './doorway';
import { outcomeForFaces } from './expectations';

/**
 * Picks photos from a Pascal VOC face-mask data set (andrewmvd's: images/ + annotations/) that make good
 * doorway subjects: one to three faces, each big enough to classify once the photo fills the doorway.
 */
export type CaseKind = 'masked' | 'unmasked' | 'incorrect' | 'multi';

export interface DatasetCase extends DoorwayPerson {
  kind: CaseKind;
  faces: NonNullable<DoorwayPerson['faces']>;
  /** The outcome the labels call for. */
  expected: NonNullable<ReturnType<typeof outcomeForFaces>>;
}

/** A face narrower than this fraction of the photo is too small to decide on. */
const MIN_FACE_FRACTION = 0.12;

/** `only`: annotation names (without .xml) to pick from, e.g. a model's validation split. */
export async function pickDoorwayCases(datasetDir: string, want: Partial<Record<CaseKind, number>>, only?: ReadonlySet<string>): Promise<DatasetCase[]> {
  const annDir = path.join(datasetDir, 'annotations');
  const imgDir = path.join(datasetDir, 'images');
  for (const d of [annDir, imgDir]) {
    try {
      await access(d);
    } catch {
      throw new Error(`face-mask data set not found: ${d} does not exist (expected ${datasetDir} with images/ and annotations/)`);
    }
  }
  const names = (await readdir(annDir)).filter((n) => n.endsWith('.xml') && (!only || only.has(n.slice(0, -4)))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const pools: Record<CaseKind, DatasetCase[]> = { masked: [], unmasked: [], incorrect: [], multi: [] };
  for (const name of names) {
    const file = path.join(annDir, name);
    const ann = parseVoc(await readFile(file, 'utf8'), file);
    const n = ann.objects.length;
    if (n < 1 || n > 3 || !ann.objects.every((o) => (o.box[2] - o.box[0]) / ann.width >= MIN_FACE_FRACTION)) continue;
    const faces = ann.objects.map((o) => ({ label: o.label, box: o.box }));
    const expected = outcomeForFaces(faces.map((f) => f.label))!;
    const kind: CaseKind = n > 1 ? 'multi' : faces[0]!.label === 'mask' ? 'masked' : faces[0]!.label === 'no_mask' ? 'unmasked' : 'incorrect';
    pools[kind].push({ kind, image: path.join(imgDir, ann.filename), faces, expected });
  }
  // Multi-person cases alternate: one with someone unmasked (alert), one where everyone is masked (cleared).
  const interleaved: DatasetCase[] = [];
  // Most telling first: someone masked beside someone who is not.
  const mixed = (c: DatasetCase) => c.faces.some((f) => f.label === 'mask') && c.faces.some((f) => f.label === 'no_mask');
  const alerts = [...pools.multi.filter(mixed), ...pools.multi.filter((c) => c.expected.outcome === 'alert' && !mixed(c))];
  const clears = pools.multi.filter((c) => c.expected.outcome === 'cleared');
  for (let i = 0; i < Math.max(alerts.length, clears.length); i++) interleaved.push(...[alerts[i], clears[i]].filter((c): c is DatasetCase => !!c));
  pools.multi = interleaved;

  const out: DatasetCase[] = [];
  for (const kind of ['masked', 'unmasked', 'incorrect', 'multi'] as const) {
    const n = want[kind] ?? 0;
    if (pools[kind].length < n) throw new Error(`${datasetDir}: expected ${n} ${kind} case(s), found ${pools[kind].length} suitable${only ? ` among the ${only.size} images asked for` : ''}`);
    out.push(...pools[kind].slice(0, n));
  }
  for (const c of out) {
    try {
      await access(c.image);
    } catch {
      throw new Error(`${c.image}: image named by its annotation does not exist`);
    }
  }
  return out;
}
