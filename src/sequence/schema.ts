import { z } from 'zod';

/**
 * sequence.json: the test and demo format. A directory of JPEG frames plus this file, which says how fast
 * they were taken, where they came from, and (optionally) which gate outcomes a replay must produce when.
 * Times are milliseconds from the first frame; names are snake_case as in the replay's JSON lines.
 */
export const SEQUENCE_FILE = 'sequence.json';
export const SEQUENCE_FORMAT = 'mask-gate-sequence';

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const FaceLabelSchema = z.enum(['mask', 'no_mask', 'incorrect']);

/** One gate outcome a replay must produce. */
export const ExpectationSchema = z
  .strictObject({
    /** cleared: the gate lets the person in. alert: it refuses and warns. */
    outcome: z.enum(['cleared', 'alert']),
    /** For alerts: which prompt (no mask at all, or a mask worn wrongly). */
    reason: z.enum(['no_mask', 'incorrect']).optional(),
    /** When the decision is expected: the person has come close to the camera and stands still. */
    t_ms: z.number().nonnegative(),
    /** A decision before this is wrong: the person is not in the frame yet. */
    earliest_ms: z.number().nonnegative(),
    /** No decision by this time fails the replay: t_ms plus the tolerance. */
    latest_ms: z.number().nonnegative(),
    /** Where the person came from (for reports): the photo and its labelled faces. */
    subject: z
      .strictObject({
        image: z.string().min(1),
        faces: z.array(z.strictObject({ label: FaceLabelSchema, box: Box })),
      })
      .optional(),
  })
  .refine((e) => e.earliest_ms <= e.t_ms && e.t_ms <= e.latest_ms, { message: 'expected earliest_ms <= t_ms <= latest_ms' })
  .refine((e) => e.outcome === 'alert' || e.reason === undefined, { message: 'expected no reason for a cleared outcome' });

export const SegmentSchema = z.strictObject({
  kind: z.enum(['empty', 'approach', 'hold', 'leave']),
  from_ms: z.number().nonnegative(),
  to_ms: z.number().nonnegative(),
  image: z.string().optional(),
  /**
   * Approach segments of annotated people: the first frame at which one of the person's labelled faces is
   * at least 20 px high (the smallest face the detector is specified and evaluated for).
   */
  face_visible_ms: z.number().nonnegative().optional(),
});

export const SequenceSchema = z
  .strictObject({
    format: z.literal(SEQUENCE_FORMAT),
    version: z.literal(1),
    fps: z.number().positive().max(240),
    width: z.int().min(1).max(7680),
    height: z.int().min(1).max(4320),
    source: z.strictObject({
      /** recorded: `mask-gate record`; synthesized: `sequence make`; imported: `sequence index`. */
      kind: z.enum(['recorded', 'synthesized', 'imported']),
      /** The source URI (credentials hidden) for recordings. */
      uri: z.string().optional(),
      /** The photos a synthesized sequence was made from. */
      images: z.array(z.string()).optional(),
      /** What happens when, for synthesized sequences. */
      timeline: z.array(SegmentSchema).optional(),
      tool: z.string().min(1),
      created: z.string().min(1),
      /** Settings used to make it (seed, durations), so it can be made again. */
      settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
    frames: z
      .array(
        z.strictObject({
          /** Relative to the sequence directory. */
          file: z
            .string()
            .min(1)
            .refine((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'), { message: 'expected a path inside the sequence directory' })
            .refine((f) => /\.jpe?g$/i.test(f), { message: 'expected a .jpg or .jpeg file' }),
          t_ms: z.number().nonnegative(),
          /**
           * Synthesized sequences with annotations: how high (px, as drawn) the tallest labelled face of the
           * person in view is. The bench times decisions from the frame where it reaches gate.decideMinFacePx.
           */
          face_px: z.number().nonnegative().optional(),
        }),
      )
      .min(1),
    expectations: z
      .strictObject({
        /** How late after t_ms a decision may come (latest_ms - t_ms of each outcome). */
        tolerance_ms: z.number().nonnegative(),
        /** Expected outcomes in time order; a replay must produce exactly these. */
        outcomes: z.array(ExpectationSchema),
        note: z.string().optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    for (let i = 1; i < s.frames.length; i++) {
      if (s.frames[i]!.t_ms <= s.frames[i - 1]!.t_ms) {
        ctx.addIssue({ code: 'custom', path: ['frames', i, 't_ms'], message: `expected more than the previous frame's ${s.frames[i - 1]!.t_ms}, got ${s.frames[i]!.t_ms}` });
        break;
      }
    }
    const end = s.frames[s.frames.length - 1]!.t_ms;
    const outcomes = s.expectations?.outcomes ?? [];
    outcomes.forEach((o, i) => {
      if (o.latest_ms > end) ctx.addIssue({ code: 'custom', path: ['expectations', 'outcomes', i, 'latest_ms'], message: `expected at most the last frame's t_ms ${end}, got ${o.latest_ms}` });
      const prev = outcomes[i - 1];
      if (prev && o.earliest_ms < prev.latest_ms) ctx.addIssue({ code: 'custom', path: ['expectations', 'outcomes', i, 'earliest_ms'], message: `expected outcomes in time order, not overlapping the previous (latest_ms ${prev.latest_ms}), got ${o.earliest_ms}` });
    });
  });

export type Sequence = z.infer<typeof SequenceSchema>;
export type SequenceFrame = Sequence['frames'][number];
export type SequenceExpectation = z.infer<typeof ExpectationSchema>;
export type SequenceExpectations = NonNullable<Sequence['expectations']>;
export type SequenceSegment = z.infer<typeof SegmentSchema>;
