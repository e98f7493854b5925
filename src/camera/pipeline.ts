import { CameraError } from './errors';
import { HARDWARE_ELEMENTS } from './elements';
import type { SourceSpec } from './uri';

/**
 * gst-launch descriptions for each source, as NVIDIA's jetson-utils builds them on a Jetson, and with
 * software elements elsewhere. Pure: the caller says which elements exist.
 */
export interface WorkingSize {
  width: number;
  height: number;
  fps: number;
}

export interface PipelinePlan {
  /** The gst-launch description; it never holds credentials, so it may be logged. */
  description: string;
  /** Set on the parsed pipeline (RTSP credentials); never logged. */
  secretProperties: { element: string; name: string; value: string }[];
  /** Live: the appsink keeps only the newest frame. Replay: it blocks upstream, nothing is dropped. */
  live: boolean;
  /** Whether the Jetson hardware elements are used. */
  hardware: boolean;
}

/** Name of the appsink in every description. */
export const SINK_NAME = 'sink';

/** Every element a description for this source may use: what to probe before planning. */
export function elementsToProbe(spec: SourceSpec): string[] {
  const base = [...HARDWARE_ELEMENTS, 'appsink', 'videoconvert', 'videoscale'];
  switch (spec.scheme) {
    case 'v4l2':
      return [...base, 'v4l2src', 'jpegdec'];
    case 'csi':
      return [...base];
    case 'rtsp':
      return [...base, 'rtspsrc', 'decodebin', 'rtph264depay', 'h264parse', 'rtph265depay', 'h265parse'];
    case 'file':
      return [...base, 'filesrc', 'decodebin'];
    case 'test':
      return [...base, 'videotestsrc'];
    case 'frames':
      return [];
  }
}

/** Builds the description; throws CameraError('unsupported') naming any element that is missing. */
export function planPipeline(spec: SourceSpec, size: WorkingSize, available: ReadonlySet<string>): PipelinePlan {
  if (spec.scheme === 'frames') throw new Error('frames:// sequences are read without GStreamer');
  const hw = available.has('nvvidconv');
  const live = spec.scheme !== 'file';
  const used: string[] = [];
  const el = (name: string, props = ''): string => {
    used.push(name);
    return props ? `${name} ${props}` : name;
  };
  const tail = hw
    ? [el('nvvidconv'), `video/x-raw,format=BGRx,width=${size.width},height=${size.height}`, el('videoconvert'), 'video/x-raw,format=RGB']
    : [el('videoscale'), el('videoconvert'), `video/x-raw,format=RGB,width=${size.width},height=${size.height}`];
  const sink = el(
    'appsink',
    live
      ? `name=${SINK_NAME} max-buffers=1 drop=true sync=false enable-last-sample=false`
      : `name=${SINK_NAME} max-buffers=2 drop=false sync=false enable-last-sample=false`,
  );
  const secretProperties: PipelinePlan['secretProperties'] = [];
  let head: string[];

  switch (spec.scheme) {
    case 'test':
      head = [el('videotestsrc', `is-live=true pattern=${gstValue(spec.pattern)}`), `video/x-raw,width=${size.width},height=${size.height},framerate=${size.fps}/1`];
      break;
    case 'file':
      head = [el('filesrc', `location=${gstValue(spec.path)}`), el('decodebin')];
      break;
    case 'v4l2': {
      const caps = `width=${spec.width ?? size.width},height=${spec.height ?? size.height},framerate=${spec.fps ?? size.fps}/1`;
      // MJPEG: C920-class webcams also offer H.264, which breaks nvv4l2decoder; raw is for webcams without MJPEG.
      head =
        spec.format === 'mjpeg'
          ? [el('v4l2src', `device=${gstValue(spec.device)}`), `image/jpeg,${caps}`, el('jpegdec')]
          : [el('v4l2src', `device=${gstValue(spec.device)}`), `video/x-raw,${caps}`];
      break;
    }
    case 'csi': {
      const source = el('nvarguscamerasrc', `sensor-id=${spec.sensorId}`);
      used.push('nvvidconv'); // Argus delivers NVMM buffers only the hardware converter reads
      const caps = `video/x-raw(memory:NVMM),width=${spec.width ?? size.width},height=${spec.height ?? size.height},framerate=${spec.fps ?? size.fps}/1,format=NV12`;
      const flip = spec.flipMethod !== undefined ? ` flip-method=${spec.flipMethod}` : '';
      return finish(
        [
          source,
          caps,
          `nvvidconv${flip}`,
          `video/x-raw,format=BGRx,width=${size.width},height=${size.height}`,
          el('videoconvert'),
          'video/x-raw,format=RGB',
          sink,
        ],
        { secretProperties, live, hardware: true },
        used,
        available,
        spec,
      );
    }
    case 'rtsp': {
      // TCP by default, as Frigate does: CCTV networks often drop or firewall UDP.
      const protocols = spec.transport === 'auto' ? '' : ` protocols=${spec.transport}`;
      head = [el('rtspsrc', `name=src location=${gstValue(spec.location)} latency=${spec.latencyMs}${protocols}`)];
      if (hw && spec.codec !== 'auto' && available.has('nvv4l2decoder')) {
        const c = spec.codec === 'h264' ? '264' : '265';
        head.push(el(`rtph${c}depay`), el(`h${c}parse`), el('nvv4l2decoder'));
      } else {
        head.push(el('decodebin'));
      }
      if (spec.user) secretProperties.push({ element: 'src', name: 'user-id', value: spec.user });
      if (spec.password) secretProperties.push({ element: 'src', name: 'user-pw', value: spec.password });
      break;
    }
  }
  return finish([...head, ...tail, sink], { secretProperties, live, hardware: hw }, used, available, spec);
}

function finish(parts: string[], rest: Omit<PipelinePlan, 'description'>, used: string[], available: ReadonlySet<string>, spec: SourceSpec): PipelinePlan {
  const missing = [...new Set(used)].filter((n) => !available.has(n));
  if (missing.length) {
    const hint =
      spec.scheme === 'csi'
        ? ' (CSI cameras need a Jetson with JetPack)'
        : ' (Debian: gstreamer1.0-plugins-base and gstreamer1.0-plugins-good; H.264/H.265 also need gstreamer1.0-libav or a Jetson)';
    throw new CameraError('unsupported', `${spec.scheme}:// needs GStreamer element(s) ${missing.join(', ')}, not installed on this machine${hint}`);
  }
  return { description: parts.join(' ! '), ...rest };
}

/** A property value for a gst-launch description, quoted when it holds anything but plain path characters. */
export function gstValue(v: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(v) ? v : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
