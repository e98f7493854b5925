import type { DetectorConfig } from '../config/sections/detector';
import type { GateConfig } from '../config/sections/gate';
import type { FaceLabel, GateEvent, PersonObservation, TrackerIgnoreReason } from '../../machines/gate-events';
import { boxCentre, boxHeight, iou } from './geometry';
import { ignoreZoneAt } from './ignore-zones';
import { StationaryFaces, type Motion } from './stationary';
import { MASK_LABELS, type Box, type Detection } from './types';

/**
 * IoU tracker: gives each face a stable id across frames and smooths its class probabilities with an
 * EMA, so the gate judges people on accumulated evidence rather than single-frame votes.
 *
 * Each track holds a distribution over mask, no_mask, incorrect and unknown. A detection contributes its
 * per-label scores; whatever they leave below 1 (not sure it is a face, not sure of the class) is
 * `unknown`. The EMA factor is 2 / (smoothingFrames + 1), the usual span-to-alpha rule.
 *
 * A new track is tentative until matched in `confirmFrames` frames in a row: unreported, no zone events,
 * and dropped at its first miss. Its evidence (the EMA) counts from its first frame.
 *
 * Matching is by IoU first; then detections still unmatched go to confirmed tracks still unmatched whose
 * face is plausibly the same (`relink`: centres close for the face's size, heights alike), so a face whose
 * box jumps or swings in size keeps its id and its evidence instead of leaving a ghost track behind.
 *
 * Each person also says how high the face is, whether it has moved since it appeared, and whether the
 * gate must ignore it: a picture that has not moved for stationaryAfterMs (stationary.ts), or a face
 * whose centre is in one of the ignore zones.
 */

/** Without `relink` (a caller that predates it) there is no second matching pass. */
export type TrackerConfig = Omit<DetectorConfig['tracker'], 'relink'> & Partial<Pick<DetectorConfig['tracker'], 'relink'>>;
type RelinkBounds = DetectorConfig['tracker']['relink'];
export type Zone = GateConfig['zone'];
/** The gate settings the tracker applies: the zone, pictures on the wall, ignore zones. */
export type TrackerGate = Pick<GateConfig, 'zone'> & Partial<Pick<GateConfig, 'stationaryAfterMs' | 'stationaryTolerance' | 'ignoreZones'>>;
export type PeopleEvent = Extract<GateEvent, { type: 'PEOPLE' }>;

/** A face entering or leaving the gate zone; `lost` means the track ended while inside. */
export interface ZoneEvent {
  type: 'ZONE_ENTER' | 'ZONE_LEAVE';
  id: string;
  t: number;
  frame: number;
  label: FaceLabel;
  confidence: number;
  reason?: 'moved' | 'lost';
}

/** A track's full state, for logs and the dashboard. */
export interface TrackSnapshot {
  id: string;
  box: Box;
  label: FaceLabel;
  confidence: number;
  probabilities: Record<FaceLabel, number>;
  inZone: boolean;
  /** Frames this track was matched in. */
  hits: number;
  /** Consecutive frames without a match. */
  missed: number;
  firstSeen: number;
  /** Has moved since it appeared. */
  moved: boolean;
  /** Why the gate ignores this face, if it does. */
  ignored?: TrackerIgnoreReason;
  /** This frame's `mask` reading was refused because the face is turned from the camera (Detection.turned). */
  turned?: boolean;
}

export interface TrackerUpdate {
  /** The statechart's input for this frame: every person matched in it, in or out of the zone. */
  event: PeopleEvent;
  zone: ZoneEvent[];
  tracks: TrackSnapshot[];
}

export interface FaceTracker {
  update(detections: readonly Detection[], frameSize: { width: number; height: number }, t: number, frame: number): TrackerUpdate;
  /** Ends every track (camera restart, detector fault); returns ZONE_LEAVE for those inside. */
  reset(t: number, frame: number): ZoneEvent[];
}

const FACE_LABELS: readonly FaceLabel[] = [...MASK_LABELS, 'unknown'];

interface Track {
  id: string;
  box: Box;
  p: number[];
  inZone: boolean;
  hits: number;
  missed: number;
  firstSeen: number;
  motion: Motion;
  ignored?: TrackerIgnoreReason;
  ignoreZone?: string;
  /** This frame's reading was carried over (reclassify.ts). */
  carried: boolean;
  /** This frame's reading is under the operating point (Detection.unsure). */
  unsure: boolean;
  /** This frame's `mask` reading was refused as turned (Detection.turned). */
  turned: boolean;
}

export function createTracker(config: TrackerConfig, gate: TrackerGate, idPrefix = 'p'): FaceTracker {
  const { zone } = gate;
  const ignoreZones = gate.ignoreZones ?? [];
  // Without stationaryAfterMs (a caller that predates it), pictures are not looked for: every face has moved.
  const stationary = new StationaryFaces({ afterMs: gate.stationaryAfterMs ?? 0, tolerance: gate.stationaryTolerance ?? 0.1 });
  const alpha = 2 / (config.smoothingFrames + 1);
  let tracks: Track[] = [];
  let nextId = 1;

  /**
   * The gate's question is binary (masked or not), so no_mask and incorrect are weighed together: a face
   * 35% masked, 30% unmasked and 30% mask-below-the-nose is unmasked with 0.6, not masked with 0.35.
   * The label names the larger of the two (it picks the voice prompt). On a tie with mask, unmasked wins:
   * when in doubt, the gate must not open.
   */
  const decide = (tr: Track): { label: FaceLabel; confidence: number } => {
    const [mask, noMask, incorrect, unknown] = tr.p as [number, number, number, number];
    const unmasked = noMask + incorrect;
    if (unmasked >= mask && unmasked > unknown) return { label: incorrect > noMask ? 'incorrect' : 'no_mask', confidence: unmasked };
    return mask >= unknown ? { label: 'mask', confidence: mask } : { label: 'unknown', confidence: unknown };
  };
  const zoneEvent = (tr: Track, type: ZoneEvent['type'], t: number, frame: number, reason?: ZoneEvent['reason']): ZoneEvent => ({
    type,
    id: tr.id,
    t,
    frame,
    ...decide(tr),
    ...(reason ? { reason } : {}),
  });

  return {
    update(detections, size, t, frame) {
      const zoneEvents: ZoneEvent[] = [];
      const inZone = (b: Box) => {
        const [cx, cy] = boxCentre(b);
        const x = cx / size.width;
        const y = cy / size.height;
        return x >= zone.x && x <= zone.x + zone.width && y >= zone.y && y <= zone.y + zone.height;
      };
      const ignore = (tr: Track): void => {
        const [cx, cy] = boxCentre(tr.box);
        const zoneName = ignoreZoneAt(ignoreZones, cx / size.width, cy / size.height);
        tr.ignoreZone = zoneName ?? undefined;
        tr.ignored = zoneName !== null ? 'ignore_zone' : tr.motion.stationary ? 'stationary' : undefined;
      };
      stationary.expire(t);

      // Greedy matching, highest IoU first: with a handful of faces it equals the optimal assignment
      // in practice and never swaps two well-separated people.
      const pairs: { ti: number; di: number; o: number }[] = [];
      tracks.forEach((tr, ti) =>
        detections.forEach((d, di) => {
          const o = iou(tr.box, d.box);
          if (o >= config.iouThreshold) pairs.push({ ti, di, o });
        }),
      );
      pairs.sort((a, b) => b.o - a.o);
      const trackOf = new Map<number, number>();
      const usedTracks = new Set<number>();
      const assign = (ps: readonly { ti: number; di: number }[]): void => {
        for (const p of ps) {
          if (usedTracks.has(p.ti) || trackOf.has(p.di)) continue;
          usedTracks.add(p.ti);
          trackOf.set(p.di, p.ti);
        }
      };
      assign(pairs);

      // Second pass, over what the IoU pass left: the nearest plausible pairs first. Only confirmed tracks,
      // so a one-frame box (a reflection, a duplicate) never takes a newcomer's place.
      const relink = config.relink;
      if (relink?.enabled) {
        const near: { ti: number; di: number; off: number }[] = [];
        tracks.forEach((tr, ti) => {
          if (usedTracks.has(ti) || tr.hits < config.confirmFrames) return;
          detections.forEach((d, di) => {
            if (trackOf.has(di)) return;
            const off = sameFaceOffset(tr.box, d.box, relink);
            if (off !== null) near.push({ ti, di, off });
          });
        });
        near.sort((a, b) => a.off - b.off);
        assign(near);
      }

      const matched: Track[] = [];
      const seen = new Set<Track>();
      detections.forEach((d, di) => {
        const obs = observation(d);
        const ti = trackOf.get(di);
        let tr: Track;
        if (ti === undefined) {
          tr = { id: `${idPrefix}${nextId++}`, box: d.box, p: obs, inZone: false, hits: 0, missed: 0, firstSeen: frame, motion: stationary.start(d.box, t), carried: false, unsure: false, turned: false };
          tracks.push(tr);
        } else {
          tr = tracks[ti]!;
          tr.box = d.box;
          // A carried-over reading (reclassify.ts) is the last one again, and an unsure one is under the
          // operating point: neither is new evidence.
          if (!d.carried && !d.unsure) tr.p = tr.p.map((v, i) => v + alpha * (obs[i]! - v));
          stationary.update(tr.motion, d.box, t);
        }
        ignore(tr);
        tr.carried = d.carried === true;
        tr.unsure = d.unsure === true;
        tr.turned = d.turned === true;
        tr.hits++;
        tr.missed = 0;
        seen.add(tr);
        if (tr.hits < config.confirmFrames) return;
        const now = inZone(tr.box);
        if (now !== tr.inZone) {
          tr.inZone = now;
          zoneEvents.push(zoneEvent(tr, now ? 'ZONE_ENTER' : 'ZONE_LEAVE', t, frame, now ? undefined : 'moved'));
        }
        matched.push(tr);
      });

      const kept: Track[] = [];
      for (const tr of tracks) {
        if (seen.has(tr)) {
          kept.push(tr);
          continue;
        }
        tr.missed++;
        if (tr.hits < config.confirmFrames) continue;
        if (tr.missed <= config.maxMissedFrames) kept.push(tr);
        else if (tr.inZone) zoneEvents.push(zoneEvent(tr, 'ZONE_LEAVE', t, frame, 'lost'));
      }
      tracks = kept;

      const people: PersonObservation[] = matched.map((tr) => ({
        id: tr.id,
        ...decide(tr),
        inZone: tr.inZone,
        box: [...tr.box],
        facePx: tr.box[3] - tr.box[1],
        moved: tr.motion.moved,
        ...(tr.ignored ? { ignored: tr.ignored } : {}),
        ...(tr.ignoreZone ? { ignoreZone: tr.ignoreZone } : {}),
        ...(tr.carried ? { carried: true } : {}),
        ...(tr.unsure ? { unsure: true } : {}),
      }));
      const confirmed = tracks.filter((tr) => tr.hits >= config.confirmFrames);
      return { event: { type: 'PEOPLE', t, frame, people }, zone: zoneEvents, tracks: confirmed.map((tr) => snapshot(tr, decide(tr))) };
    },

    reset(t, frame) {
      const out = tracks.filter((tr) => tr.inZone).map((tr) => zoneEvent(tr, 'ZONE_LEAVE', t, frame, 'lost'));
      tracks = [];
      return out;
    },
  };
}

/**
 * How far apart two boxes' centres are, in heights of the smaller face, when they are plausibly one face
 * (within both bounds); null otherwise. The smaller face sets the scale so that a small far face is judged
 * on its own size, not the near one's.
 */
function sameFaceOffset(a: Box, b: Box, bounds: RelinkBounds): number | null {
  const ha = boxHeight(a);
  const hb = boxHeight(b);
  const small = Math.min(ha, hb);
  if (small <= 0 || Math.max(ha, hb) / small > bounds.maxSizeRatio) return null;
  const [ax, ay] = boxCentre(a);
  const [bx, by] = boxCentre(b);
  const off = Math.hypot(ax - bx, ay - by) / small;
  return off <= bounds.maxCentreOffset ? off : null;
}

/** A detection as a distribution over mask, no_mask, incorrect, unknown. */
function observation(d: Detection): number[] {
  const s = MASK_LABELS.map((l) => Math.max(0, d.scores[l] ?? 0));
  const sum = s.reduce((a, b) => a + b, 0);
  // Independent (sigmoid) scores can sum past 1; then they are shares, with nothing left for unknown.
  if (sum > 1) return [...s.map((v) => v / sum), 0];
  return [...s, 1 - sum];
}

function snapshot(tr: Track, d: { label: FaceLabel; confidence: number }): TrackSnapshot {
  return {
    id: tr.id,
    box: [...tr.box],
    ...d,
    probabilities: Object.fromEntries(FACE_LABELS.map((l, i) => [l, tr.p[i]!])) as Record<FaceLabel, number>,
    inZone: tr.inZone,
    hits: tr.hits,
    missed: tr.missed,
    firstSeen: tr.firstSeen,
    moved: tr.motion.moved,
    ...(tr.ignored ? { ignored: tr.ignored } : {}),
    ...(tr.turned ? { turned: true } : {}),
  };
}
