import { CameraError } from '../../src/camera/errors';
import { displayUri, isLive, parseSourceUri } from '../../src/camera/uri';

describe('camera source URIs', () => {
  it('parses every scheme', () => {
    expect(parseSourceUri('v4l2:///dev/video0')).toEqual({ scheme: 'v4l2', device: '/dev/video0', format: 'mjpeg' });
    expect(parseSourceUri('v4l2:///dev/v4l/by-id/usb-Logitech_C920-video-index0?width=1280&height=720&fps=15&format=raw')).toEqual({
      scheme: 'v4l2',
      device: '/dev/v4l/by-id/usb-Logitech_C920-video-index0',
      format: 'raw',
      width: 1280,
      height: 720,
      fps: 15,
    });
    expect(parseSourceUri('csi://1?flip=2')).toEqual({ scheme: 'csi', sensorId: 1, flipMethod: 2 });
    expect(parseSourceUri('rtsp://admin:p%40ss@10.0.0.7:554/Streaming/Channels/101?transport=tcp#codec=h265&latency=500')).toEqual({
      scheme: 'rtsp',
      location: 'rtsp://10.0.0.7:554/Streaming/Channels/101?transport=tcp',
      user: 'admin',
      password: 'p@ss',
      codec: 'h265',
      latencyMs: 500,
      transport: 'tcp',
    });
    expect(parseSourceUri('rtsp://cam.local/live')).toMatchObject({ location: 'rtsp://cam.local/live', codec: 'h264', latencyMs: 200, transport: 'tcp' });
    expect(parseSourceUri('rtsp://cam.local/live#transport=udp')).toMatchObject({ transport: 'udp' });
    expect(parseSourceUri('file:///srv/clips/door%20a.mkv')).toEqual({ scheme: 'file', path: '/srv/clips/door a.mkv' });
    expect(parseSourceUri('frames:///srv/seq')).toEqual({ scheme: 'frames', dir: '/srv/seq' });
    expect(parseSourceUri('frames://./data/demo-sequence', '/opt/mask-gate')).toEqual({ scheme: 'frames', dir: '/opt/mask-gate/data/demo-sequence' });
    expect(parseSourceUri('test://')).toEqual({ scheme: 'test', pattern: 'ball' });
    expect(parseSourceUri('test://smpte')).toEqual({ scheme: 'test', pattern: 'smpte' });
  });

  it('tells live sources from replays', () => {
    const live = ['v4l2:///dev/video0', 'csi://0', 'rtsp://h/p', 'test://'].map((u) => isLive(parseSourceUri(u)));
    const replay = ['file:///a.avi', 'frames:///s'].map((u) => isLive(parseSourceUri(u)));
    expect(live).toEqual([true, true, true, true]);
    expect(replay).toEqual([false, false]);
  });

  it.each([
    ['http://cam/stream', 'unknown scheme "http"'],
    ['/dev/video0', 'not a URI'],
    ['v4l2://video0', 'expected a device path'],
    ['csi://front', 'expected a sensor number'],
    ['file:///clip.mov', 'expected a video file ending in .mkv, .avi, .mp4, .webm'],
    ['frames://seq', 'expected an absolute path'],
    ['v4l2:///dev/video0?colour=1', 'unknown option "colour"'],
    ['rtsp://h/p#codec=mjpeg', 'expected #codec=h264, h265 or auto'],
  ])('rejects %s with an error that lists the schemes', (uri, why) => {
    let err: unknown;
    try {
      parseSourceUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CameraError);
    const e = err as CameraError;
    expect(e.code).toBe('bad-uri');
    expect(e.message).toContain(why);
    for (const scheme of ['v4l2://', 'csi://', 'rtsp://', 'file://', 'frames://', 'test://']) expect(e.message).toContain(scheme);
  });

  it('never puts an RTSP password in an error or a display string, even one with @ and :', () => {
    const uri = 'rtsp://admin:Zq7@x:9!@10.0.0.7/live#bogus=1';
    let message = '';
    try {
      parseSourceUri(uri);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('unknown option "#bogus"');
    expect(message).not.toContain('Zq7');
    expect(message).not.toContain('x:9');
    expect(displayUri('rtsp://admin:Zq7@x:9!@10.0.0.7/live')).toBe('rtsp://***@10.0.0.7/live');
    expect(displayUri('rtsp://10.0.0.7/live')).toBe('rtsp://10.0.0.7/live');
  });
});
