import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../config/schema';

export const SESSION_COOKIE = 'mask_gate_session';

/** Why a request was let in (or not); `bearer` also exempts a POST from the same-origin check. */
export type AccessResult = 'open' | 'bearer' | 'cookie' | 'query' | 'denied' | 'bad-host';

/** The host names a loopback-only dashboard answers to: anything else is a DNS-rebinding page. */
const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

/**
 * Who may use the dashboard. With a token: every page, asset and API needs it, as `Authorization: Bearer`,
 * as the session cookie, or as `?token=` once (the kiosk browser), which sets the cookie. Without a token the
 * dashboard must be on loopback, and then only loopback Host headers are served.
 */
export class AccessPolicy {
  private readonly tokenHash: Buffer | null;
  /** The cookie holds a value derived from the token, so the token itself never sits in the browser. */
  readonly sessionValue: string | null;

  constructor(token: string | null) {
    this.tokenHash = token === null ? null : sha256(token);
    this.sessionValue = token === null ? null : createHmac('sha256', token).update('mask-gate dashboard session v1').digest('hex');
  }

  get open(): boolean {
    return this.tokenHash === null;
  }

  check(req: IncomingMessage, url: URL): AccessResult {
    if (this.tokenHash === null) return LOOPBACK_HOSTS.test(req.headers.host ?? '') ? 'open' : 'bad-host';
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && this.tokenMatches(auth.slice(7).trim())) return 'bearer';
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie !== null && this.sessionValue !== null && safeEqual(cookie, this.sessionValue)) return 'cookie';
    const q = url.searchParams.get('token');
    if (q !== null && this.tokenMatches(q)) return 'query';
    return 'denied';
  }

  private tokenMatches(candidate: string): boolean {
    // Hashing first makes the comparison constant-time whatever the lengths.
    return this.tokenHash !== null && timingSafeEqual(sha256(candidate), this.tokenHash);
  }
}

/**
 * State-changing requests from a browser must come from the dashboard's own pages: a foreign page can make
 * the operator's browser POST, but it cannot forge Origin or send a JSON content type without a preflight.
 */
export function sameOriginPost(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === `http://${req.headers.host ?? ''}`;
  // No Origin: a non-browser client (curl) or an old browser on a same-origin request.
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** The server's own refusal to start where the schema would have refused the config. */
export function assertBindAllowed(host: string, token: string | null): void {
  if (!isLoopback(host) && token === null) {
    throw new Error(`dashboard: refusing to listen on ${host} without dashboard.token (only loopback may be open)`);
  }
}

export function sessionCookieHeader(value: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
