/** What the composition root needs from the detector runtime. */
export { createDetector, type DetectorDeps } from './detector';
export { DetectorError, toFaultEvent } from './errors';
export { createTracker, type FaceTracker, type TrackerUpdate, type ZoneEvent, type TrackSnapshot } from './tracker';
export type { Box, Detection, Detector, DetectorInfo, MaskLabel, RgbFrame } from './types';
