import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportCommand, parseDate } from '../../src/cli/export';
import { csvLine } from '../../src/eventlog/csv';
import { decision, eventLogFor, manualClock, tempDir } from './helpers';

let dir: string;
let stderr: string;
beforeEach(() => {
  dir = tempDir();
  stderr = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('RFC 4180: quotes fields with commas, quotes and line breaks; CRLF line ends', () => {
  expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', null, 1.5])).toBe('a,"b,c","say ""hi""","two\nlines",,1.5\r\n');
});

test('dates: YYYY-MM-DD is local midnight, ISO date-times are exact, anything else is null', () => {
  expect(parseDate('2025-03-04')).toBe(new Date(2025, 2, 4).getTime());
  expect(parseDate('2025-03-04T10:00:00Z')).toBe(Date.UTC(2025, 2, 4, 10));
  for (const bad of ['2025-02-30', 'yesterday', '03/04/2025', '2025-3-4', '2025-03-04T25:00Z']) expect(parseDate(bad)).toBeNull();
});

test('mask-gate export --since --until --csv writes the events in range with a header', async () => {
  const t0 = Date.UTC(2025, 2, 4, 8);
  const clock = manualClock(t0 - 86_400_000);
  const { eventLog, config } = eventLogFor(dir, 'retentionDays: 3650', { clock });
  await eventLog.start();
  eventLog.recordDecision(decision('cleared')); // before --since
  clock.set(t0);
  eventLog.recordDecision(decision('alert', { reason: 'fever', temp: 38.2, people: [['t1', 'mask', 0.9], ['t,2', 'mask', 0.8]] }));
  clock.set(t0 + 1000);
  eventLog.recordFault('camera', 'rtsp: "timeout", retrying');
  clock.set(t0 + 2000);
  eventLog.recordTransition('idle', 'alert.waiting');
  await eventLog.stop();
  const cfg = path.join(dir, 'gate.yaml');
  writeFileSync(cfg, `eventLog: { path: ${JSON.stringify(config.eventLog.path)} }\n`);
  const out = path.join(dir, 'out.csv');

  const code = await exportCommand(['--since', '2025-03-04T00:00:00Z', '--until', '2025-03-05T00:00:00Z', '--csv', '--config', cfg, '--out', out]);
  expect(code).toBe(0);
  const lines = readFileSync(out, 'utf8').split('\r\n');
  expect(lines).toEqual([
    'time,type,outcome,reason,track_id,label,confidence,temperature_c,source,from_state,to_state,snapshot',
    '2025-03-04T08:00:00.000Z,decision,alert,fever,t1,mask,0.9,38.2,,,,',
    '2025-03-04T08:00:00.000Z,decision,alert,fever,"t,2",mask,0.8,38.2,,,,',
    '2025-03-04T08:00:00.000Z,alert,,fever,,,,,,,,',
    '2025-03-04T08:00:01.000Z,fault,,"rtsp: ""timeout"", retrying",,,,,camera,,,',
    '2025-03-04T08:00:02.000Z,transition,,,,,,,,idle,alert.waiting,',
    '',
  ]);
  expect(stderr).toContain('5 rows');
});

test.each([
  [['--since', 'yesterday', '--csv'], /expected --since as YYYY-MM-DD or an ISO 8601 date-time, got "yesterday"/],
  [['--since', '2025-01-01'], /expected --csv/],
  [['--csv'], /expected --since DATE/],
  [['--since', '2025-01-02', '--until', '2025-01-01', '--csv'], /expected --until after --since/],
  [['--since', '2025-01-01', '--csv', '--bogus'], /Unknown option/],
])('bad arguments are usage errors (exit 2): %j', async (argv, message) => {
  expect(await exportCommand(argv)).toBe(2);
  expect(stderr).toMatch(message);
  expect(stderr).toContain('usage: mask-gate export');
});

test('a missing database is a clear error (exit 1)', async () => {
  const cfg = path.join(dir, 'gate.yaml');
  writeFileSync(cfg, `eventLog: { path: ${JSON.stringify(path.join(dir, 'nope.sqlite'))} }\n`);
  expect(await exportCommand(['--since', '2025-01-01', '--csv', '--config', cfg])).toBe(1);
  expect(stderr).toContain('no event log at');
});
