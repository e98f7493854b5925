/** @jest-environment ./test/env/onnx-environment.js */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDetector } from '../../src/detector/detector';
import { DetectorError, toFaultEvent } from '../../src/detector/errors';
import { isJetson, providerOrder } from '../../src/detector/providers';
import type { FloatTensor, InferenceSession, SessionFactory, SessionOptions } from '../../src/detector/runtime';
import { openSession } from '../../src/detector/session-open';
import { memoryLogger } from '../../src/log';
import { detectNetFolder, detectNetTensors, CELLS } from './helpers/detectnet-fixture';

const tensorrt = { fp16: true, engineCachePath: path.join(mkdtempSync(path.join(tmpdir(), 'mask-gate-trt-')), 'cache') };
afterAll(() => rmSync(path.dirname(tensorrt.engineCachePath), { recursive: true, force: true }));

test('Jetson detection reads the NUL-separated device-tree compatible list', () => {
  expect(isJetson('nvidia,p3509-0000+p3668-0001\0nvidia,tegra194\0')).toBe(true);
  expect(isJetson('raspberrypi,4-model-b\0brcm,bcm2711\0')).toBe(false);
  expect(isJetson(null)).toBe(false);
  expect(providerOrder(null, 'nvidia,p3768-0000+p3767-0005\0nvidia,tegra234\0')).toEqual(['tensorrt', 'cuda', 'cpu']);
  expect(providerOrder(null, null)).toEqual(['cpu']);
  expect(providerOrder(['cuda', 'cpu'], 'nvidia,tegra210')).toEqual(['cuda', 'cpu']);
});

/** A runtime whose providers fail as onnxruntime's do when their libraries are missing. */
function fakeFactory(available: string[], seen: SessionOptions[] = []): SessionFactory {
  return {
    async create(_model, options) {
      seen.push(options);
      const first = options.providers[0]!;
      if (!available.includes(first)) throw new Error(`OrtSessionOptionsAppendExecutionProvider_${first}: Failed to load shared library\n(details)`);
      return { inputs: [], outputs: [], run: async () => ({}), close: async () => undefined };
    },
  };
}

test('providers are tried in order, each skip logged with its reason; the rest of the order stays as fallback', async () => {
  const log = memoryLogger();
  const seen: SessionOptions[] = [];
  const opened = await openSession(fakeFactory(['cpu'], seen), new Uint8Array(), { order: ['tensorrt', 'cuda', 'cpu'], threads: 3, tensorrt }, log, 'm@1', 'detector');
  expect(opened.provider).toBe('cpu');
  // The TensorRT engine cache folder is made before TensorRT is tried.
  expect(statSync(tensorrt.engineCachePath).isDirectory()).toBe(true);
  expect(seen.map((s) => s.providers)).toEqual([['tensorrt', 'cuda', 'cpu'], ['cuda', 'cpu'], ['cpu']]);
  expect(seen.every((s) => s.threads === 3 && s.tensorrt === tensorrt && s.logId === 'm@1:detector')).toBe(true);
  const warns = log.lines.filter((l) => l.includes(' warn '));
  expect(warns).toHaveLength(2);
  expect(warns[0]).toContain('execution provider tensorrt skipped, trying cuda {"model":"m@1","role":"detector","reason":"OrtSessionOptionsAppendExecutionProvider_tensorrt: Failed to load shared library"}');
  expect(warns[1]).toContain('execution provider cuda skipped, trying cpu');
  expect(log.lines.some((l) => l.includes('inference session open {"model":"m@1","role":"detector","provider":"cpu","threads":3}'))).toBe(true);
});

test('when no provider loads, the error lists each one and why', async () => {
  const err = await openSession(fakeFactory([]), new Uint8Array(), { order: ['cuda', 'cpu'], threads: 1, tensorrt }, memoryLogger(), 'm@1', 'face').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DetectorError);
  expect((err as DetectorError).message).toBe(
    'model m@1: no execution provider could load the face network (tried cuda, cpu): ' +
      'cuda: OrtSessionOptionsAppendExecutionProvider_cuda: Failed to load shared library; cpu: OrtSessionOptionsAppendExecutionProvider_cpu: Failed to load shared library',
  );
});

test('real onnxruntime: asking for CUDA first falls back (or uses it where it exists) and names the provider', async () => {
  const log = memoryLogger();
  const d = createDetector({ config: { model: detectNetFolder(), providers: ['cuda', 'cpu'], threads: 1, tensorrt }, log });
  await d.start();
  const info = d.info();
  expect(['cuda', 'cpu']).toContain(info.provider);
  if (info.provider === 'cpu') expect(log.lines.some((l) => l.includes('execution provider cuda skipped, trying cpu'))).toBe(true);
  expect(info).toMatchObject({ threads: 1, model: 'test-detectnet@0.0.1', ready: true, sessions: { detector: info.provider } });
  expect(log.lines.some((l) => l.includes('detector ready'))).toBe(true);
  await d.stop();
});

/** A DetectNet-shaped fake session that counts runs and can be told to return garbage. */
function scriptedFactory(state: { creates: number; runs: number; closes: number; garbage: boolean }): SessionFactory {
  const { cov, bbox } = detectNetTensors(CELLS);
  return {
    async create() {
      state.creates++;
      const session: InferenceSession = {
        inputs: [{ name: 'input_1', type: 'float32', dims: ['n', 3, 32, 48] }],
        outputs: [
          { name: 'output_cov/Sigmoid', type: 'float32', dims: ['n', 'c', 'h', 'w'] },
          { name: 'output_bbox/BiasAdd', type: 'float32', dims: ['n', 'c', 'h', 'w'] },
        ],
        async run(): Promise<Record<string, FloatTensor>> {
          state.runs++;
          return {
            'output_cov/Sigmoid': state.garbage ? { data: cov, dims: [1, 2, 1, 6] } : { data: cov, dims: [1, 2, 2, 3] },
            'output_bbox/BiasAdd': { data: bbox, dims: [1, 8, 2, 3] },
          };
        },
        async close() {
          state.closes++;
        },
      };
      return session;
    },
  };
}

describe('detector lifecycle', () => {
  const frame = { data: new Uint8Array(96 * 64 * 3), width: 96, height: 64 };
  const make = (state: Parameters<typeof scriptedFactory>[0]) =>
    createDetector({ config: { model: detectNetFolder(), providers: ['cpu'], threads: 2, tensorrt }, log: memoryLogger(), sessions: scriptedFactory(state) });

  test('start is idempotent and warms up once; stop is idempotent; start after stop opens a new session', async () => {
    const state = { creates: 0, runs: 0, closes: 0, garbage: false };
    const d = make(state);
    expect(d.info()).toMatchObject({ provider: null, ready: false });
    await Promise.all([d.start(), d.start()]);
    await d.start();
    expect(state).toMatchObject({ creates: 1, runs: 1 });
    expect((await d.detect(frame)).length).toBe(2);
    await d.stop();
    await d.stop();
    expect(state.closes).toBe(1);
    await expect(d.detect(frame)).rejects.toMatchObject({ code: 'not-started' });
    await d.start();
    expect(state).toMatchObject({ creates: 2, runs: 3 });
    await d.stop();
  });

  test('detect before start, and a frame whose bytes do not match its size, are DetectorErrors', async () => {
    const d = make({ creates: 0, runs: 0, closes: 0, garbage: false });
    await expect(d.detect(frame)).rejects.toMatchObject({ code: 'not-started', source: 'detector' });
    await d.start();
    await expect(d.detect({ data: new Uint8Array(10), width: 96, height: 64 })).rejects.toThrow(
      'model test-detectnet@0.0.1: expected 18432 bytes of RGB for 96x64, got 10',
    );
    await d.stop();
  });

  test('a garbage output shape mid-run is a DetectorError the supervisor maps to a detector FAULT; the next frame still runs', async () => {
    const state = { creates: 0, runs: 0, closes: 0, garbage: false };
    const d = make(state);
    await d.start();
    state.garbage = true;
    const err = await d.detect(frame).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DetectorError);
    expect(toFaultEvent(err)).toEqual({
      type: 'FAULT',
      source: 'detector',
      reason: 'model test-detectnet@0.0.1: decoder.outputs.coverage: expected output output_cov/Sigmoid shaped [1, 2, 2, 3], got [1, 2, 1, 6]',
    });
    state.garbage = false;
    expect(await d.detect(frame)).toHaveLength(2);
    await d.stop();
  });

  test('a failed start can be retried', async () => {
    const state = { creates: 0, runs: 0, closes: 0, garbage: true };
    const d = make(state);
    await expect(d.start()).rejects.toMatchObject({ code: 'output-shape' });
    expect(state.closes).toBe(1); // the half-built pipeline is released
    state.garbage = false;
    await d.start();
    expect(d.info().ready).toBe(true);
    await d.stop();
  });
});
