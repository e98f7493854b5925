import type { ServerResponse } from 'node:http';
import type { FaceLabel } from '../../machines/gate-events';
import { snapshotJpeg } from '../detector/image-io';
import type { Box, RgbFrame } from '../detector/types';
import type { Logger } from '../log';
import { annotateLive } from './live-annotate';

/** One track to draw; structurally a TrackSnapshot. Tracks not matched in this frame are not drawn. */
export interface LiveTrack {
  box: Box;
  label: FaceLabel;
  confidence: number;
  missed?: number;
  /** Its `mask` reading is refused as turned from the camera (TrackSnapshot.turned). */
  turned?: boolean;
}

/** Structurally the frame loop's FrameStats: the frame and what the tracker made of it. */
export interface LiveFrame {
  seq: number;
  frame: RgbFrame;
  tracks: readonly LiveTrack[];
}

export interface LiveViewOptions {
  log: Logger;
  /** Encodes per second at most, whatever the camera's rate. */
  maxFps?: number;
  quality?: number;
  maxViewers?: number;
  now?: () => number;
  /** JPEG encoder (sharp, off the main thread); tests may swap it. */
  encode?: (img: RgbFrame, quality: number) => Promise<Buffer>;
}

export const MJPEG_BOUNDARY = 'maskgateframe';

/**
 * The live MJPEG view (Figure 4 style: boxes, labels, confidences). It must never slow the frame loop:
 * nothing is done while nobody watches, at most `maxFps` frames are encoded, and a frame offered while an
 * encode is running or too soon after the last one is dropped, never queued. A viewer whose socket is still
 * busy skips frames instead of buffering them.
 */
export class LiveView {
  private readonly viewers = new Set<ServerResponse>();
  private encoding = false;
  private lastEncodeAt = -Infinity;
  private latest: Buffer | null = null;
  private failures = 0;
  /** Frames encoded and frame writes skipped for a busy viewer, for tests and the health panel. */
  encoded = 0;
  skippedWrites = 0;
  private readonly o: Required<LiveViewOptions>;

  constructor(opts: LiveViewOptions) {
    this.o = {
      maxFps: 5,
      quality: 70,
      maxViewers: 8,
      now: () => performance.now(),
      encode: (img, q) => snapshotJpeg(img, [], false, q),
      ...opts,
    };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Called by the frame loop for every frame; returns at once. */
  offer(f: LiveFrame): void {
    if (this.viewers.size === 0 || this.encoding) return;
    const t = this.o.now();
    if (t - this.lastEncodeAt < 1000 / this.o.maxFps) return;
    this.lastEncodeAt = t;
    let img: RgbFrame;
    try {
      // Drawn now, on a copy: the camera may reuse the frame's buffer once this returns.
      const tracks = f.tracks.filter((tr) => !tr.missed);
      // A turned face's `mask` reading casts no vote (detector.maskMaxTurn): say so, or the box looks like a clear.
      img = annotateLive(f.frame, tracks.map((tr) => ({ box: tr.box, label: tr.label, score: tr.confidence, ...(tr.turned ? { note: 'turned' } : {}) })));
    } catch (e) {
      this.failed(e);
      return;
    }
    this.encoding = true;
    this.o.encode(img, this.o.quality).then(
      (jpeg) => {
        this.encoding = false;
        this.failures = 0;
        this.encoded++;
        this.latest = jpeg;
        for (const res of this.viewers) this.writePart(res, jpeg);
      },
      (e: unknown) => {
        this.encoding = false;
        this.failed(e);
      },
    );
  }

  /** Starts a multipart stream; the newest encoded frame goes out at once so the view is never blank. */
  add(res: ServerResponse): boolean {
    if (this.viewers.size >= this.o.maxViewers) return false;
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`,
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      Connection: 'close',
    });
    // Headers now, not with the first frame: a client sees the stream open even while no frames come.
    res.flushHeaders();
    this.viewers.add(res);
    const drop = () => this.viewers.delete(res);
    res.on('close', drop);
    res.on('error', drop);
    if (this.latest) this.writePart(res, this.latest);
    return true;
  }

  closeAll(): void {
    for (const res of this.viewers) res.end();
    this.viewers.clear();
    this.latest = null;
  }

  private writePart(res: ServerResponse, jpeg: Buffer): void {
    if (res.writableNeedDrain) {
      this.skippedWrites++;
      return;
    }
    try {
      res.write(`--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
    } catch {
      this.viewers.delete(res);
    }
  }

  private failed(e: unknown): void {
    // Logged on the first failure and then sparsely: a broken encoder must not flood the journal.
    this.failures++;
    if (this.failures === 1 || this.failures % 100 === 0) this.o.log.warn('live view frame not encoded', { failures: this.failures, error: e });
  }
}
