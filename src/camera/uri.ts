import path from 'node:path';
import { redact } from '../log';
import { CameraError } from './errors';

/**
 * Camera source URIs, as jetson-inference names them. Parsing is pure: no file or device is touched, so a
 * config can be validated on any machine.
 */
export type SourceSpec =
  | { scheme: 'v4l2'; device: string; format: 'mjpeg' | 'raw'; width?: number; height?: number; fps?: number }
  | { scheme: 'csi'; sensorId: number; width?: number; height?: number; fps?: number; flipMethod?: number }
  | {
      scheme: 'rtsp';
      /** The URL without credentials (and without our #fragment options). */
      location: string;
      user?: string;
      password?: string;
      codec: 'h264' | 'h265' | 'auto';
      latencyMs: number;
      /** tcp (default: no UDP firewall trouble, no smeared frames from lost packets), udp, or auto. */
      transport: 'tcp' | 'udp' | 'auto';
    }
  | { scheme: 'file'; path: string }
  | { scheme: 'frames'; dir: string }
  | { scheme: 'test'; pattern: string };

export type SourceScheme = SourceSpec['scheme'];

/** Live sources always give the newest frame and are supervised; replays give every frame. */
export function isLive(spec: SourceSpec): boolean {
  return spec.scheme === 'v4l2' || spec.scheme === 'csi' || spec.scheme === 'rtsp' || spec.scheme === 'test';
}

export const VIDEO_EXTENSIONS = ['.mkv', '.avi', '.mp4', '.webm'] as const;

export const SCHEMES_HELP = [
  'v4l2:///dev/video0 (USB webcam; ?width=&height=&fps=&format=mjpeg|raw)',
  'csi://0 (CSI camera via nvarguscamerasrc; ?width=&height=&fps=&flip=0..7)',
  'rtsp://user:pass@host[:port]/path (IP camera; #codec=h264|h265|auto&latency=200&transport=tcp|udp|auto)',
  `file:///path/clip.{${VIDEO_EXTENSIONS.map((e) => e.slice(1)).join(',')}} (video file)`,
  'frames:///path/dir or frames://./relative/dir (recorded frame sequence)',
  'test:// or test://PATTERN (videotestsrc)',
];

/** Parses a source URI; `cwd` resolves frames://./dir and file://./clip. Throws CameraError('bad-uri'). */
export function parseSourceUri(uri: string, cwd = process.cwd()): SourceSpec {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(uri.trim());
  const bad = (why: string): never => {
    throw new CameraError('bad-uri', `camera source "${displayUri(uri)}": ${why}; expected one of:\n  ${SCHEMES_HELP.join('\n  ')}`);
  };
  if (!m) return bad('not a URI (scheme://...)');
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case 'v4l2':
      return parseV4l2(rest, bad);
    case 'csi':
      return parseCsi(rest, bad);
    case 'rtsp':
    case 'rtsps':
      return parseRtsp(uri.trim(), bad);
    case 'file': {
      const p = localPath(rest, cwd, bad);
      const ext = path.extname(p).toLowerCase();
      if (!(VIDEO_EXTENSIONS as readonly string[]).includes(ext)) bad(`expected a video file ending in ${VIDEO_EXTENSIONS.join(', ')}, got "${ext || 'no extension'}"`);
      return { scheme: 'file', path: p };
    }
    case 'frames':
      return { scheme: 'frames', dir: localPath(rest, cwd, bad) };
    case 'test': {
      const pattern = rest.replace(/\/+$/, '') || 'ball';
      if (!/^[a-z0-9-]+$/i.test(pattern)) bad(`expected a videotestsrc pattern name, got "${pattern}"`);
      return { scheme: 'test', pattern };
    }
    default:
      return bad(`unknown scheme "${scheme}"`);
  }
}

/** The URI with credentials hidden, for logs, status and sequence.json. */
export function displayUri(uri: string): string {
  // The URL parser finds the last "@" of the authority, so a password containing "@" is hidden whole.
  try {
    const url = new URL(uri.trim());
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
      return redact(url.toString());
    }
  } catch {
    // not a URL: fall back to the pattern
  }
  return redact(uri);
}

type Bad = (why: string) => never;

function localPath(rest: string, cwd: string, bad: Bad): string {
  // frames:///abs -> rest "/abs"; frames://./rel -> rest "./rel"
  const decoded = safeDecode(rest.split(/[?#]/)[0]!, bad);
  if (decoded === '' || decoded === '/') return bad('expected a path after "//"');
  if (decoded.startsWith('/')) return path.normalize(decoded);
  if (decoded.startsWith('./') || decoded.startsWith('../') || decoded === '.') return path.resolve(cwd, decoded);
  return bad(`expected an absolute path (scheme:///abs/path) or one relative to the working directory (scheme://./rel), got "${decoded}"`);
}

function parseV4l2(rest: string, bad: Bad): SourceSpec {
  const [p, query = ''] = rest.split('?', 2);
  const device = safeDecode(p!, bad);
  if (!device.startsWith('/dev/')) return bad(`expected a device path such as v4l2:///dev/video0, got "${device}"`);
  const q = queryOf(query, ['width', 'height', 'fps', 'format'], bad);
  const format = q.get('format') ?? 'mjpeg';
  if (format !== 'mjpeg' && format !== 'raw') return bad(`expected format=mjpeg or format=raw, got "${format}"`);
  return { scheme: 'v4l2', device, format, ...sizeOf(q, bad) };
}

function parseCsi(rest: string, bad: Bad): SourceSpec {
  const [id, query = ''] = rest.split('?', 2);
  if (!/^\d+$/.test(id!)) return bad(`expected a sensor number such as csi://0, got "${id}"`);
  const q = queryOf(query, ['width', 'height', 'fps', 'flip'], bad);
  const spec: SourceSpec = { scheme: 'csi', sensorId: Number(id), ...sizeOf(q, bad) };
  if (q.has('flip')) spec.flipMethod = intIn(q.get('flip')!, 'flip', 0, 7, bad);
  return spec;
}

function parseRtsp(uri: string, bad: Bad): SourceSpec {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return bad('not a valid URL');
  }
  if (!url.hostname) return bad('expected a host, as in rtsp://host/path');
  const opts = new URLSearchParams(url.hash.replace(/^#/, ''));
  for (const k of opts.keys()) if (!['codec', 'latency', 'transport'].includes(k)) bad(`unknown option "#${k}" (known: codec, latency, transport)`);
  const transport = opts.get('transport') ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'udp' && transport !== 'auto') return bad(`expected #transport=tcp, udp or auto, got "${transport}"`);
  const codec = opts.get('codec') ?? 'h264';
  if (codec !== 'h264' && codec !== 'h265' && codec !== 'auto') return bad(`expected #codec=h264, h265 or auto, got "${codec}"`);
  const latencyMs = opts.has('latency') ? intIn(opts.get('latency')!, 'latency', 0, 10_000, bad) : 200;
  const user = url.username ? safeDecode(url.username, bad) : undefined;
  const password = url.password ? safeDecode(url.password, bad) : undefined;
  url.username = '';
  url.password = '';
  url.hash = '';
  return { scheme: 'rtsp', location: url.toString(), codec, latencyMs, transport, ...(user ? { user } : {}), ...(password ? { password } : {}) };
}

function queryOf(query: string, known: string[], bad: Bad): URLSearchParams {
  const q = new URLSearchParams(query);
  for (const k of q.keys()) if (!known.includes(k)) bad(`unknown option "${k}" (known: ${known.join(', ')})`);
  return q;
}

function sizeOf(q: URLSearchParams, bad: Bad): { width?: number; height?: number; fps?: number } {
  const out: { width?: number; height?: number; fps?: number } = {};
  if (q.has('width')) out.width = intIn(q.get('width')!, 'width', 32, 7680, bad);
  if (q.has('height')) out.height = intIn(q.get('height')!, 'height', 32, 4320, bad);
  if (q.has('fps')) out.fps = intIn(q.get('fps')!, 'fps', 1, 240, bad);
  return out;
}

function intIn(v: string, name: string, min: number, max: number, bad: Bad): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) bad(`expected ${name} an integer ${min}..${max}, got "${v}"`);
  return n;
}

function safeDecode(s: string, bad: Bad): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return bad(`bad percent-encoding in "${s}"`);
  }
}
