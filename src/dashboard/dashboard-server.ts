import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema';
import type { Service } from '../lifecycle';
import type { Logger } from '../log';
import { AccessPolicy, assertBindAllowed } from './access';
import { gateView, type DashboardGate } from './gate-view';
import type { HealthSource } from './health';
import { sendError } from './http-util';
import { LiveView, type LiveFrame } from './live-view';
import { eventsPayload, statsPayload, type DashboardEventLog } from './payloads';
import { DEFAULT_EVENT_LIMIT, healthOf, route, type RouteContext } from './router';
import { SseHub } from './sse';

export interface DashboardDeps {
  config: Config['dashboard'];
  gate: DashboardGate;
  eventLog: DashboardEventLog;
  health: HealthSource;
  log: Logger;
  /** Live view encodes per second at most (default 5). */
  liveFps?: number;
  /** How often open pages get fresh health numbers (default 2 s). */
  healthPushMs?: number;
}

/**
 * The local web dashboard: operator page, kiosk page, live MJPEG and a small JSON API, on node:http. It
 * binds to loopback unless a token is configured, and refuses to start otherwise even if handed a config
 * that skipped the schema. Request failures are answered and logged; nothing here can stop the gate.
 */
export class DashboardServer implements Service {
  readonly name = 'dashboard';
  private server: Server | null = null;
  private ctx: RouteContext | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshQueued: NodeJS.Immediate | null = null;
  private statsQueued = false;
  private lastStateJson = '';

  constructor(private readonly deps: DashboardDeps) {}

  /** The bound address, e.g. http://127.0.0.1:8080 (after start). */
  get url(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('dashboard is not listening');
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { config, log } = this.deps;
    if (!config.enabled) {
      log.info('dashboard disabled (dashboard.enabled: false)');
      return;
    }
    const token = config.token ? config.token.reveal() : null;
    assertBindAllowed(config.host, token);
    const ctx: RouteContext = {
      gate: this.deps.gate,
      eventLog: this.deps.eventLog,
      health: this.deps.health,
      log,
      policy: new AccessPolicy(token),
      sse: new SseHub(),
      live: new LiveView({ log, maxFps: this.deps.liveFps ?? 5 }),
      startedAt: Date.now(),
    };
    const server = createServer((req, res) => {
      route(ctx, req, res).catch((e: unknown) => {
        log.error('dashboard request failed', { method: req.method, path: (req.url ?? '').split('?')[0], error: e });
        sendError(res, 500, 'internal error');
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => log.error('dashboard server error', { error: e }));
    this.server = server;
    this.ctx = ctx;
    this.lastStateJson = JSON.stringify(gateView(this.deps.gate));
    this.timer = setInterval(() => this.pushHealth(), this.deps.healthPushMs ?? 2000);
    this.timer.unref();
    log.info(`dashboard listening on ${this.url}`, { access: ctx.policy.open ? 'loopback, no token' : 'token required' });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    if (this.timer) clearInterval(this.timer);
    if (this.refreshQueued) clearImmediate(this.refreshQueued);
    this.timer = null;
    this.refreshQueued = null;
    this.ctx?.sse.closeAll();
    this.ctx?.live.closeAll();
    this.ctx = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Long-lived streams and keep-alive sockets would hold close() open.
    server.closeAllConnections();
    await closed;
    this.deps.log.info('dashboard stopped');
  }

  /** The frame feed: call for every processed frame (FrameStats fits); cheap when nobody watches. */
  offerFrame(frame: LiveFrame): void {
    this.ctx?.live.offer(frame);
  }

  /** Something about the gate may have changed: pages get the new state once the gate has settled. */
  gateChanged(): void {
    if (!this.ctx || this.refreshQueued) return;
    // Deferred: listeners run inside the machine's transition, before its snapshot is final.
    this.refreshQueued = setImmediate(() => {
      this.refreshQueued = null;
      this.pushState();
      if (this.statsQueued) this.pushStats();
    });
  }

  /** A decision, escalation, forced passage or fault was recorded: pages get new counts and events. */
  eventsChanged(): void {
    this.statsQueued = true;
    this.gateChanged();
  }

  private pushState(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const view = gateView(this.deps.gate);
    const json = JSON.stringify(view);
    if (json === this.lastStateJson) return;
    this.lastStateJson = json;
    ctx.sse.broadcast('state', view);
  }

  private pushStats(): void {
    this.statsQueued = false;
    const ctx = this.ctx;
    if (!ctx || (!ctx.sse.wants('stats') && !ctx.sse.wants('events'))) return;
    try {
      ctx.sse.broadcast('stats', statsPayload(ctx.eventLog));
      ctx.sse.broadcast('events', eventsPayload(ctx.eventLog, DEFAULT_EVENT_LIMIT));
    } catch (e) {
      ctx.log.warn('dashboard could not read the event log', { error: e });
    }
  }

  private pushHealth(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.sse.size === 0) return;
    // The ignored faces change with every frame, not only with the gate's state: sent at this pace, if changed.
    this.pushState();
    if (ctx.sse.wants('health')) ctx.sse.broadcast('health', healthOf(ctx));
    ctx.sse.ping();
  }
}
