import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseVoc, type VocAnnotation } from '../eval/voc-read';
import type { DoorwayPerson } from './doorway';
import { rng } from './doorway-plan';
import { outcomeForFaces } from './expectations';

/**
 * People for the bench's doorway, cut out of a VOC face-mask data set (andrewmvd's: images/ + annotations/):
 * one face, or two or three faces side by side, with their shoulders and some background, out of any photo,
 * crowds included. Each stands at the door with the tallest face well over decision size and walks up from
 * under it. A cut-out never holds part of another labelled face: it is trimmed to leave its neighbours out.
 */
export type SubjectKind = 'masked' | 'unmasked' | 'incorrect' | 'group2' | 'group3';
type Face = NonNullable<DoorwayPerson['faces']>[number];
type Box = [number, number, number, number];

export interface DoorSubject extends DoorwayPerson {
  kind: SubjectKind;
  faces: Face[];
  place: { crop: Box; faceAtDoorPx: number };
  expected: NonNullable<ReturnType<typeof outcomeForFaces>>;
}

export interface SubjectRules {
  frameWidth: number;
  frameHeight: number;
  /** gate.decideMinFacePx for this frame width. */
  decideMinFacePx: number;
  /** Large enough: a face at least this high in the photo (px), so the door does not show it blown up more than about 2x. */
  minPhotoFacePx: number;
  seed: number;
}

export const DEFAULT_MIN_PHOTO_FACE_PX = 30;
/** Group members other than the tallest may be a little smaller in the photo. */
const MIN_MEMBER_PHOTO_FACE_PX = 24;
/** At the door the tallest face is this many times decision size (64-97 px at 640 wide); everyone in a group at least 1.25 times. */
const DOOR_RANGE = [1.45, 2.2] as const;
const MEMBER_AT_DOOR = 1.25;
/** How much a face of the minimum photo size may be blown up at 640 px wide. */
const MAX_UPSCALE_AT_640 = 2.2;
/** The person as drawn must fit the frame as doorway-render places them. */
const FIT = { width: 0.62, height: 0.95 };
/** Margins around the faces, in face widths (sides) and heights (above, below): head and shoulders. */
const MARGIN = { side: 0.9, top: 0.7, bottom: 1.6 };
const MIN_MARGIN = 0.25;

/** Every suitable subject of each kind in the photos named by `only` (all photos when absent), in file order. */
export async function findDoorSubjects(datasetDir: string, rules: SubjectRules, only?: ReadonlySet<string>): Promise<Record<SubjectKind, DoorSubject[]>> {
  const annDir = path.join(datasetDir, 'annotations');
  const imgDir = path.join(datasetDir, 'images');
  for (const d of [annDir, imgDir]) {
    await access(d).catch(() => {
      throw new Error(`face-mask data set not found: ${d} does not exist (expected ${datasetDir} with images/ and annotations/)`);
    });
  }
  const names = (await readdir(annDir)).filter((n) => n.endsWith('.xml') && (!only || only.has(n.slice(0, -4)))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const out: Record<SubjectKind, DoorSubject[]> = { masked: [], unmasked: [], incorrect: [], group2: [], group3: [] };
  const rand = rng(rules.seed);
  for (const name of names) {
    const file = path.join(annDir, name);
    const ann = parseVoc(await readFile(file, 'utf8'), file);
    const image = path.join(imgDir, ann.filename);
    for (const members of candidateSets(ann)) {
      const s = cutOut(ann, members, rules, rand());
      if (s) out[s.kind].push({ ...s, image });
    }
  }
  return out;
}

/**
 * Picks `want` of each kind from `found`, spread over the photos (one subject a photo while photos last).
 * Groups come with a mask worn wrongly first, then alternately one who must be refused and one who may pass.
 */
export function pickSubjects(found: Record<SubjectKind, DoorSubject[]>, want: Partial<Record<SubjectKind, number | 'all'>>): DoorSubject[] {
  const out: DoorSubject[] = [];
  for (const kind of ['masked', 'unmasked', 'incorrect', 'group2', 'group3'] as const) {
    const w = want[kind];
    if (w === undefined) continue;
    const pool = kind.startsWith('group') ? groupOrder(found[kind]) : found[kind];
    if (w === 'all') {
      out.push(...pool);
      continue;
    }
    const firstOfPhoto = pool.filter((s, i) => pool.findIndex((t) => t.image === s.image) === i);
    const rest = pool.filter((s) => !firstOfPhoto.includes(s));
    const chosen = [...firstOfPhoto, ...rest].slice(0, w);
    if (chosen.length < w) throw new Error(`expected ${w} ${kind} subject(s) for the doorway, found ${pool.length} suitable`);
    out.push(...chosen);
  }
  return out;
}

function groupOrder(pool: readonly DoorSubject[]): DoorSubject[] {
  const incorrect = pool.filter((s) => s.faces.some((f) => f.label === 'incorrect'));
  const alerts = pool.filter((s) => !incorrect.includes(s) && s.expected.outcome === 'alert');
  const clears = pool.filter((s) => s.expected.outcome === 'cleared');
  const mixed: DoorSubject[] = [];
  for (let i = 0; i < Math.max(alerts.length, clears.length); i++) mixed.push(...[alerts[i], clears[i]].filter((s): s is DoorSubject => !!s));
  return [...incorrect, ...mixed];
}

/** Each face alone, then runs of two and three neighbours in left-to-right order. */
function candidateSets(ann: VocAnnotation): number[][] {
  const order = ann.objects.map((_, i) => i).sort((a, b) => centreX(ann.objects[a]!.box) - centreX(ann.objects[b]!.box));
  const sets = order.map((i) => [i]);
  for (const n of [2, 3]) for (let k = 0; k + n <= order.length; k++) sets.push(order.slice(k, k + n));
  return sets;
}

const centreX = (b: readonly number[]) => (b[0]! + b[2]!) / 2;
const centreY = (b: readonly number[]) => (b[1]! + b[3]!) / 2;
const overlaps = (a: readonly number[], b: readonly number[]) => a[0]! < b[2]! && b[0]! < a[2]! && a[1]! < b[3]! && b[1]! < a[3]!;

/**
 * The subject `members` make, or null when they do not make a good one: a face too small, a group whose
 * faces are not side by side and alike in size, a neighbour in the way, or no room in the frame.
 * `u` (0..1) picks the size at the door.
 */
export function cutOut(ann: VocAnnotation, members: number[], rules: SubjectRules, u: number): Omit<DoorSubject, 'image'> | null {
  const faces = members.map((i) => ann.objects[i]!);
  if (faces.some((f) => f.difficult)) return null;
  const hs = faces.map((f) => f.box[3] - f.box[1]);
  const ws = faces.map((f) => f.box[2] - f.box[0]);
  const tallest = Math.max(...hs);
  const widest = Math.max(...ws);
  if (tallest < rules.minPhotoFacePx || Math.min(...hs) < (faces.length > 1 ? MIN_MEMBER_PHOTO_FACE_PX : rules.minPhotoFacePx)) return null;
  if (faces.length > 1) {
    // Side by side: alike in size, level, and close.
    if (Math.min(...hs) < 0.75 * tallest) return null;
    const ys = faces.map((f) => centreY(f.box));
    if (Math.max(...ys) - Math.min(...ys) > tallest) return null;
    for (let k = 1; k < faces.length; k++) if (faces[k]!.box[0] - faces[k - 1]!.box[2] > 1.5 * widest) return null;
  }
  const union: Box = [Math.min(...faces.map((f) => f.box[0])), Math.min(...faces.map((f) => f.box[1])), Math.max(...faces.map((f) => f.box[2])), Math.max(...faces.map((f) => f.box[3]))];
  const others = ann.objects.filter((_, i) => !members.includes(i));
  if (others.some((o) => overlaps(o.box, union))) return null;

  // Size at the door, as a multiple of decision size; a group's smallest face must be well over it too.
  const refDecide = (rules.decideMinFacePx * 640) / rules.frameWidth;
  const most = Math.max(DOOR_RANGE[0], Math.min(DOOR_RANGE[1], (MAX_UPSCALE_AT_640 * tallest) / refDecide));
  const least = Math.max(DOOR_RANGE[0], (MEMBER_AT_DOOR * tallest) / Math.min(...hs));
  if (least > most) return null;
  let k = least + (most - least) * u;

  // Head and shoulders around the faces, trimmed to leave every neighbour out, then to fit the frame.
  for (; k >= least - 1e-9; k -= 0.05) {
    const scale = (k * rules.decideMinFacePx) / tallest;
    const crop = frameCrop(union, widest, tallest, others.map((o) => o.box), ann, scale, rules);
    if (crop) {
      const labelled: Face[] = faces.map((f) => ({ label: f.label, box: [...f.box] as Box }));
      const expected = outcomeForFaces(labelled.map((f) => f.label))!;
      const kind: SubjectKind = faces.length === 3 ? 'group3' : faces.length === 2 ? 'group2' : labelled[0]!.label === 'mask' ? 'masked' : labelled[0]!.label === 'no_mask' ? 'unmasked' : 'incorrect';
      return { kind, faces: labelled, expected, place: { crop, faceAtDoorPx: Math.round(k * rules.decideMinFacePx * 10) / 10 } };
    }
  }
  return null;
}

function frameCrop(union: Box, fw: number, fh: number, others: readonly (readonly number[])[], ann: VocAnnotation, scale: number, rules: SubjectRules): Box | null {
  const maxW = (rules.frameWidth * FIT.width) / scale;
  const maxH = (rules.frameHeight * FIT.height) / scale;
  for (let m = 1; m >= 0; m -= 0.125) {
    const side = Math.max(MIN_MARGIN, MARGIN.side * m) * fw;
    const top = Math.max(MIN_MARGIN, MARGIN.top * m) * fh;
    const bottom = Math.max(MIN_MARGIN, MARGIN.bottom * m) * fh;
    const crop: Box = [Math.max(0, union[0] - side), Math.max(0, union[1] - top), Math.min(ann.width, union[2] + side), Math.min(ann.height, union[3] + bottom)];
    if (!leaveOut(crop, union, others)) continue;
    // Room around the faces, where the photo has it: a face cut out to its box alone is no person.
    const room = (want: number, got: number, photoEdge: boolean) => photoEdge || got >= want - 0.5;
    const ok =
      room(MIN_MARGIN * fw, union[0] - crop[0], crop[0] === 0) &&
      room(MIN_MARGIN * fw, crop[2] - union[2], crop[2] === ann.width) &&
      room(MIN_MARGIN * fh, union[1] - crop[1], crop[1] === 0) &&
      room(MIN_MARGIN * fh, crop[3] - union[3], crop[3] === ann.height);
    if (!ok) return null;
    if (crop[2] - crop[0] <= maxW && crop[3] - crop[1] <= maxH) return crop.map(Math.round) as Box;
  }
  return null;
}

/** Trims `crop` (in place) until no other face overlaps it, keeping `keep`; false when that cannot be done. */
function leaveOut(crop: Box, keep: Box, others: readonly (readonly number[])[]): boolean {
  for (let guard = 0; guard < 64; guard++) {
    const o = others.find((b) => overlaps(b, crop));
    if (!o) return true;
    // The cut that keeps the most of the crop.
    const cuts: Box[] = [];
    if (o[2]! <= keep[0]) cuts.push([o[2]!, crop[1], crop[2], crop[3]]);
    if (o[0]! >= keep[2]) cuts.push([crop[0], crop[1], o[0]!, crop[3]]);
    if (o[3]! <= keep[1]) cuts.push([crop[0], o[3]!, crop[2], crop[3]]);
    if (o[1]! >= keep[3]) cuts.push([crop[0], crop[1], crop[2], o[1]!]);
    if (!cuts.length) return false;
    const area = (b: Box) => (b[2] - b[0]) * (b[3] - b[1]);
    cuts.sort((a, b) => area(b) - area(a));
    crop.splice(0, 4, ...cuts[0]!);
  }
  return false;
}
