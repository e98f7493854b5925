import type { Box } from './types';

/**
 * Pictures on the wall: a face whose box stays within `tolerance` (every edge, as a fraction of the face's
 * height) of where it first appeared, for `afterMs`, is stationary, and the gate ignores it. A live person walks up, so their box has moved long
 * before they reach the door; a face that has not moved yet is not trusted to decide (the evidence holds it
 * undecided) but is not ignored before `afterMs` either.
 *
 * A box must be away from its anchor in three frames in a row to count as moved: a jittery detection or
 * two of a poster do not turn it into a person. Where a stationary face was seen is remembered (until no face has
 * been there for `afterMs`), so a poster whose track was lost, for example behind someone walking past, is
 * stationary again as soon as it is found.
 */
export interface StationaryRules {
  /** 0 turns the rule off: every face counts as moved. */
  afterMs: number;
  /** Fraction of the face's height. */
  tolerance: number;
}

export interface Motion {
  anchor: Box;
  anchorT: number;
  /** Consecutive frames away from the anchor. */
  away: number;
  /** Has moved since it appeared; final. */
  moved: boolean;
  stationary: boolean;
}

const AWAY_FRAMES = 3;

interface Spot {
  box: Box;
  lastSeen: number;
}

export class StationaryFaces {
  private spots: Spot[] = [];

  constructor(private readonly rules: StationaryRules) {}

  /** The motion state of a face first seen at `box`. */
  start(box: Box, t: number): Motion {
    if (this.rules.afterMs <= 0) return { anchor: box, anchorT: t, away: 0, moved: true, stationary: false };
    const spot = this.spots.find((s) => this.near(s.box, box));
    if (spot) {
      spot.lastSeen = t;
      return { anchor: spot.box, anchorT: t - this.rules.afterMs, away: 0, moved: false, stationary: true };
    }
    return { anchor: box, anchorT: t, away: 0, moved: false, stationary: false };
  }

  /** Updates `m` with the face's box in a new frame. */
  update(m: Motion, box: Box, t: number): void {
    if (m.moved) return;
    m.away = this.near(m.anchor, box) ? 0 : m.away + 1;
    if (m.away >= AWAY_FRAMES) {
      m.moved = true;
      m.stationary = false;
      return;
    }
    if (t - m.anchorT >= this.rules.afterMs) {
      m.stationary = true;
      this.remember(m.anchor, t);
    }
  }

  /** Forgets places where no face has been for afterMs. Call once per frame. */
  expire(t: number): void {
    this.spots = this.spots.filter((s) => t - s.lastSeen <= this.rules.afterMs);
  }

  private remember(box: Box, t: number): void {
    const spot = this.spots.find((s) => this.near(s.box, box));
    if (spot) spot.lastSeen = t;
    else this.spots.push({ box: [...box], lastSeen: t });
  }

  /** Whether every edge of `b` is within the tolerance of `anchor`, scaled by the anchor's height. */
  private near(anchor: Box, b: Box): boolean {
    const a = anchor;
    const tol = this.rules.tolerance * (a[3] - a[1]);
    return Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol && Math.abs(a[2] - b[2]) <= tol && Math.abs(a[3] - b[3]) <= tol;
  }
}
