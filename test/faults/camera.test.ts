/** @jest-environment ./test/env/onnx-environment.js */
import { readdirSync, readFileSync } from 'node:fs';
import { colourModelFolder, tempDirs } from './helpers/colour-world';
import { rigConfig, startRig, type Rig } from './helpers/daemon-rig';

/**
 * The whole daemon on a live GStreamer camera (videotestsrc, a blue picture: nobody at the door) whose
 * camera process is frozen or killed mid-stream. A fail-open door makes the fail mode visible: the relay
 * is locked while idle and released only in the fault state.
 */
const tmp = tempDirs();
let rig: Rig;
afterEach(() => rig?.stop());

/** The camera's GStreamer child processes, found among this process's children. */
function cameraChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('gst-child')) pids.push(Number(name));
    } catch {
      // The process left while being looked at.
    }
  }
  return pids;
}

function cameraChild(): number {
  const [pid, ...more] = cameraChildren();
  if (pid === undefined || more.length) throw new Error(`expected one camera process, got ${[pid, ...more].join(', ')}`);
  return pid;
}

async function bootOnLiveCamera(): Promise<Rig> {
  const config = rigConfig(tmp(), colourModelFolder(), { camera: { source: 'test://blue', fps: 15, noFrameTimeoutMs: 400 }, gate: { failMode: 'open' } });
  rig = await startRig(config);
  await rig.until('idle with frames flowing', () => rig.states.at(-1) === 'idle' && rig.frames > 5);
  expect(rig.levels().relay).toBe(false);
  return rig;
}

async function expectFaultThenIdle(r: Rig, killed: number): Promise<void> {
  await r.until('a camera fault', () => r.states.at(-1) === 'fault');
  expect(r.faults.at(-1)).toEqual([expect.objectContaining({ source: 'camera' })]);
  // Fail mode open: relay released, LEDs to their safe levels.
  expect(r.levels()).toMatchObject({ relay: true, greenLed: false, buzzer: false });
  const framesAtFault = r.frames;
  await r.until('reconnected and idle again', () => r.states.at(-1) === 'idle' && r.frames > framesAtFault + 5);
  expect(r.faults.at(-1)).toEqual([]);
  expect(r.levels().relay).toBe(false);
  // The old camera process is gone (a frozen one is killed), a new one serves.
  await r.until('the old camera process gone', () => !cameraChildren().includes(killed));
  expect(cameraChild()).not.toBe(killed);
  expect(r.daemon.cameraStatus()?.state).toBe('online');
}

test('a camera that stops mid-stream (its process frozen): fault, fail-mode outputs, reconnect, idle', async () => {
  const r = await bootOnLiveCamera();
  const pid = cameraChild();
  process.kill(pid, 'SIGSTOP');
  try {
    await expectFaultThenIdle(r, pid);
  } finally {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already replaced and gone: that is the point.
    }
  }
});

test('a camera that errors (its process dies): fault, fail-mode outputs, reconnect, idle; stop does not hang', async () => {
  const r = await bootOnLiveCamera();
  const pid = cameraChild();
  process.kill(pid, 'SIGKILL');
  await expectFaultThenIdle(r, pid);
  // Kill it again and stop while it is reconnecting: the stop must finish.
  process.kill(cameraChild(), 'SIGKILL');
  await r.until('a second camera fault', () => r.states.at(-1) === 'fault');
  await r.stop();
  expect(r.daemon.cameraStatus()?.state).toBe('stopped');
});
