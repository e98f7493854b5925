import { z } from 'zod';

export const CameraSection = z.strictObject({
  /**
   * Source URI: v4l2:///dev/video0, csi://0, rtsp://user:pass@host/path, file:///clip.mkv,
   * frames:///dir (a recorded sequence; frames://./dir is relative to the working directory), test://.
   */
  source: z.string().min(1).default('frames://./data/demo-sequence'),
  /** Working size: frames reach the detector as RGB at this size. */
  width: z.number().int().min(32).max(7680).default(640),
  height: z.number().int().min(32).max(4320).default(360),
  fps: z.number().int().min(1).max(240).default(30),
  /** No frame for this long is camera-lost. */
  noFrameTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
  /** Replays and files start again at the end. */
  loop: z.boolean().default(true),
  /** Replays run in real time (true) or as fast as the detector allows (false). */
  paced: z.boolean().default(true),
});
export type CameraConfig = z.infer<typeof CameraSection>;
