import { redact } from '../log';

/**
 * Why a camera source failed. Codes let the supervisor and the CLI react (a bad URI is a configuration
 * error; a missing device may come back), messages are for people and never hold credentials.
 */
export type CameraErrorCode =
  /** The source URI is not one we understand. */
  | 'bad-uri'
  /** The device or file does not exist. */
  | 'not-found'
  /** A GStreamer element this source needs is not installed (e.g. nvarguscamerasrc off a Jetson). */
  | 'unsupported'
  /** The file or stream is not a video we can decode (corrupt, wrong type). */
  | 'unreadable'
  /** The RTSP server refused our credentials. */
  | 'auth'
  /** Nothing came for noFrameTimeoutMs. */
  | 'no-frames'
  /** A live source reached end of stream. */
  | 'ended'
  /** The camera process died or stopped answering. */
  | 'crashed'
  /** Any other pipeline error. */
  | 'stream';

export class CameraError extends Error {
  constructor(
    readonly code: CameraErrorCode,
    message: string,
  ) {
    // Redacted here so no caller can leak a password by logging or rethrowing the error.
    super(redact(message));
    this.name = 'CameraError';
  }
}

export function isCameraError(e: unknown): e is CameraError {
  return e instanceof CameraError;
}
