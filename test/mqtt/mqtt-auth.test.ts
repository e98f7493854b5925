import { connect } from 'mqtt';
import { loadConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secret';
import type { Logger } from '../../src/log';
import { MqttBridge } from '../../src/mqtt/mqtt-bridge';
import { Broker } from './mosquitto';

const PASSWORD = 'pw-Zq8-never-logged';
let broker: Broker;
beforeAll(async () => {
  broker = await Broker.start({ users: { gate: PASSWORD } });
});
afterAll(() => broker?.destroy());

function capture(): Logger & { all: string[] } {
  const all: string[] = [];
  // Raw: no redaction here, so the test sees exactly what the bridge passed to its logger.
  const l: Logger = { debug: (m, f) => void all.push(m + JSON.stringify(f)), info: (m, f) => void all.push(m + JSON.stringify(f)), warn: (m, f) => void all.push(m + JSON.stringify(f)), error: (m, f) => void all.push(m + JSON.stringify(f)), child: () => l };
  return Object.assign(l, { all });
}

async function attempt(password: string) {
  const log = capture();
  const config = { ...loadConfig({ text: '', env: {} }).mqtt, enabled: true, url: broker.url, reconnectMs: 200, username: 'gate', password: new Secret(password, 'test') };
  const bridge = new MqttBridge({ config, siteName: 'Lobby', log, send: () => {} });
  await bridge.start();
  await new Promise((r) => setTimeout(r, 800));
  const connected = bridge.connected;
  await bridge.stop();
  return { connected, log: log.all.join('\n') };
}

test('connects with the password from the Secret and never hands the password to the logger', async () => {
  const ok = await attempt(PASSWORD);
  expect(ok.connected).toBe(true);
  expect(ok.log).toContain('mqtt connected');
  const bad = await attempt(`${PASSWORD}-wrong`);
  expect(bad.connected).toBe(false);
  expect(bad.log).toMatch(/Not authorized|Bad username or password/i);
  for (const text of [ok.log, bad.log]) expect(text).not.toContain(PASSWORD);
});

test('the anonymous are refused by this broker (so the test above proves the credentials were sent)', async () => {
  const c = connect(broker.url, { reconnectPeriod: 0 });
  const err = await new Promise<Error>((resolve) => c.once('error', resolve));
  c.end(true);
  expect(err.message).toMatch(/Not authorized/i);
});
