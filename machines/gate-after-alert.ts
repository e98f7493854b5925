import type { FaceLabel, PersonObservation } from './gate-events';

/**
 * What it takes to clear a person the gate has alerted for (config `gate.clearAfterAlert`). A classifier
 * that reads a mask below the nose as `mask` for a few frames, or a face turning and shrinking as it walks
 * away, must not open the gate: only fresh, strong evidence does.
 */
export interface ClearAfterAlertConfig {
  /** Consecutive frames of `mask`, each in the zone and at decision size, counted after the last frame that read unmasked. */
  maskFrames: number;
  /** And no earlier than this after the alert began. */
  minMs: number;
  /** The run restarts when the face is smaller than (1 - this) x the tallest face of the run: someone walking away. */
  shrinkTolerance: number;
}

/** The alert a person is under until they earn a clear: the latest reason, and when the alert began. */
export interface PersonAlert {
  reason: 'no_mask' | 'incorrect';
  at: number;
}

/** A run of consecutive `mask` frames of one person, and the tallest face in it. */
export interface MaskRun {
  frames: number;
  peakPx: number;
}

export const NO_RUN: MaskRun = { frames: 0, peakPx: 0 };

/**
 * The run after one observation. Only a confident `mask` vote, in the zone and at decision size, extends it;
 * anything else (another label, an unsure one, a face out of the zone or too small) ends it. A face that has
 * shrunk past shrinkTolerance since the run's tallest frame starts it again from this frame.
 */
export function extendRun(run: MaskRun, label: FaceLabel, p: Pick<PersonObservation, 'inZone' | 'facePx'>, decideMinFacePx: number, cfg: ClearAfterAlertConfig): MaskRun {
  if (label !== 'mask' || !p.inZone || p.facePx < decideMinFacePx) return NO_RUN;
  if (p.facePx < (1 - cfg.shrinkTolerance) * run.peakPx) return { frames: 1, peakPx: p.facePx };
  return { frames: run.frames + 1, peakPx: Math.max(run.peakPx, p.facePx) };
}

/** Whether an alerted (or held) person has earned a clear at frame time `t`: a long enough run, late enough after the alert. */
export function earnedClear(alert: Pick<PersonAlert, 'at'>, run: MaskRun, t: number, cfg: ClearAfterAlertConfig): boolean {
  return run.frames >= cfg.maskFrames && t - alert.at >= cfg.minMs;
}

/**
 * The alert applies to the group at the door. Someone at decision size in the zone while an alert is on (there
 * when it fires, or joining while it lasts) is held to the bar the alerted person must meet: a companion who
 * stood beside them, or the alerted person back under a new track (a turned head, the tracker losing a quick
 * move), is not cleared by the ordinary votes. `at`: the alert's start, moved on to the last frame anyone
 * under it was seen, so the clock runs from the alerted person's leaving, however the tracker followed them
 * (seen leaving, or lost in the zone). `earned` latches: a hold is not placed again for the same alert.
 */
export interface GroupHold {
  at: number;
  earned: boolean;
}

/** The hold after a frame in which someone under the alert was last seen at `alertSeenAt`, on this frame's run. */
export function updateHold(hold: GroupHold, alertSeenAt: number, run: MaskRun, t: number, cfg: ClearAfterAlertConfig): GroupHold {
  const h = alertSeenAt > hold.at ? { at: alertSeenAt, earned: false } : hold;
  return h.earned || !earnedClear(h, run, t, cfg) ? h : { ...h, earned: true };
}
