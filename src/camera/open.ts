import { access, constants, stat } from 'node:fs/promises';
import type { Clock } from '../../hardware/clock';
import type { CameraConfig } from '../config/sections/camera';
import { registerSecret, type Logger } from '../log';
import { SequenceSource } from '../sequence/source';
import type { BackoffPolicy } from './backoff';
import { gstInspectProbe, type ElementProbe } from './elements';
import { CameraError } from './errors';
import type { FrameSource, SourceInfo } from './frame';
import { GstFrameSource, type ChildEntry } from './gst-source';
import { PacedSource } from './pacer';
import { elementsToProbe, planPipeline } from './pipeline';
import { CameraSupervisor } from './supervisor';
import { displayUri, isLive, parseSourceUri, type SourceSpec } from './uri';

export interface OpenCameraDeps {
  logger: Logger;
  /** Which GStreamer elements exist; gst-inspect-1.0 by default. Tests pretend to be a Jetson here. */
  probe?: ElementProbe;
  /** Resolves frames://./dir and file://./clip. */
  cwd?: string;
  clock?: Clock;
  backoff?: BackoffPolicy;
  childEntry?: ChildEntry;
}

/**
 * The camera from config: parses the URI, picks hardware or software elements by what is installed, and
 * returns it supervised (live: reconnect forever; replays: end or fail once). Not started. Throws
 * CameraError for a URI or platform that can never work (bad URI, csi:// off a Jetson).
 */
export async function openCamera(config: CameraConfig, deps: OpenCameraDeps): Promise<CameraSupervisor> {
  const spec = parseSourceUri(config.source, deps.cwd);
  if (spec.scheme === 'rtsp' && spec.password) {
    // Also hidden wherever GStreamer or a library might echo it, not only inside a URL.
    registerSecret(spec.password);
    registerSecret(encodeURIComponent(spec.password));
  }
  const logger = deps.logger.child('camera');
  const live = isLive(spec);
  const info: SourceInfo = { uri: displayUri(config.source), live, width: config.width, height: config.height, fps: config.fps };
  // A new connection gets longer than a running one: RTSP connects, then waits for a keyframe.
  const connectTimeoutMs = Math.max(config.noFrameTimeoutMs, 10_000);
  const pace = (s: FrameSource): FrameSource => (!live && config.paced ? new PacedSource(s, deps.clock) : s);
  let open: () => FrameSource;

  if (spec.scheme === 'frames') {
    open = () => pace(new SequenceSource({ dir: spec.dir, uri: info.uri, width: config.width, height: config.height, loop: config.loop, logger }));
  } else {
    const available = await (deps.probe ?? gstInspectProbe)(elementsToProbe(spec));
    const plan = planPipeline(spec, config, available);
    info.pipeline = plan.description;
    logger.info(`camera ${info.uri}: ${plan.hardware ? 'Jetson hardware' : 'software'} pipeline`, { pipeline: plan.description });
    open = () =>
      pace(
        new GstFrameSource({
          info,
          plan,
          loop: spec.scheme === 'file' && config.loop,
          logger,
          startTimeoutMs: connectTimeoutMs,
          precheck: () => precheck(spec, info.uri),
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.childEntry ? { childEntry: deps.childEntry } : {}),
        }),
      );
  }
  return new CameraSupervisor({
    info,
    open,
    logger,
    noFrameTimeoutMs: config.noFrameTimeoutMs,
    connectTimeoutMs,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

/** Clear errors for the common cases, before GStreamer words them its own way. */
async function precheck(spec: SourceSpec, uri: string): Promise<void> {
  if (spec.scheme === 'v4l2') {
    try {
      await access(spec.device, constants.R_OK | constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CameraError('not-found', `${uri}: camera device ${spec.device} does not exist (webcam unplugged? see ls /dev/video*)`);
      throw new CameraError('not-found', `${uri}: cannot open camera device ${spec.device} (${code}; is this user in the "video" group?)`);
    }
  } else if (spec.scheme === 'file') {
    let s;
    try {
      s = await stat(spec.path);
    } catch {
      throw new CameraError('not-found', `${uri}: video file ${spec.path} does not exist`);
    }
    if (!s.isFile()) throw new CameraError('not-found', `${uri}: ${spec.path} is not a file`);
    if (s.size === 0) throw new CameraError('unreadable', `${uri}: video file ${spec.path} is empty`);
  }
}
