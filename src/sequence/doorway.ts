import path from 'node:path';
import { DEFAULT_EVAL_OPTIONS } from '../eval/evaluate';
import type { Logger } from '../log';
import { planDoorway, type DoorwayTiming } from './doorway-plan';
import { loadPerson, makeScene, renderFrame, type PersonLayer } from './doorway-render';
import { outcomeForFaces } from './expectations';
import type { Sequence, SequenceExpectation } from './schema';
import { SequenceWriter } from './writer';

/** One person walking up to the door: a photo, and its labelled faces when annotations were given. */
export interface DoorwayPerson {
  image: string;
  faces?: { label: 'mask' | 'no_mask' | 'incorrect'; box: [number, number, number, number] }[];
}

export interface DoorwayOptions extends DoorwayTiming {
  width: number;
  height: number;
  quality?: number;
  force?: boolean;
  /** Recorded in sequence.json, e.g. "mask-gate sequence make 0.1.0". */
  tool: string;
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
      layers.push(await loadPerson(p.image, opts.width, opts.height, (p.faces ?? []).map((f) => f.box)));
    } catch (e) {
      throw new Error(`${p.image}: cannot use this image: ${(e as Error).message}`);
    }
  }
  const annotated = people.every((p) => p.faces !== undefined);
  const plan = planDoorway(people.length, opts);
  const scene = await makeScene(opts.width, opts.height, opts.seed);
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
      await writer.add({ data: rendered[k]!, width: opts.width, height: opts.height }, batch[k]!.tMs);
    }
  }
  logger?.info(`wrote ${writer.count} frames of ${people.length} person(s) to ${outDir}`);

  if (!annotated) return writer.finish();
  const outcomes: SequenceExpectation[] = plan.windows.map((w) => {
    const p = people[w.person]!;
    const o = outcomeForFaces(p.faces!.map((f) => f.label));
    if (!o) throw new Error(`${p.image}: its annotation has no faces, so there is no outcome to expect`);
    return {
      ...o,
      t_ms: w.decideMs,
      earliest_ms: w.appearMs,
      latest_ms: w.leaveMs,
      subject: { image: names[w.person]!, faces: p.faces! },
    };
  });
  return writer.finish({
    expectations: {
    // From the plan, not opts.holdMs: segment boundaries are rounded to frame times.
    tolerance_ms: Math.max(...outcomes.map((o) => o.latest_ms - o.t_ms)),
    outcomes,
    note: 'Each outcome is expected once, from the person appearing (earliest_ms) until they start to leave (latest_ms = t_ms + tolerance_ms); the doorway is empty between people for longer than gate.personGoneMs.',
    },
  });
}

/** The smallest face the detector is specified for (the eval's minHeight): a face from here is "visible". */
export const MIN_VISIBLE_FACE_PX = DEFAULT_EVAL_OPTIONS.minHeight;

/**
 * When a person's largest labelled face first reaches MIN_VISIBLE_FACE_PX in the frame: the photo is drawn
 * at fullHeight / height of its size times the frame's scale. Undefined without annotations.
 */
function faceVisibleMs(plan: ReturnType<typeof planDoorway>, person: number, layer: PersonLayer, p: DoorwayPerson): number | undefined {
  if (!p.faces?.length) return undefined;
  const tallest = Math.max(...p.faces.map((f) => f.box[3] - f.box[1]));
  const fit = layer.fullHeight / layer.height;
  return plan.frames.find((f) => f.person === person && tallest * fit * f.scale >= MIN_VISIBLE_FACE_PX)?.tMs;
}

/** Which person a timeline segment shows (segments are empty, then approach/hold/leave per person). */
function personOf(plan: ReturnType<typeof planDoorway>, segment: number): number {
  let person = -1;
  for (let i = 0; i <= segment; i++) if (plan.segments[i]!.kind === 'approach') person++;
  return person;
}
