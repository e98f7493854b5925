import { connect, type MqttClient } from 'mqtt';
import type { GateEvent } from '../../machines/gate-events';
import { loadConfig } from '../../src/config/load';
import type { Logger } from '../../src/log';
import { MqttBridge, type MqttBridgeDeps } from '../../src/mqtt/mqtt-bridge';
import { mqttListener } from '../../src/mqtt/mqtt-listener';
import { Broker } from './mosquitto';

const base = 'mask-gate/front-door';
const ind = { greenLed: 'off', redLed: 'off', amberLed: 'off', relay: 'locked', buzzer: 'off', display: 'ready' } as const;

/** Logs kept raw (no redaction), so a test sees exactly what the bridge handed the logger. */
function rawLogger(): Logger & { text: () => string } {
  const lines: string[] = [];
  const l: Logger = {
    debug: (m, f) => void lines.push(m + JSON.stringify(f ?? {})),
    info: (m, f) => void lines.push(m + JSON.stringify(f ?? {})),
    warn: (m, f) => void lines.push(m + JSON.stringify(f ?? {})),
    error: (m, f) => void lines.push(m + JSON.stringify(f ?? {})),
    child: () => l,
  };
  return Object.assign(l, { text: () => lines.join('\n') });
}

function bridgeFor(broker: Broker, mqtt: Partial<MqttBridgeDeps['config']> = {}, deps: Partial<MqttBridgeDeps> = {}) {
  const config = { ...loadConfig({ text: '', env: {} }).mqtt, enabled: true, url: broker.url, reconnectMs: 200, ...mqtt };
  const sent: GateEvent[] = [];
  const log = rawLogger();
  const bridge = new MqttBridge({ config, siteName: 'Front Door', log, send: (e) => sent.push(e), ...deps });
  return { bridge, sent, log };
}

/** A subscriber that keeps its session across broker restarts (clean: false, QoS 1). */
async function subscriber(broker: Broker, topics: string[], o: { username?: string; password?: string } = {}) {
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  const c: MqttClient = connect(broker.url, { clientId: `sub-${Math.random().toString(16).slice(2)}`, clean: false, reconnectPeriod: 100, ...o });
  c.on('message', (topic, p, packet) => got.push({ topic, payload: p.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => c.subscribe(topics, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    c.once('error', reject);
  });
  return { c, got, of: (t: string) => got.filter((m) => m.topic === t).map((m) => m.payload) };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let broker: Broker;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(async () => {
  broker = await Broker.start();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await broker.destroy();
});

function track<T extends { stop?: () => Promise<void>; end?: (force?: boolean) => unknown }>(x: T): T {
  cleanups.push(async () => void (x.stop ? await x.stop() : x.end?.(true)));
  return x;
}

test('publishes availability (retained, with a will), discovery, retained state and non-retained decisions', async () => {
  const { bridge } = bridgeFor(broker);
  track(bridge);
  const l = mqttListener(bridge);
  l.onState!('idle', ind, 0);
  await bridge.start();
  await until(() => bridge.connected);
  l.onDecision!({ outcome: 'alert', reason: 'no_mask', verdict: { kind: 'alert', reason: 'no_mask', people: [{ id: 't1', verdict: 'no_mask', confidence: 0.9, votes: { mask: 0, no_mask: 5, incorrect: 0, unknown: 0 } }] }, temperatureC: null, t: 1 });
  l.onFaults!([{ source: 'camera', reason: 'no frames' }]);

  // A late subscriber still gets the retained topics.
  const sub = await subscriber(broker, [`${base}/#`, 'homeassistant/#']);
  track(sub.c);
  await until(() => sub.of(`${base}/state`).length > 0 && sub.of(`${base}/availability`).length > 0 && sub.got.filter((m) => m.topic.startsWith('homeassistant/')).length >= 8);
  expect(sub.of(`${base}/availability`)).toEqual(['online']);
  expect(JSON.parse(sub.of(`${base}/state`).at(-1)!)).toMatchObject({ state: 'idle', faults: [{ source: 'camera', reason: 'no frames' }] });
  // Decisions are events: not retained, so the late subscriber has none.
  expect(sub.of(`${base}/events/decision`)).toEqual([]);
  const ha = sub.got.filter((m) => m.topic.startsWith('homeassistant/'));
  const topics = ha.map((m) => m.topic);
  expect(topics).toEqual(expect.arrayContaining(['homeassistant/button/mask_gate_front_door/open_once/config', 'homeassistant/switch/mask_gate_front_door/maintenance/config', 'homeassistant/sensor/mask_gate_front_door/state/config']));
  const sw = JSON.parse(ha.find((m) => m.topic.includes('/switch/'))!.payload);
  expect(sw).toMatchObject({ command_topic: `${base}/cmd/maintenance`, availability_topic: `${base}/availability`, unique_id: 'mask_gate_front_door_maintenance' });

  // A live subscriber gets decisions, without images or boxes.
  l.onDecision!({ outcome: 'cleared', reason: null, verdict: { kind: 'cleared', people: [{ id: 't2', verdict: 'mask', confidence: 0.97, votes: { mask: 5, no_mask: 0, incorrect: 0, unknown: 0 } }] }, temperatureC: 36.5, t: 2 });
  await until(() => sub.of(`${base}/events/decision`).length === 1);
  const d = sub.got.find((m) => m.topic === `${base}/events/decision`)!;
  expect(d.retain).toBe(false);
  expect(JSON.parse(d.payload)).toMatchObject({ outcome: 'cleared', temperatureC: 36.5, people: [{ id: 't2', verdict: 'mask', confidence: 0.97 }] });

  // Someone left undecided: staff hear why, and the state says where the gate is (not an alert).
  l.onState!('evaluating.staffCalled', { ...ind, display: 'staff_notified' }, 3);
  l.onEscalation!('undecided');
  await until(() => sub.of(`${base}/events/escalation`).length === 1);
  expect(JSON.parse(sub.of(`${base}/events/escalation`)[0]!)).toEqual({ reason: 'undecided', t: expect.any(Number) });
  expect(JSON.parse(sub.of(`${base}/state`).at(-1)!)).toMatchObject({ state: 'evaluating.staffCalled', indication: { relay: 'locked', buzzer: 'off' } });

  await bridge.stop();
  await until(() => sub.of(`${base}/availability`).at(-1) === 'offline');
});

test('the last will says offline when the connection dies without a goodbye', async () => {
  const { bridge } = bridgeFor(broker, { reconnectMs: 60_000 });
  track(bridge);
  await bridge.start();
  await until(() => bridge.connected);
  const sub = await subscriber(broker, [`${base}/availability`]);
  track(sub.c);
  await until(() => sub.of(`${base}/availability`).length === 1);
  // Cut the socket under mqtt.js, as a crash or a pulled cable would.
  (bridge as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
  await until(() => sub.of(`${base}/availability`).at(-1) === 'offline');
});

test('commands map to gate events; bad and retained commands are ignored', async () => {
  const { bridge, sent, log } = bridgeFor(broker);
  track(bridge);
  await bridge.start();
  await until(() => bridge.connected);
  const pub = await subscriber(broker, ['unused/x']);
  track(pub.c);
  await new Promise((r) => setTimeout(r, 200)); // the bridge's subscription is in place
  pub.c.publish(`${base}/cmd/maintenance`, 'ON', { qos: 1 });
  pub.c.publish(`${base}/cmd/maintenance`, 'banana', { qos: 1 });
  pub.c.publish(`${base}/cmd/open_once`, 'PRESS', { qos: 1 });
  pub.c.publish(`${base}/cmd/maintenance`, 'off', { qos: 1 });
  await until(() => sent.length === 3);
  expect(sent).toEqual([
    { type: 'MAINTENANCE_ON', by: 'mqtt' },
    { type: 'OPEN_ONCE', by: 'mqtt' },
    { type: 'MAINTENANCE_OFF', by: 'mqtt' },
  ]);
  expect(log.text()).toContain('expected ON or OFF for maintenance, got \\"banana\\"');

  // A retained open_once left on the broker must not open the door at every (re)connect.
  await bridge.stop();
  pub.c.publish(`${base}/cmd/open_once`, 'PRESS', { qos: 1, retain: true });
  await new Promise((r) => setTimeout(r, 100));
  const again = bridgeFor(broker);
  track(again.bridge);
  await again.bridge.start();
  await until(() => again.log.text().includes('ignored a retained mqtt command'));
  await new Promise((r) => setTimeout(r, 200));
  expect(again.sent).toEqual([]);
  pub.c.publish(`${base}/cmd/open_once`, '', { qos: 1, retain: true }); // clear it
});

test('broker down: publishing neither throws nor blocks, the queue keeps the newest queueMax, and flushes in order on reconnect', async () => {
  const { bridge } = bridgeFor(broker, { queueMax: 3 });
  track(bridge);
  await bridge.start();
  await until(() => bridge.connected);
  const sub = await subscriber(broker, [`${base}/events/#`]);
  track(sub.c);

  await broker.down();
  await until(() => !bridge.connected);
  const t0 = Date.now();
  for (let i = 1; i <= 5; i++) expect(() => bridge.publishEvent('escalation', { n: i })).not.toThrow();
  expect(Date.now() - t0).toBeLessThan(50);
  expect(bridge.queueLength).toBe(3);
  expect(bridge.counters).toMatchObject({ dropped: 2, queued: 3 });

  await broker.up();
  await until(() => bridge.connected);
  bridge.publishEvent('escalation', { n: 6 });
  await until(() => sub.of(`${base}/events/escalation`).length >= 4);
  await new Promise((r) => setTimeout(r, 200));
  expect(sub.of(`${base}/events/escalation`).map((p) => JSON.parse(p).n)).toEqual([3, 4, 5, 6]);
  expect(bridge.queueLength).toBe(0);
});

test('drop mode: events while the broker is down are dropped and counted', async () => {
  const { bridge } = bridgeFor(broker, { offline: 'drop' });
  track(bridge);
  await bridge.start();
  await until(() => bridge.connected);
  const sub = await subscriber(broker, [`${base}/events/#`]);
  track(sub.c);
  await broker.down();
  await until(() => !bridge.connected);
  bridge.publishEvent('forced_passage', { n: 1 });
  bridge.publishEvent('forced_passage', { n: 2 });
  expect(bridge.counters.dropped).toBe(2);
  await broker.up();
  await until(() => bridge.connected);
  bridge.publishEvent('forced_passage', { n: 3 });
  await until(() => sub.of(`${base}/events/forced_passage`).length >= 1);
  await new Promise((r) => setTimeout(r, 200));
  expect(sub.of(`${base}/events/forced_passage`).map((p) => JSON.parse(p).n)).toEqual([3]);
});

test('start does not wait for a broker that is not there, and stop still works', async () => {
  await broker.down();
  const { bridge, log } = bridgeFor(broker);
  const t0 = Date.now();
  await bridge.start();
  expect(Date.now() - t0).toBeLessThan(500);
  bridge.publishEvent('decision', { outcome: 'cleared' });
  await new Promise((r) => setTimeout(r, 500));
  expect(bridge.connected).toBe(false);
  await bridge.stop();
  await bridge.stop();
  expect(log.text()).toContain('mqtt connecting');
});

test('stats are published with counts and the root-provided fps/latency', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], advanceTimers: true });
  try {
    const { bridge } = bridgeFor(broker, { statsIntervalMs: 1000 }, { stats: () => ({ fps: 14.5, latencyMs: 62 }) });
    track(bridge);
    await bridge.start();
    await until(() => bridge.connected);
    bridge.publishEvent('decision', { outcome: 'cleared' });
    bridge.publishEvent('decision', { outcome: 'alert' });
    const sub = await subscriber(broker, [`${base}/stats`]);
    track(sub.c);
    await jest.advanceTimersByTimeAsync(1100);
    await until(() => sub.of(`${base}/stats`).some((p) => JSON.parse(p).cleared === 1));
    expect(JSON.parse(sub.of(`${base}/stats`).at(-1)!)).toMatchObject({ cleared: 1, alert: 1, fps: 14.5, latencyMs: 62 });
  } finally {
    jest.useRealTimers();
  }
});
