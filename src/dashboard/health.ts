import type { CameraStatus as SupervisorStatus } from '../camera/supervisor';
import type { DetectorInfo } from '../detector/types';
import type { FrameRate } from '../pipeline/frame-rate';
import type { VoiceHealth } from '../voice/voice-service';

/**
 * What the operator page shows about the running system. The composition root fills a HealthSource (usually
 * with `healthSource` below); the dashboard only reads it, and adds the gate's active faults itself.
 */
export type CameraHealth = 'online' | 'reconnecting' | 'offline';

export interface HealthReport {
  /** Frames processed per second over the last seconds (0 while none come). */
  fps: number | null;
  /** Per-frame processing latency in ms over the last frames. */
  detectMs: { p50: number | null; p95: number | null };
  /** `uri` and `reason` may carry credentials: the dashboard redacts every string it serves. */
  camera: { status: CameraHealth; reason: string | null; uri: string | null };
  detector: { provider: string; threads: number | null };
  /** The speaker: `no audio device` when the start-up probe found none (prompts then go to the log). */
  voice: VoiceHealth;
  uptimeS: number;
}

export interface HealthSource {
  health(): HealthReport;
}

export interface HealthDeps {
  /** The frame loop's meter (fed in its onFrame). */
  rate: Pick<FrameRate, 'fps' | 'latencyP50' | 'latencyP95'>;
  /** The camera supervisor's status; null before the camera is opened. */
  camera(): Pick<SupervisorStatus, 'state' | 'source' | 'reason'> | null;
  detector(): Pick<DetectorInfo, 'provider' | 'threads'>;
  /** The voice service's health; absent or null when the daemon runs without voice. */
  voice?(): VoiceHealth | null;
  startedAt: number;
  now?: () => number;
}

/** The HealthSource of the daemon, from the pieces the composition root already has. */
export function healthSource(d: HealthDeps): HealthSource {
  const now = d.now ?? Date.now;
  return {
    health: () => {
      const cam = d.camera();
      const det = d.detector();
      return {
        fps: round1(d.rate.fps()),
        detectMs: { p50: round1(d.rate.latencyP50()), p95: round1(d.rate.latencyP95()) },
        camera: { status: cameraHealth(cam?.state ?? null), reason: cam ? (cam.reason ?? (cam.state === 'online' ? null : cam.state)) : 'not opened', uri: cam?.source ?? null },
        detector: { provider: det.provider ?? 'not loaded', threads: det.threads || null },
        voice: d.voice?.() ?? VOICE_OFF,
        uptimeS: Math.round((now() - d.startedAt) / 1000),
      };
    },
  };
}

const VOICE_OFF: VoiceHealth = { status: 'off', sink: 'none', reason: 'voice is not enabled' };

/** The supervisor's six states in the three an operator needs. */
export function cameraHealth(state: SupervisorStatus['state'] | null): CameraHealth {
  if (state === 'online') return 'online';
  if (state === 'connecting' || state === 'reconnecting') return 'reconnecting';
  return 'offline';
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
