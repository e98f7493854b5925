import type { Tracks } from '../../machines/gate-evidence';
import type { TrackSnapshot } from '../detector/tracker';
import type { Box } from '../detector/types';

/**
 * The faces whose classifier readings the detector may carry over between runs (config detector.reclassify):
 * people the gate has opened for and who are under no alert since. Everyone else, undecided, unmasked or
 * alerted, is classified every frame, so every vote that can open the gate or lift an alert is a real reading.
 */
export function settledBoxes(evidence: Tracks | undefined, tracks: readonly TrackSnapshot[]): Box[] {
  if (!evidence) return [];
  return tracks.filter((t) => {
    const e = evidence[t.id];
    return e !== undefined && e.cleared && e.alert === null;
  }).map((t) => t.box);
}
