import path from 'node:path';
import { DEFAULT_EVAL_OPTIONS } from '../eval/evaluate';
import type { Logger } from '../log';
import type { RawLayer } from '../image/sharp-io';
import { planDoorway, type DoorwayTiming, type PersonPace } from './doorway-plan';
import { loadPerson, makeScene, paintOnScene, renderFrame, type PersonLayer, type Placement } from './doorway-render';
import { outcomeForFaces } from './expectations';
import type { Sequence, SequenceExpectation } from './schema';
import { SequenceWriter } from './writer';

/**
 * One person walking up to the door: a photo, and its labelled faces (photo pixels) when annotations were
 * given. An empty `faces` list is a subject with no face at all: nothing is expected of the gate.
 */
export interface DoorwayPerson {
  image: string;
  faces?: { label: 'mask' | 'no_mask' | 'incorrect'; box: [number, number, number, number] }[];
  /** Which part of the photo, and how big at the door (default: the whole photo, as big as fits). */
  place?: Placement;
  /** Own approach and hold times, start size. */
  pace?: PersonPace;
  /** A ready layer instead of the photo (a prop that walks in like a person: a mask held in a hand). */
  layer?: PersonLayer;
  /**
   * Someone the gate must leave undecided whatever their labels say (a masked face turned away from the
   * camera): no outcome is expected, so any decision fails the sequence.
   */
  undecided?: true;
}

export interface DoorwayOptions extends DoorwayTiming {
  width: number;
  height: number;
  quality?: number;
  force?: boolean;
  /** Recorded in sequence.json, e.g. "mask-gate sequence make 0.1.0". */
  tool: string;
  /** Still things in the corridor for the whole sequence (a picture on the wall), painted in order. */
  scenery?: readonly RawLayer[];
  /**
   * gate.decideMinFacePx for this frame size: a decision is expected only from the frame in which the
   * person's tallest face reaches it, and none for someone whose face never does. Default: from appearing.
   */
  decideMinFacePx?: number;
}

/** Frames rendered at once (sharp works on libuv's pool). */
const BATCH = 4;

/**
 * Builds a doorway sequence from still photos: each person in turn walks up to the camera, stands, and
 * steps aside, with the empty corridor before, between and after. With faces, sequence.json expects each
 * person's outcome between their appearance (earliest) and the moment they leave (latest).
 */
export async function makeDoorwaySequence(people: DoorwayPerson[], outDir: string, opts: DoorwayOptions, logger?: Logger): Promise<Sequence> {
  if (people.length === 0) throw new Error('expected at least one image to make a doorway sequence from, got none');
  const layers: PersonLayer[] = [];
  for (const p of people) {
    try {
      layers.push(p.layer ?? (await loadPerson(p.image, opts.width, opts.height, (p.faces ?? []).map((f) => f.box), p.place)));
    } catch (e) {
      throw new Error(`${p.image}: cannot use this image: ${(e as Error).message}`);
    }
  }
  const annotated = people.every((p) => p.faces !== undefined);
  const plan = planDoorway(people.map((p) => p.pace ?? {}), opts);
  const facePx = plan.frames.map((f) => (f.person === null ? undefined : faceHeightPx(layers[f.person]!, people[f.person]!, f.scale)));
  const scene = await makeScene(opts.width, opts.height, opts.seed);
  await paintOnScene(scene, opts.scenery ?? []);
  const names = people.map((p) => path.basename(p.image));
  const writer = new SequenceWriter(outDir, {
    fps: opts.fps,
    width: opts.width,
    height: opts.height,
    quality: opts.quality ?? 90,
    force: opts.force ?? false,
    source: {
      kind: 'synthesized',
      images: names,
      timeline: plan.segments.map((s, i) => {
        if (s.kind === 'empty') return s;
        const p = personOf(plan, i);
        const seg = { ...s, image: names[p] ?? '' };
        const visible = s.kind === 'approach' ? faceVisibleMs(plan, p, layers[p]!, people[p]!) : undefined;
        return visible === undefined ? seg : { ...seg, face_visible_ms: visible };
      }),
      tool: opts.tool,
      created: new Date().toISOString(),
      settings: { seed: opts.seed, emptyMs: opts.emptyMs, approachMs: opts.approachMs, holdMs: opts.holdMs, leaveMs: opts.leaveMs },
    },
  });
  await writer.open();
  for (let i = 0; i < plan.frames.length; i += BATCH) {
    const batch = plan.frames.slice(i, i + BATCH);
    const rendered = await Promise.all(
      batch.map((f, k) => renderFrame(scene, f.person === null ? null : layers[f.person]!, f, (i + k) * 7919)),
    );
    for (let k = 0; k < batch.length; k++) {
      await writer.add({ data: rendered[k]!, width: opts.width, height: opts.height }, batch[k]!.tMs, facePx[i + k]);
    }
  }
  logger?.info(`wrote ${writer.count} frames of ${people.length} person(s) to ${outDir}`);

  if (!annotated) return writer.finish();
  const outcomes: SequenceExpectation[] = plan.windows.flatMap((w) => {
    const p = people[w.person]!;
    const o = outcomeForFaces(p.faces!.map((f) => f.label));
    // No face (a mask held up in a hand), a face that never reaches decision size, or one the gate cannot
    // judge (DoorwayPerson.undecided): nothing to decide.
    const from = opts.decideMinFacePx === undefined ? w.appearMs : plan.frames.find((f, i) => f.person === w.person && f.tMs < w.leaveMs && (facePx[i] ?? 0) >= opts.decideMinFacePx!)?.tMs;
    if (!o || from === undefined || p.undecided) return [];
    return [{ ...o, t_ms: Math.max(w.decideMs, from), earliest_ms: from, latest_ms: w.leaveMs, subject: { image: names[w.person]!, faces: p.faces! } }];
  });
  const from = opts.decideMinFacePx === undefined ? 'the person appearing' : `the frame in which the person's tallest face is ${opts.decideMinFacePx.toFixed(1)} px high (gate.decideMinFacePx)`;
  return writer.finish({
    expectations: {
      // From the plan, not opts.holdMs: segment boundaries are rounded to frame times.
      tolerance_ms: Math.max(0, ...outcomes.map((o) => o.latest_ms - o.t_ms)),
      outcomes,
      note: `Each outcome is expected once, from ${from} (earliest_ms) until they start to leave (latest_ms); any other decision fails; the doorway is empty between people for longer than gate.personGoneMs.`,
    },
  });
}

/** The tallest labelled face of a person as drawn at `scale`, px; undefined without labelled faces. */
function faceHeightPx(layer: PersonLayer, p: DoorwayPerson, scale: number): number | undefined {
  if (!p.faces?.length) return undefined;
  const tallest = Math.max(...p.faces.map((f) => f.box[3] - f.box[1]));
  return tallest * (layer.fullHeight / layer.height) * scale;
}

/** The smallest face the detector is specified for (the eval's minHeight): a face from here is "visible". */
export const MIN_VISIBLE_FACE_PX = DEFAULT_EVAL_OPTIONS.minHeight;

/**
 * When a person's largest labelled face first reaches MIN_VISIBLE_FACE_PX in the frame: the photo is drawn
 * at fullHeight / height of its size times the frame's scale. Undefined without annotations.
 */
function faceVisibleMs(plan: ReturnType<typeof planDoorway>, person: number, layer: PersonLayer, p: DoorwayPerson): number | undefined {
  return plan.frames.find((f) => f.person === person && (faceHeightPx(layer, p, f.scale) ?? 0) >= MIN_VISIBLE_FACE_PX)?.tMs;
}

/** Which person a timeline segment shows (segments are empty, then approach/hold/leave per person). */
function personOf(plan: ReturnType<typeof planDoorway>, segment: number): number {
  let person = -1;
  for (let i = 0; i <= segment; i++) if (plan.segments[i]!.kind === 'approach') person++;
  return person;
}
