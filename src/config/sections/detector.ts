import { z } from 'zod';

export const DetectorSection = z.strictObject({
  /** A model folder holding model.json. */
  model: z.string().min(1).default('models/mask-two-stage'),
  /** Execution providers tried in order; null picks [tensorrt, cuda, cpu] on a Jetson and [cpu] elsewhere. */
  providers: z.array(z.enum(['tensorrt', 'cuda', 'cpu'])).min(1).nullable().default(null),
  /**
   * Intra-op threads per network. 1 on a 2-core CPU: with `overlap` the two networks already run on two
   * threads at once, and a second pool thread per network only competes with them (README, Performance).
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
    })
    .prefault({}),
});
export type DetectorConfig = z.infer<typeof DetectorSection>;
