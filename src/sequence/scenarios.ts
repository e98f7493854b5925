import { access } from 'node:fs/promises';
import path from 'node:path';
import { defaultDecideMinFacePx } from '../config/sections/gate';
import { loadMaskTemplates } from '../training/synth/templates';
import { DEFAULT_MIN_PHOTO_FACE_PX, findDoorSubjects, type DoorSubject } from './door-subjects';
import { makeDoorwaySequence, type DoorwayOptions, type DoorwayPerson } from './doorway';
import { DEFAULT_TIMING } from './doorway-plan';
import { loadSequence } from './read';
import { heldMask, pictureOnWall } from './scenario-props';
import type { Sequence } from './schema';

/**
 * Doorway scenarios of issue 15, made from the shared photos and mask templates, each with the gate
 * outcomes sequence.json expects (decisions only from the frame in which a face reaches decision size):
 *
 * - picture-on-wall: a framed photo of a masked face hangs in the gate zone (37 px, under decision size)
 *   for the whole sequence while a masked and then an unmasked person pass: one clear, one alert.
 * - held-mask: a mask held up in a hand at face height, no face behind it: no decision at all.
 * - walk-up: a masked and an unmasked person walk up slowly from far away (12 px faces): nothing decided
 *   while their faces are under decision size, then one clear and one alert.
 * - stands-30s: an unmasked person walks up and stands at the gate for 30 s: one alert, never a clear.
 * - together: a masked and an unmasked person walk up side by side: one alert, never a clear.
 * - turned: a masked person whose face is turned from the camera (maksssksksss2, in three-quarter profile,
 *   looking down) stands at the gate for 6 s: no decision (detector.maskMaxTurn); the gate asks them to
 *   look at the camera.
 */
export const SCENARIOS = ['picture-on-wall', 'held-mask', 'walk-up', 'stands-30s', 'together', 'turned'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Bump when a scenario changes, so cached copies are made again. */
export const SCENARIO_VERSION = 2;
const SIZE = { width: 640, height: 360 };

export interface ScenarioSources {
  /** The face-mask photos (images/ + annotations/). */
  dataset: string;
  /** The mask templates (masks.cfg + templates/): held-mask only. */
  templates: string;
}

/** Makes the scenario in `dir`, or reuses it when `dir` already holds it. */
export async function scenarioSequence(name: ScenarioName, src: ScenarioSources, dir: string): Promise<Sequence> {
  const done = await access(path.join(dir, 'sequence.json')).then(
    () => true,
    () => false,
  );
  if (done) return (await loadSequence(dir)).sequence;
  const decideMinFacePx = defaultDecideMinFacePx(SIZE.width);
  const base: DoorwayOptions = { ...DEFAULT_TIMING, ...SIZE, force: true, tool: `mask-gate scenario ${name} v${SCENARIO_VERSION}`, decideMinFacePx };
  const { people, opts } = await define(name, src, decideMinFacePx);
  return makeDoorwaySequence(people, dir, { ...base, ...opts });
}

async function define(name: ScenarioName, src: ScenarioSources, decide: number): Promise<{ people: DoorwayPerson[]; opts?: Partial<DoorwayOptions> }> {
  if (name === 'held-mask') {
    const templates = await loadMaskTemplates(src.templates);
    const t = templates.find((x) => x.name === 'surgical_blue') ?? templates.find((x) => x.view === 'front');
    if (!t) throw new Error(`${src.templates}: expected a front-view mask template in masks.cfg, found none`);
    // As wide as the face it would cover at the door (a face 1.8 times decision size is about this wide).
    return { people: [{ image: `held mask (${t.name}, no face)`, faces: [], layer: await heldMask(t, Math.round(1.6 * decide)) }] };
  }
  const found = await findDoorSubjects(src.dataset, { frameWidth: SIZE.width, frameHeight: SIZE.height, decideMinFacePx: decide, minPhotoFacePx: DEFAULT_MIN_PHOTO_FACE_PX, seed: 1 });
  const pick = (kind: keyof typeof found, n: number, ok: (s: DoorSubject) => boolean = () => true) => {
    const s = found[kind].filter(ok)[n];
    if (!s) throw new Error(`${src.dataset}: expected at least ${n + 1} suitable ${kind} subject(s) for the ${name} scenario`);
    return s;
  };
  const masked = pick('masked', 0);
  const unmasked = pick('unmasked', 0);
  const atDoor = (s: DoorSubject, px = s.place.faceAtDoorPx): DoorwayPerson => ({ image: s.image, faces: s.faces, place: { ...s.place, faceAtDoorPx: px } });
  switch (name) {
    case 'picture-on-wall': {
      const portrait = pick('masked', 0, (s) => s.image !== masked.image && s.image !== unmasked.image);
      const picture = await pictureOnWall(portrait.image, portrait.faces[0]!.box, Math.round(0.6 * decide), { ...SIZE, cx: 0.24, cy: 0.3 });
      return { people: [atDoor(masked), atDoor(unmasked)], opts: { scenery: [picture] } };
    }
    case 'walk-up': {
      // 3 s from 15% of the size at the door: faces from 12 px to 80.
      const pace = { startScale: 0.15, approachMs: 3000 };
      return { people: [masked, unmasked].map((s) => ({ ...atDoor(s, Math.round(1.8 * decide)), pace })) };
    }
    case 'stands-30s':
      // 10 fps keeps the 30 s stay at 300 frames.
      return { people: [{ ...atDoor(unmasked), pace: { holdMs: 30_000 } }], opts: { fps: 10 } };
    case 'together':
      return { people: [atDoor(pick('group2', 0, (s) => s.faces.some((f) => f.label === 'mask') && s.faces.some((f) => f.label === 'no_mask')))] };
    case 'turned':
      // 10 fps, as stands-30s; 6 s at the door is past gate.undecidedPromptMs (4 s).
      return { people: [{ ...atDoor(pick('masked', 0, (s) => path.basename(s.image) === 'maksssksksss2.jpg')), pace: { holdMs: 6000 }, undecided: true }], opts: { fps: 10 } };
  }
}
