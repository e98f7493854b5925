import { SystemdNotifier } from '../../src/systemd/notify';
import { memoryLogger } from '../../src/log';

function notifier(env: NodeJS.ProcessEnv) {
  const sent: string[][] = [];
  let now = 0;
  const n = new SystemdNotifier({ log: memoryLogger(), env, run: async (args) => void sent.push(args), now: () => now });
  return { n, sent, tick: (ms: number) => (now += ms) };
}

test('READY with a status once warm, WATCHDOG at half of WatchdogSec while frames flow, STOPPING on stop', () => {
  const { n, sent, tick } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' });
  n.ready('detector warm on cpu');
  for (let i = 0; i < 100; i++) {
    n.watchdog(); // 30 fps for 3.3 s
    tick(33);
  }
  tick(15_000);
  n.watchdog();
  n.stopping();
  expect(sent).toEqual([['--ready', '--status=detector warm on cpu'], ['WATCHDOG=1'], ['WATCHDOG=1'], ['STOPPING=1']]);
});

test('no frames, no pings: a stalled pipeline lets systemd restart the service', () => {
  const { n, sent, tick } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '20000000' });
  n.watchdog();
  tick(60_000);
  expect(sent).toEqual([['WATCHDOG=1']]);
});

test('outside systemd it sends nothing', () => {
  const { n, sent } = notifier({});
  n.ready('x');
  n.watchdog();
  n.stopping();
  expect(sent).toEqual([]);
});
