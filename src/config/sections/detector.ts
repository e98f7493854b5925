import { z } from 'zod';

export const DetectorSection = z.strictObject({
  /** A model folder holding model.json. */
  model: z.string().min(1).default('models/mask-two-stage'),
  /** Execution providers tried in order; null picks [tensorrt, cuda, cpu] on a Jetson and [cpu] elsewhere. */
  providers: z.array(z.enum(['tensorrt', 'cuda', 'cpu'])).min(1).nullable().default(null),
  /** Inference threads. 1 is faster than 2 on a 2-core CPU (npm run bench: 34 vs 26 FPS): the camera and the
   * event loop need the other core. */
  threads: z.number().int().min(1).max(64).default(1),
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
