import path from 'node:path';
import { createPipeline, GstError, type GstPipeline } from '../../src/camera/gst-driver';
import { makeMjpegAvi, tempDir, within as settle } from '../fixtures/camera-media';

// The driver normally runs inside the camera child process; here it runs in the test process directly.
const open: GstPipeline[] = [];
const make = (d: string) => {
  const p = createPipeline(d);
  open.push(p);
  return p;
};
afterEach(() => {
  for (const p of open.splice(0)) p.stop();
});

const within = <T>(ms: number, p: Promise<T>) => settle(ms, p, 'pull');
const tmp = tempDir('driver');
afterAll(() => tmp.cleanup());

describe('gst-driver', () => {
  it('pulls RGB samples with their caps, then null at end of stream', async () => {
    const p = make('videotestsrc num-buffers=3 ! video/x-raw,format=RGB,width=32,height=24,framerate=30/1 ! appsink name=sink sync=false');
    p.play();
    const got = [];
    for (let s = await p.pull(); s; s = await p.pull()) got.push(s);
    expect(got).toHaveLength(3);
    expect(got[0]!.data.length).toBe(32 * 24 * 3);
    expect(got[0]!.caps).toMatchObject({ name: 'video/x-raw', format: 'RGB', width: 32, height: 24, framerate: '30/1' });
    expect(p.failure).toBeNull();
  });

  it('rejects a waiting pull when the pipeline fails mid-stream, and stops the pipeline', async () => {
    const p = make('videotestsrc is-live=true ! video/x-raw,format=RGB,width=32,height=24,framerate=30/1 ! capsfilter name=cf ! appsink name=sink');
    const messages: string[] = [];
    p.onMessage((m) => messages.push(m.type));
    p.play();
    expect(await within(5000, p.pull())).not.toBeNull();
    // Caps nothing upstream can produce: the source stops with not-negotiated, posts an error, and never
    // sends EOS. Without the bus watch, this pull would wait forever.
    p.setProperty('cf', 'caps', 'video/x-raw,format=GRAY8');
    let err: unknown;
    const t0 = Date.now();
    try {
      for (;;) await within(5000, p.pull());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GstError);
    expect((err as GstError).message).toMatch(/data stream error/i);
    expect((err as GstError).debug).toMatch(/not-negotiated/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(messages).toContain('error');
    await expect(within(1000, p.pull())).rejects.toBe(err);
  });

  it('rejects the first pull when the source cannot open', async () => {
    const p = make('filesrc location=/nonexistent/clip.mkv ! decodebin ! videoconvert ! appsink name=sink');
    p.play();
    await expect(within(5000, p.pull())).rejects.toThrow(/Resource not found|Could not open/);
  });

  it('answers a pull after stop with null, and pull before play with an error', async () => {
    const p = make('videotestsrc is-live=true ! video/x-raw,width=32,height=24 ! appsink name=sink');
    await expect(p.pull()).rejects.toThrow('pull before play');
    p.play();
    const waiting = p.pull();
    p.stop();
    p.stop(); // idempotent
    const first = await within(5000, waiting);
    // The sample may have been ready just before the stop; the next one is certainly null.
    expect(first === null || first.data.length > 0).toBe(true);
    expect(await within(1000, p.pull())).toBeNull();
  });

  it('rewinds a file to loop it', async () => {
    const clip = await makeMjpegAvi(path.join(tmp.dir, 'two.avi'), { frames: 2, width: 32, height: 24 });
    const p = make(`filesrc location=${clip} ! decodebin ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false`);
    p.play();
    let n = 0;
    for (let loops = 0; loops < 3; loops++) {
      while (await within(5000, p.pull())) n++;
      if (loops < 2) expect(p.rewind()).toBe(true);
    }
    expect(n).toBe(6);
  });

  it('throws a GstError for a description that does not parse or has no appsink', () => {
    expect(() => createPipeline('videotestsrc ! no-such-element-xyz ! appsink name=sink')).toThrow(GstError);
    expect(() => createPipeline('videotestsrc ! fakesink')).toThrow('no appsink named "sink"');
  });
});
