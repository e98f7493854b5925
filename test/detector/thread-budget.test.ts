import { ConfigSchema } from '../../src/config/schema';
import { detectorThreadProblem, maxThreads, sessionsAtOnce, ThreadBudgetError, threadBudgetProblem } from '../../src/detector/thread-budget';
import { toolDetector, UsageError } from '../../src/eval/tool-detector';
import { buildDaemon } from '../../src/main';
import { memoryLogger } from '../../src/log';

// Every core count here is injected: nothing depends on the machine the tests run on.

const gate = (threads: number, overlap = true) => ({ threads, overlap });

test('on 2 cores with overlap, threads 1 fits and threads 2 is refused, naming the setting, the cores and the measured reason', () => {
  expect(detectorThreadProblem(gate(1), 2)).toBeNull();
  const p = detectorThreadProblem(gate(2), 2);
  expect(p).toContain('detector.threads 2 x 2 networks running at once');
  expect(p).toContain('needs 4 cores, this machine has 2; use at most 1');
  expect(p).toContain('46.5 FPS with threads 2 against 53.8 with threads 1');
});

test('a Jetson (6 or 8 cores) accepts threads 2 with overlap; threads 4 on 6 cores is refused (8 > 6), 3 fits', () => {
  expect(detectorThreadProblem(gate(2), 6)).toBeNull();
  expect(detectorThreadProblem(gate(2), 8)).toBeNull();
  expect(detectorThreadProblem(gate(3), 6)).toBeNull();
  expect(detectorThreadProblem(gate(4), 6)).toContain('use at most 3');
  expect(detectorThreadProblem(gate(4), 8)).toBeNull();
});

test('without overlap one session runs at a time: threads up to the cores fit', () => {
  expect(sessionsAtOnce(false)).toBe(1);
  expect(detectorThreadProblem(gate(2, false), 2)).toBeNull();
  expect(detectorThreadProblem(gate(3, false), 2)).toContain('detector.threads 3 needs 3 cores, this machine has 2; use at most 2');
});

test('threads 1 always fits, even on one core with two sessions at once', () => {
  expect(maxThreads(2, 1)).toBe(1);
  expect(threadBudgetProblem({ threads: 1, sessionsAtOnce: 2, cores: 1 }, 'detector.threads')).toBeNull();
  expect(threadBudgetProblem({ threads: 2, sessionsAtOnce: 2, cores: 1 }, 'detector.threads')).toContain('use at most 1');
});

describe('the daemon', () => {
  const config = (threads: number, overlap = true) =>
    ConfigSchema.parse({
      camera: { source: 'frames:///nonexistent' },
      detector: { model: '/nonexistent/model', threads, overlap },
      hardware: { driver: 'simulated' },
      voice: { enabled: false },
    });
  const services = { voice: false, mqtt: false, systemd: false, eventLog: false, dashboard: false };

  test('refuses detector.threads 2 on 2 cores', () => {
    const log = memoryLogger();
    let err: unknown;
    try {
      buildDaemon(config(2), { log, cores: 2, services });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThreadBudgetError);
    expect((err as Error).message).toContain('detector.threads 2');
    expect((err as Error).message).toContain('this machine has 2');
  });

  test('builds with threads 2 on 6 cores, threads 1 on 2 cores, threads 2 on 2 cores without overlap, and for the bench', () => {
    for (const [c, cores, extra] of [
      [config(2), 6, {}],
      [config(1), 2, {}],
      [config(2, false), 2, {}],
      [config(2), 2, { allowThreadOvercommit: true }],
    ] as const) {
      const d = buildDaemon(c, { log: memoryLogger(), cores, services, ...extra });
      expect(d.detector.info().threads).toBe(c.detector.threads);
    }
  });
});

describe('the offline tools (one session at a time on the calling thread)', () => {
  const flags = (threads: string) => ({ model: '/nonexistent/model', threads });

  test('take --threads up to the cores', () => {
    expect(toolDetector(flags('2'), memoryLogger(), true, 2).info().threads).toBe(2);
  });

  test('refuse --threads over the cores as a usage error', () => {
    expect(() => toolDetector(flags('3'), memoryLogger(), true, 2)).toThrow(UsageError);
    expect(() => toolDetector(flags('3'), memoryLogger(), true, 2)).toThrow('--threads 3 needs 3 cores, this machine has 2; use at most 2');
  });
});
