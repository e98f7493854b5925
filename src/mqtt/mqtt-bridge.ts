/** The one place the mqtt package is imported. */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { systemClock, type Clock } from '../../hardware/clock';
import type { ActiveFault } from '../../machines/gate-context';
import type { GateEvent } from '../../machines/gate-events';
import type { Indication } from '../../machines/gate-outputs';
import type { Config } from '../config/schema';
import type { Service } from '../lifecycle';
import { redact, type Logger } from '../log';
import { commandToEvent } from './commands';
import { discoveryMessages } from './discovery';
import { OfflineQueue } from './offline-queue';
import { slug, topicsFor, type Topics } from './topics';

export interface MqttBridgeDeps {
  config: Config['mqtt'];
  /** config.site.name: names the device in Home Assistant and, without mqtt.siteId, the topics. */
  siteName: string;
  log: Logger;
  /** Operator commands from MQTT go to the gate through this (GateController.send). */
  send(event: GateEvent): void;
  /** Extra stats the root knows (fps, latency, counts today from the event log), merged into each stats message. */
  stats?: () => Record<string, number | string | null>;
  clock?: Clock;
  version?: string;
}

export interface BridgeCounters {
  cleared: number;
  alert: number;
  escalations: number;
  /** Events dropped: offline in drop mode, or pushed out of a full queue. */
  dropped: number;
  queued: number;
}

/**
 * Publishes the gate to an MQTT broker and takes commands from it. The gate never waits on the broker:
 * start() returns at once, publishing never throws, and while the broker is away events are queued
 * (bounded) or dropped as configured; mqtt.js reconnects every reconnectMs and the queue flushes in order.
 */
export class MqttBridge implements Service {
  readonly name = 'mqtt';
  readonly topics: Topics;
  private client: MqttClient | null = null;
  private readonly queue: OfflineQueue;
  private readonly clock: Clock;
  private statsTimer: unknown = null;
  private current: { state: string; indication: Indication | null; faults: readonly ActiveFault[] } = { state: 'starting', indication: null, faults: [] };
  private wasConnected = false;
  readonly counters: BridgeCounters = { cleared: 0, alert: 0, escalations: 0, dropped: 0, queued: 0 };

  constructor(private readonly deps: MqttBridgeDeps) {
    const site = deps.config.siteId ?? slug(deps.siteName);
    this.topics = topicsFor(deps.config.topicPrefix, site);
    this.queue = new OfflineQueue(deps.config.queueMax);
    this.clock = deps.clock ?? systemClock;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }
  get queueLength(): number {
    return this.queue.length;
  }

  async start(): Promise<void> {
    if (this.client || !this.deps.config.enabled) return;
    const { config, log } = this.deps;
    const options: IClientOptions = {
      clientId: config.clientId ?? `mask-gate-${this.topics.base.replace(/[^a-z0-9]+/gi, '-')}`,
      username: config.username ?? undefined,
      password: config.password?.reveal(),
      reconnectPeriod: config.reconnectMs,
      connectTimeout: Math.max(2000, config.reconnectMs),
      clean: true,
      // Our own queue decides what waits while offline; mqtt.js must not keep a second, unbounded one.
      queueQoSZero: false,
      will: { topic: this.topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const client = connect(config.url, options);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => {
      if (this.wasConnected) log.warn('mqtt broker connection lost; reconnecting', { url: redact(config.url), queued: this.queue.length });
      this.wasConnected = false;
    });
    // mqtt.js reports every failed attempt; its messages name the broker, never the password.
    client.on('error', (e) => log.warn('mqtt error', { url: redact(config.url), error: e.message }));
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload.toString('utf8'), packet.retain));
    log.info('mqtt connecting', { url: redact(config.url), base: this.topics.base, user: config.username ?? null, offline: config.offline });
    this.scheduleStats();
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    if (this.statsTimer !== null) this.clock.clearTimeout(this.statsTimer);
    this.statsTimer = null;
    if (client.connected) {
      // A clean goodbye: the will is not sent on a normal disconnect, so say offline ourselves.
      await new Promise<void>((resolve) => client.publish(this.topics.availability, 'offline', { qos: 1, retain: true }, () => resolve()));
    }
    await client.endAsync(false).catch(() => {});
    this.deps.log.info('mqtt stopped', { queuedLeft: this.queue.length });
  }

  /** The gate's state, retained so a new subscriber sees it at once. */
  publishState(state: string, indication: Indication | null): void {
    this.current = { ...this.current, state, indication };
    this.sendState();
  }

  /** The active faults changed: part of the state message. */
  setFaults(faults: readonly ActiveFault[]): void {
    this.current = { ...this.current, faults };
    this.sendState();
  }

  private sendState(): void {
    if (this.connected) this.client!.publish(this.topics.state, JSON.stringify({ ...this.current, t: this.clock.now() }), { qos: 1, retain: true });
  }

  /** An event (decision, escalation, ...): not retained; queued or dropped while offline. */
  publishEvent(kind: string, body: Record<string, unknown>): void {
    if (kind === 'decision') body.outcome === 'cleared' ? this.counters.cleared++ : this.counters.alert++;
    if (kind === 'escalation') this.counters.escalations++;
    const msg = { topic: this.topics.event(kind), payload: JSON.stringify({ ...body, t: this.clock.now() }) };
    if (this.connected && this.queue.length === 0) {
      this.client!.publish(msg.topic, msg.payload, { qos: 1 });
    } else if (this.deps.config.offline === 'queue') {
      const before = this.queue.dropped;
      this.queue.push(msg);
      this.counters.dropped += this.queue.dropped - before;
      this.counters.queued = this.queue.length;
    } else {
      this.counters.dropped++;
    }
  }

  publishStats(): void {
    if (!this.connected) return; // stats are a snapshot: the next one replaces a missed one
    let extra: Record<string, unknown> = {};
    try {
      extra = this.deps.stats?.() ?? {};
    } catch (e) {
      this.deps.log.warn('stats callback failed', { error: e });
    }
    this.client!.publish(this.topics.stats, JSON.stringify({ ...this.counters, fps: null, latencyMs: null, ...extra, t: this.clock.now() }), { qos: 0, retain: true });
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.wasConnected = true;
    const { config, log } = this.deps;
    log.info('mqtt connected', { url: redact(config.url), flushing: this.queue.length });
    client.publish(this.topics.availability, 'online', { qos: 1, retain: true });
    if (config.homeAssistantDiscovery) {
      for (const m of discoveryMessages(this.topics, this.topics.base.split('/').pop()!, this.deps.siteName, this.deps.version ?? '0')) client.publish(m.topic, m.payload, { qos: 1, retain: true });
    }
    this.sendState();
    // publish() only enqueues on the socket, so the flush keeps its order ahead of any newer event.
    for (const m of this.queue.drain()) client.publish(m.topic, m.payload, { qos: 1 });
    this.counters.queued = 0;
    client.subscribe([this.topics.cmdMaintenance, this.topics.cmdOpenOnce], { qos: 1 }, (err) => {
      if (err) log.warn('mqtt subscribe failed', { error: err.message });
    });
    this.publishStats();
  }

  private onMessage(topic: string, payload: string, retained: boolean): void {
    const { log } = this.deps;
    const command = topic === this.topics.cmdMaintenance ? 'maintenance' : topic === this.topics.cmdOpenOnce ? 'open_once' : null;
    if (!command) return;
    // A retained command would replay at every reconnect (and open the door again): ignore it.
    if (retained) {
      log.warn('ignored a retained mqtt command', { topic });
      return;
    }
    const ev = commandToEvent(command, payload);
    if ('error' in ev) {
      log.warn('bad mqtt command', { topic, error: ev.error });
      return;
    }
    log.info('mqtt command', { command: ev.type });
    try {
      this.deps.send(ev);
    } catch (e) {
      log.error('gate refused the mqtt command', { command: ev.type, error: e });
    }
  }

  private scheduleStats(): void {
    this.statsTimer = this.clock.setTimeout(() => {
      this.publishStats();
      if (this.client) this.scheduleStats();
    }, this.deps.config.statsIntervalMs);
    (this.statsTimer as { unref?: () => void } | null)?.unref?.();
  }
}
