import type { FloatTensor, SessionOptions, TensorMeta } from './runtime';

/**
 * Messages to a session thread, each naming its session (a thread may host several, see SessionOptions.thread):
 * per session one `create`, then `run`s (one at a time or queued), then `close`.
 */
export type ToSessionThread =
  | { op: 'create'; session: number; model: Uint8Array; options: SessionOptions }
  /** Each feed's values in a buffer of the caller's pool, transferred, and transferred back with the result. */
  | { op: 'run'; session: number; id: number; feeds: Record<string, MovedFeed> }
  | { op: 'close'; session: number };

/** Replies: `failed` with id null is a failed create. Run ids are unique per thread. */
export type FromSessionThread =
  | { op: 'created'; session: number; inputs: TensorMeta[]; outputs: TensorMeta[] }
  | { op: 'result'; id: number; outputs: Record<string, FloatTensor>; returned: Record<string, ArrayBuffer> }
  | { op: 'failed'; session: number; id: number | null; message: string }
  | { op: 'closed'; session: number };

/**
 * A feed moved to the thread (postMessage transfer) and back: no copy of the tensor per message, no garbage.
 * (onnxruntime refuses tensors on a SharedArrayBuffer: "Invalid argument".)
 */
export interface MovedFeed {
  buffer: ArrayBuffer;
  length: number;
  dims: number[];
}
