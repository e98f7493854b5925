import { z } from 'zod';

export const DetectorSection = z.strictObject({
  /** A model folder holding model.json. */
  model: z.string().min(1).default('models/mask-two-stage'),
  /** Execution providers tried in order; null picks [tensorrt, cuda, cpu] on a Jetson and [cpu] elsewhere. */
  providers: z.array(z.enum(['tensorrt', 'cuda', 'cpu'])).min(1).nullable().default(null),
  /**
   * Intra-op threads per network. 1 on a 2-core CPU: with `overlap` the two networks already run on two
   * threads at once, and a second pool thread per network only competes with them (README, Performance).
   * `run` (and --validate-config) refuses threads x 2 (1 without overlap) over the machine's cores, which
   * the schema cannot know (src/detector/thread-budget.ts).
   */
  threads: z.number().int().min(1).max(64).default(1),
  /**
   * Overlap the stages: each network on a thread of its own, and the face network of frame n+1 running while
   * frame n is classified, tracked and judged (two frames in the detector at once, in order). Off: one frame
   * at a time, inference on the main thread.
   */
  overlap: z.boolean().default(true),
  /**
   * Faces the gate has already opened for are classified again only every `everyFrames` frames while their box
   * stays within `maxChange` (a fraction of the face height) of where it was last read; the frames between
   * carry the last reading over as no new vote. Faces before their decision, and anyone under an alert, are
   * classified every frame. everyFrames 1: every face, every frame.
   */
  reclassify: z
    .strictObject({
      everyFrames: z.number().int().min(1).max(30).default(3),
      maxChange: z.number().min(0).max(1).default(0.1),
    })
    .prefault({}),
  /**
   * An empty doorway: after `afterMs` with no face in view, the face network runs on every `every`th frame
   * only (the others count as empty frames). Cost: a newcomer is seen up to every-1 frames later (33 ms at
   * 30 FPS with every 2). every 1: every frame.
   */
  idle: z
    .strictObject({
      afterMs: z.number().int().min(0).max(600000).default(2000),
      every: z.number().int().min(1).max(4).default(2),
    })
    .prefault({}),
  /**
   * Detections scoring below this (the label's score) are not people to the gate. Absent: the model's
   * own operating point (model.json thresholds.score), since score scales differ between models.
   */
  minScore: z.number().min(0).max(1).optional(),
  /**
   * A face turned from the camera cannot read `mask`: neither the nose nor the mask's top edge is seen
   * face-on, and a mask below the nose is what the gate most often misreads. The turn is measured from the
   * face detector's keypoints: how far the nose sits to the side of the line from between the eyes to the
   * mouth, in eye distances (src/detector/face-turn.ts): 0 face-on, past 1 in profile. Masked training faces
   * of 40 px and more: half within 0.10, 95% within 0.57. A `mask` reading past this is unsure: the person
   * holds the gate, undecided, until they face the camera (and is asked to, gate.undecidedPromptMs).
   * Unmasked readings are kept whatever the turn: they only keep the door shut. null: off (also for models
   * without keypoints).
   */
  maskMaxTurn: z.number().positive().max(10).nullable().default(0.5),
  tensorrt: z
    .strictObject({
      fp16: z.boolean().default(true),
      engineCachePath: z.string().min(1).default('/var/lib/mask-gate/trt-cache'),
    })
    .prefault({}),
  tracker: z
    .strictObject({
      iouThreshold: z.number().min(0.01).max(1).default(0.3),
      /**
       * A new face becomes a person to the gate once matched in this many frames in a row; a box seen
       * once (a reflection, a duplicate box of one face) would otherwise hold the gate undecided until
       * it is forgotten. Costs (confirmFrames - 1) frames of decision latency.
       */
      confirmFrames: z.number().int().min(1).max(30).default(2),
      /** A track survives this many frames without a match (a blink of the detector). */
      maxMissedFrames: z.number().int().min(0).max(300).default(8),
      /** Class probabilities are smoothed with an EMA over about this many frames. */
      smoothingFrames: z.number().int().min(1).max(120).default(5),
      /**
       * A second matching pass, after the IoU pass: a detection left unmatched goes to a confirmed track left
       * unmatched (missed or not) when the face centres are within `maxCentreOffset` of the smaller face's
       * height and the heights within `maxSizeRatio` of each other. The face stage's box for one face can
       * jump (a shift plus a resize) or swing in size under motion blur so that IoU drops under the
       * threshold; a new track then leaves the old one's evidence behind, holding the gate until it expires.
       * Each bound alone is about what the IoU pass already accepts: two equal boxes one offset along an
       * axis keep IoU 0.3 up to (1 - 0.3) / (1 + 0.3) = 0.54 of their size, two concentric ones up to a size
       * ratio of 1 / sqrt(0.3) = 1.83; this pass accepts the two changes together. Distinct faces side by
       * side are about a face height apart or more (0.94 the closest in the bench trace), and a far face
       * whose centre is within half a face of a near one's is hidden behind it.
       * On by default since the gate holds everyone at the door with an alert to gate.clearAfterAlert, from
       * the alerted person's last sighting (machines/gate-evidence.ts, holdTheGroup): how far the tracker
       * follows someone leaving no longer decides when their companion is cleared. Before that rule, following
       * a quick exit let the masked companion of an alerted person be cleared personGoneMs after them
       * (test/gate/after-alert-door's group case). Bench (42 people): see README, Performance.
       */
      relink: z
        .strictObject({
          enabled: z.boolean().default(true),
          maxCentreOffset: z.number().min(0).max(1).default(0.5),
          maxSizeRatio: z.number().min(1).max(4).default(1.8),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type DetectorConfig = z.infer<typeof DetectorSection>;
