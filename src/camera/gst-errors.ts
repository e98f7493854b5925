import { CameraError, type CameraErrorCode } from './errors';
import type { SourceInfo } from './frame';

/**
 * Turns GStreamer's error text into a CameraError a site operator can act on. GStreamer's own words are
 * kept (they are what a search finds), prefixed with what we were doing and followed by a hint.
 */
const RULES: { code: CameraErrorCode; test: RegExp; hint: string }[] = [
  { code: 'auth', test: /unauthori[sz]ed|not authori[sz]ed|\b401\b|authentication/i, hint: 'check the user and password in the rtsp:// URI' },
  { code: 'unsupported', test: /missing a plug-?in|no element|no decoder|not installed/i, hint: 'a GStreamer plugin for this format is not installed' },
  {
    code: 'not-found',
    test: /resource not found|no such file|cannot identify device|could not open resource|not found|could not connect|connection refused|failed to connect/i,
    hint: 'check that the device, file or camera exists and is reachable',
  },
  {
    code: 'unreadable',
    test: /could not determine type|corrupt|not.*valid|failed to decode|decode error|no valid frames|stream contains no data|could not demultiplex|invalid|parse error|unexpected end/i,
    hint: 'the file or stream is not a video this machine can decode (corrupt or wrong format)',
  },
];

export function classifyGstError(info: SourceInfo, err: { message: string; element: string | null; debug: string | null }): CameraError {
  const text = `${err.message} ${err.debug ?? ''}`;
  const rule = RULES.find((r) => r.test.test(text));
  const where = err.element ? ` (in ${err.element})` : '';
  const hint = rule ? `; ${rule.hint}` : '';
  return new CameraError(rule?.code ?? 'stream', `${info.uri}: ${err.message}${where}${hint}`);
}
