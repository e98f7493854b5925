import { z } from 'zod';

const Ms = z.number().int().min(0).max(3_600_000);
const Fraction = z.number().min(0).max(1);

/** A buzzer pattern: alternating on/off durations in ms, starting with on. */
const BuzzerPattern = z
  .array(z.number().int().min(10).max(10_000))
  .min(2)
  .max(32)
  .refine((a) => a.length % 2 === 0, { message: 'expected on/off pairs (an even number of durations)' });

export const GateSection = z.strictObject({
  /** The gate zone, as fractions of the frame. Faces whose centre is outside it are ignored. */
  zone: z
    .strictObject({ x: Fraction.default(0.15), y: Fraction.default(0), width: Fraction.default(0.7), height: Fraction.default(1) })
    .prefault({}),
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
  /** No face in the zone for this long returns the gate to idle. */
  personGoneMs: Ms.default(1500),
  /** `pulse`: release the relay for relayOpenMs. `hold`: release until the passage sensor fires (at most holdMaxMs). */
  relayMode: z.enum(['pulse', 'hold']).default('pulse'),
  relayOpenMs: Ms.default(3000),
  holdMaxMs: Ms.default(15000),
  /** An alert lasting this long notifies staff. */
  escalateAfterMs: Ms.default(20000),
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
