import { ServiceStack, type Service } from '../../src/lifecycle';
import { memoryLogger } from '../../src/log';

function svc(name: string, calls: string[], failStart = false, failStop = false): Service {
  return {
    name,
    start: async () => {
      calls.push(`start ${name}`);
      if (failStart) throw new Error(`${name} broke`);
    },
    stop: async () => {
      calls.push(`stop ${name}`);
      if (failStop) throw new Error(`${name} stuck`);
    },
  };
}

test('starts in order, stops in reverse, and both are idempotent', async () => {
  const calls: string[] = [];
  const stack = new ServiceStack([svc('config', calls), svc('hardware', calls), svc('gate', calls)], memoryLogger());
  await stack.start();
  await stack.start();
  await Promise.all([stack.stop(), stack.stop()]);
  await stack.stop();
  expect(calls).toEqual(['start config', 'start hardware', 'start gate', 'stop gate', 'stop hardware', 'stop config']);
});

test('a failed start stops what already started, in reverse, and rethrows', async () => {
  const calls: string[] = [];
  const stack = new ServiceStack([svc('a', calls), svc('b', calls), svc('c', calls, true), svc('d', calls)], memoryLogger());
  await expect(stack.start()).rejects.toThrow('c broke');
  expect(calls).toEqual(['start a', 'start b', 'start c', 'stop b', 'stop a']);
});

test('a service that fails to stop does not keep the ones before it running', async () => {
  const calls: string[] = [];
  const log = memoryLogger();
  const stack = new ServiceStack([svc('hardware', calls), svc('camera', calls, false, true)], log);
  await stack.start();
  await stack.stop();
  expect(calls).toEqual(['start hardware', 'start camera', 'stop camera', 'stop hardware']);
  expect(log.lines.some((l) => l.includes('camera failed to stop') && l.includes('camera stuck'))).toBe(true);
});
