/**
 * The dashboard's routes. Every one needs access (see AccessPolicy); state changes are POST + JSON only.
 *
 *   GET  /                     operator page
 *   GET  /kiosk                doorway monitor page
 *   GET  /assets/<name>        the pages' CSS and scripts (no CDN, no build step)
 *   GET  /live.mjpeg           live view: multipart/x-mixed-replace JPEGs with boxes, labels, confidences
 *   GET  /api/state            gate state, indication, kiosk text, active faults
 *   GET  /api/stats            counts today and hourly compliance
 *   GET  /api/events?limit=N   recent events (newest first), with snapshot URLs
 *   GET  /api/snapshots/<id>   one snapshot JPEG (the id is validated; never a path)
 *   GET  /api/health           fps, detector latency, camera, detector, faults, uptime
 *   GET  /api/stream?only=a,b  Server-Sent Events: state, stats, events, health (all unless `only`)
 *   POST /api/maintenance      {"on": true|false}
 *   POST /api/open-once        one passage, as the staff button
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SnapshotIdError } from '../eventlog/snapshot-store';
import type { Logger } from '../log';
import { sameOriginPost, sessionCookieHeader, type AccessPolicy } from './access';
import { assets } from './assets';
import { gateView, type DashboardGate, type OperatorCommand } from './gate-view';
import type { HealthSource } from './health';
import { BodyError, readJsonBody, securityHeaders, sendError, sendJson, sendText } from './http-util';
import type { LiveView } from './live-view';
import { eventsPayload, healthPayload, statsPayload, type DashboardEventLog } from './payloads';
import type { SseHub } from './sse';

export interface RouteContext {
  gate: DashboardGate;
  eventLog: DashboardEventLog;
  health: HealthSource;
  log: Logger;
  policy: AccessPolicy;
  sse: SseHub;
  live: LiveView;
  startedAt: number;
}

const SSE_TOPICS = ['state', 'stats', 'events', 'health'];
export const DEFAULT_EVENT_LIMIT = 30;

export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  securityHeaders(res);
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const access = ctx.policy.check(req, url);
  if (access === 'bad-host') return sendError(res, 403, 'expected a loopback Host header (this dashboard has no token)');
  if (access === 'denied') {
    res.setHeader('WWW-Authenticate', 'Bearer realm="mask-gate"');
    return sendError(res, 401, 'expected the dashboard token (Authorization: Bearer, or ?token= once)');
  }
  if (access === 'query' && ctx.policy.sessionValue) {
    res.setHeader('Set-Cookie', sessionCookieHeader(ctx.policy.sessionValue));
    // Pages reload without the token, so it stays out of the address bar and history.
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/kiosk')) {
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search });
      res.end();
      return;
    }
  }

  const p = url.pathname;
  if (req.method === 'POST') {
    if (p !== '/api/maintenance' && p !== '/api/open-once') return sendError(res, isGetRoute(p) ? 405 : 404, `no POST ${p}`);
    if (access !== 'bearer' && !sameOriginPost(req)) return sendError(res, 403, 'expected a same-origin JSON request or a bearer token');
    return command(ctx, req, res, p);
  }
  // No HEAD: on the streams it would hold a connection open for nothing.
  if (req.method !== 'GET') return sendError(res, 405, `expected GET or POST, got ${req.method}`);

  if (p === '/') return sendText(res, 'text/html', assets['operator.html']!.body);
  if (p === '/kiosk') return sendText(res, 'text/html', assets['kiosk.html']!.body);
  if (p.startsWith('/assets/')) {
    const a = Object.hasOwn(assets, p.slice(8)) ? assets[p.slice(8)] : undefined;
    return a ? sendText(res, a.type, a.body) : sendError(res, 404, 'no such asset');
  }
  if (p === '/live.mjpeg') {
    if (!ctx.live.add(res)) sendError(res, 503, 'too many live viewers');
    return;
  }
  if (p === '/api/state') return sendJson(res, 200, gateView(ctx.gate));
  if (p === '/api/stats') return sendJson(res, 200, statsPayload(ctx.eventLog));
  if (p === '/api/events') return sendJson(res, 200, eventsPayload(ctx.eventLog, limitParam(url)));
  if (p === '/api/health') return sendJson(res, 200, healthOf(ctx));
  if (p === '/api/stream') return stream(ctx, url, res);
  if (p.startsWith('/api/snapshots/')) return snapshot(ctx, p.slice('/api/snapshots/'.length), res);
  return sendError(res, 404, `no route ${p}`);
}

function isGetRoute(p: string): boolean {
  return ['/', '/kiosk', '/live.mjpeg', '/api/state', '/api/stats', '/api/events', '/api/health', '/api/stream'].includes(p);
}

function limitParam(url: URL): number {
  const n = Number(url.searchParams.get('limit') ?? DEFAULT_EVENT_LIMIT);
  return Number.isFinite(n) ? Math.max(1, Math.min(200, Math.floor(n))) : DEFAULT_EVENT_LIMIT;
}

export function healthOf(ctx: RouteContext) {
  return healthPayload(ctx.health, ctx.gate, ctx.eventLog, { liveViewers: ctx.live.viewerCount, pageClients: ctx.sse.size, startedAt: ctx.startedAt });
}

function stream(ctx: RouteContext, url: URL, res: ServerResponse): void {
  const only = url.searchParams.get('only');
  const topics = only ? new Set(only.split(',').filter((t) => SSE_TOPICS.includes(t))) : null;
  const want = (t: string) => !topics || topics.has(t);
  // The page gets everything it shows at once, then only changes.
  const first: { event: string; data: unknown }[] = [{ event: 'state', data: gateView(ctx.gate) }];
  try {
    if (want('stats')) first.push({ event: 'stats', data: statsPayload(ctx.eventLog) });
    if (want('events')) first.push({ event: 'events', data: eventsPayload(ctx.eventLog, DEFAULT_EVENT_LIMIT) });
  } catch (e) {
    ctx.log.warn('dashboard could not read the event log', { error: e });
  }
  if (want('health')) first.push({ event: 'health', data: healthOf(ctx) });
  ctx.sse.add(res, topics, first);
}

async function snapshot(ctx: RouteContext, rawId: string, res: ServerResponse): Promise<void> {
  const store = ctx.eventLog.snapshots;
  if (!store) return sendError(res, 404, 'snapshots are disabled');
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return sendError(res, 400, 'expected a snapshot id');
  }
  let jpeg: Buffer | null;
  try {
    // The store accepts ids only (date and random tag): '..', '/', '%00' never reach the file system.
    jpeg = await store.read(id);
  } catch (e) {
    if (e instanceof SnapshotIdError) return sendError(res, 400, 'expected a snapshot id like 20250301T081502123Z-9f2c4e1a');
    throw e;
  }
  if (!jpeg) return sendError(res, 404, 'no such snapshot');
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=86400' });
  res.end(jpeg);
}

async function command(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, p: string): Promise<void> {
  let body: unknown;
  try {
    body = await readJsonBody(req);
  } catch (e) {
    return sendError(res, e instanceof BodyError ? e.status : 400, e instanceof Error ? e.message : 'bad body');
  }
  let cmd: OperatorCommand;
  if (p === '/api/maintenance') {
    const on = (body as { on?: unknown } | null)?.on;
    if (typeof on !== 'boolean') return sendError(res, 400, 'expected {"on": true} or {"on": false}');
    cmd = { type: on ? 'MAINTENANCE_ON' : 'MAINTENANCE_OFF', by: 'dashboard' };
  } else {
    cmd = { type: 'OPEN_ONCE', by: 'dashboard' };
  }
  const before = ctx.gate.state;
  ctx.gate.send(cmd);
  const view = gateView(ctx.gate);
  ctx.log.info(`operator command ${cmd.type} from the dashboard`, { remote: req.socket.remoteAddress ?? null, before, after: view.state });
  sendJson(res, 200, { ok: true, command: cmd.type, state: view.state, maintenance: view.maintenance });
}
