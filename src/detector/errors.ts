import type { GateEvent } from '../../machines/gate-events';

/** Why the detector failed; the supervisor and the CLI print `message`, which always names the model. */
export type DetectorErrorCode =
  | 'model-not-found'
  | 'manifest-invalid'
  | 'model-file'
  | 'session'
  | 'model-shape'
  | 'output-shape'
  | 'frame'
  | 'not-started';

export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  readonly source = 'detector' as const;
  constructor(
    readonly code: DetectorErrorCode,
    readonly model: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(`model ${model}: ${field ? `${field}: ` : ''}${message}`, options);
  }
}

/** The event the supervisor sends the gate when the detector fails. */
export function toFaultEvent(err: unknown): Extract<GateEvent, { type: 'FAULT' }> {
  const reason = err instanceof Error ? err.message : String(err);
  return { type: 'FAULT', source: 'detector', reason };
}
