import { z } from 'zod';

const Ms = z.number().int().min(0).max(3_600_000);
const Fraction = z.number().min(0).max(1);

/** A buzzer pattern: alternating on/off durations in ms, starting with on. */
const BuzzerPattern = z
  .array(z.number().int().min(10).max(10_000))
  .min(2)
  .max(32)
  .refine((a) => a.length % 2 === 0, { message: 'expected on/off pairs (an even number of durations)' });

/**
 * The paper's set-up: a webcam 2 m from the entrance, a 60-degree horizontal lens, a 16 cm face. The
 * frame spans 2 * 2 m * tan(30 deg) = 2.31 m, so a face at the door is this many pixels high:
 *
 *   decideMinFacePx = frameWidth * 0.16 / (2 * 2 * tan(30 deg))  ~= 0.0693 * frameWidth
 *
 * (44 px at 640, 67 px at 960, 89 px at 1280). Closer faces are larger; farther faces are people not at
 * the door yet, whose small, blurry faces the gate must not decide on.
 */
export const PAPER_SETUP = { distanceM: 2, faceM: 0.16, horizontalFovDeg: 60 } as const;

/** The decision size for a frame `frameWidth` pixels wide, from the paper's set-up (see PAPER_SETUP). */
export function defaultDecideMinFacePx(frameWidth: number): number {
  const { distanceM, faceM, horizontalFovDeg } = PAPER_SETUP;
  const sceneWidthM = 2 * distanceM * Math.tan(((horizontalFovDeg / 2) * Math.PI) / 180);
  return Math.round((frameWidth * faceM) / sceneWidthM);
}

/** A point as fractions of the frame: [x, y], 0..1 from the top left. */
const FramePoint = z.tuple([Fraction, Fraction]);

/** A polygon where faces are ignored (a poster, a mirror, a screen): Frigate's idea of masks. */
const IgnoreZone = z.strictObject({
  /** Shown on the dashboard beside the faces it hides. */
  name: z.string().min(1).max(40).optional(),
  points: z
    .array(FramePoint)
    .min(3)
    .max(64)
    .refine((p) => p.length < 3 || Math.abs(shoelace(p)) > 1e-9, { message: 'expected a polygon with an area, got points on one line' }),
});

/** Twice the signed area of a polygon: 0 when its points lie on one line. */
function shoelace(points: readonly (readonly [number, number])[]): number {
  let a = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) a += (points[j]![0] + points[i]![0]) * (points[j]![1] - points[i]![1]);
  return a;
}

export const GateSection = z.strictObject({
  /** The gate zone, as fractions of the frame. Faces whose centre is outside it are ignored. */
  zone: z
    .strictObject({ x: Fraction.default(0.15), y: Fraction.default(0), width: Fraction.default(0.7), height: Fraction.default(1) })
    .prefault({}),
  /**
   * Decision size: faces less than this many pixels high are tracked and drawn but never decide (they
   * cannot clear, alert or vote); the kiosk asks them to step closer. `auto` derives it from
   * camera.width and the paper's set-up: round(camera.width * 0.16 / (2 * 2 * tan(30 deg))), 44 px at 640.
   */
  decideMinFacePx: z.union([z.literal('auto'), z.number().int().min(1).max(4320)]).default('auto'),
  /**
   * A face whose box has stayed within stationaryTolerance since it appeared, for this long, is a
   * poster, a painting or a photo: it neither clears, alerts nor holds the gate. A face that has not
   * moved yet never decides (a person walking up always has). 0 turns the rule off.
   */
  stationaryAfterMs: Ms.default(10_000),
  /**
   * "Within a few pixels": how far each edge of the box may wander and still count as not moving, as a
   * fraction of the face's height (0.1: 4 px at the 44-px decision size, 8 px for an 80-px face). The
   * detector's own jitter on a still photo with sensor noise, held for 3 frames, was at most 0.058 of
   * the face's height (32 still faces from 20 validation photos at 50 and 80 px; scripts/measure-box-jitter.js).
   */
  stationaryTolerance: z.number().min(0.01).max(0.5).default(0.1),
  /** Polygons (fractions of the frame) where faces are ignored: a face whose centre is inside one never counts. */
  ignoreZones: z.array(IgnoreZone).max(32).default([]),
  /** K of the last N frames must agree before a person is decided: one blurry frame decides nothing. */
  evidence: z
    .strictObject({
      windowFrames: z.number().int().min(2).max(120).default(8),
      // At least 2: a single frame (a blur, a glare) must never decide.
      agreeFrames: z.number().int().min(2).max(120).default(5),
      /** Observations below this smoothed confidence count as `unknown`. */
      minConfidence: Fraction.default(0.6),
    })
    .prefault({}),
  /**
   * Clearing someone the gate has alerted for (no mask, or a mask below the nose) takes fresh, strong
   * evidence, since a wrong clear is the worst failure at a door: `maskFrames` frames in a row read
   * `mask`, each in the zone and at decision size, all after the last frame read unmasked, and at least
   * `minMs` after the alert began. A face shrinking by more than `shrinkTolerance` of its tallest frame in
   * the run (walking away) starts the run again. Until then the person counts as unmasked, also while they
   * step back or aside, and nobody beside them is cleared. Defaults: 30 frames (1 s at 30 fps, ~4 evidence
   * windows), 3 s (the prompt, then time to pull the mask up), 0.2.
   */
  clearAfterAlert: z
    .strictObject({
      // At least evidence.windowFrames (schema.ts): a full window of fresh votes.
      maskFrames: z.number().int().min(2).max(600).default(30),
      minMs: Ms.default(3000),
      shrinkTolerance: z.number().min(0.01).max(0.5).default(0.2),
    })
    .prefault({}),
  /** No face in the zone for this long returns the gate to idle. */
  personGoneMs: Ms.default(1500),
  /** `pulse`: release the relay for relayOpenMs. `hold`: release until the passage sensor fires (at most holdMaxMs). */
  relayMode: z.enum(['pulse', 'hold']).default('pulse'),
  relayOpenMs: Ms.default(3000),
  holdMaxMs: Ms.default(15000),
  /** An alert lasting this long notifies staff. */
  escalateAfterMs: Ms.default(20000),
  /**
   * Someone at decision size whom the gate cannot decide (e.g. a mask the nose head doubts) keeps the door
   * locked and is never cleared by waiting. After this long undecided they are asked to look at the camera
   * (voice `look_at_camera`, kiosk and display): 4 s, so a masked person waits about 4 s at most before being
   * told what to do, while people the gate does decide are rarely asked (the bench's decisions come well
   * within it after decision size: p95 0.6 s with model 2.3.0, 1.4 s with 2.2.0). At least 1 s: earlier,
   * the prompt would talk over people still being read. The clock restarts whenever nobody at decision size
   * is undecided (stepped back, only masked people left); a face that has not moved yet (perhaps a picture)
   * holds the gate but is not asked, nor reported to staff.
   */
  undecidedPromptMs: z.number().int().min(1000).max(3_600_000).default(4000),
  /**
   * Still undecided this long (longer than undecidedPromptMs; the remainder runs from the prompt): staff are
   * notified (reason `undecided`: event log, MQTT, dashboard) and the kiosk says staff are coming. 20 s, like
   * escalateAfterMs: someone left at a locked door for that long needs a person. Not an alert: no red, no
   * buzzer, and the door stays locked. null: staff are never notified (the prompt still is).
   */
  undecidedStaffMs: Ms.nullable().default(20000),
  /** Relay during a fault: `secure` keeps it locked, `open` releases it. Building codes decide per door. */
  failMode: z.enum(['secure', 'open']).default('secure'),
  /** Relay in maintenance. */
  maintenanceRelay: z.enum(['locked', 'released']).default('locked'),
  /** Each LED lights this long in the boot self-test. */
  selfTestBlinkMs: Ms.default(300),
  /** How long the machine waits before retrying a failed boot or thermometer read. */
  faultRetryMs: Ms.default(5000),
  /** A reading at or above this is an alert (screening terminals use 37.3 C). */
  feverThresholdC: z.number().min(30).max(45).default(37.3),
  buzzer: z
    .strictObject({
      alert: BuzzerPattern.default([200, 800]),
      escalated: BuzzerPattern.default([150, 150]),
    })
    .prefault({}),
});
export type GateConfig = z.infer<typeof GateSection>;
