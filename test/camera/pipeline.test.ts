import { fixedProbe, gstInspectProbe, HARDWARE_ELEMENTS } from '../../src/camera/elements';
import { CameraError } from '../../src/camera/errors';
import { openCamera } from '../../src/camera/open';
import { elementsToProbe, gstValue, planPipeline } from '../../src/camera/pipeline';
import { parseSourceUri } from '../../src/camera/uri';
import { CameraSection } from '../../src/config/sections/camera';
import { memoryLogger } from '../../src/log';

const SOFTWARE = new Set(['appsink', 'videoconvert', 'videoscale', 'v4l2src', 'jpegdec', 'rtspsrc', 'decodebin', 'filesrc', 'videotestsrc']);
const JETSON = new Set([...SOFTWARE, ...HARDWARE_ELEMENTS, 'rtph264depay', 'h264parse', 'rtph265depay', 'h265parse']);
const size = { width: 640, height: 360, fps: 30 };
const plan = (uri: string, available: ReadonlySet<string>, s = size) => planPipeline(parseSourceUri(uri), s, available);
const LIVE_SINK = 'appsink name=sink max-buffers=1 drop=true sync=false enable-last-sample=false';

describe('pipeline descriptions', () => {
  it('pins the CSI pipeline on a Jetson (NVIDIA jetson-utils form)', () => {
    expect(plan('csi://0', JETSON, { width: 1280, height: 720, fps: 30 }).description).toBe(
      'nvarguscamerasrc sensor-id=0 ! video/x-raw(memory:NVMM),width=1280,height=720,framerate=30/1,format=NV12 ! nvvidconv ! ' +
        `video/x-raw,format=BGRx,width=1280,height=720 ! videoconvert ! video/x-raw,format=RGB ! ${LIVE_SINK}`,
    );
    expect(plan('csi://1?width=1920&height=1080&flip=2', JETSON).description).toBe(
      'nvarguscamerasrc sensor-id=1 ! video/x-raw(memory:NVMM),width=1920,height=1080,framerate=30/1,format=NV12 ! nvvidconv flip-method=2 ! ' +
        `video/x-raw,format=BGRx,width=640,height=360 ! videoconvert ! video/x-raw,format=RGB ! ${LIVE_SINK}`,
    );
  });

  it('pins the USB webcam pipeline: MJPEG at the configured size and rate, hardware scaling on a Jetson', () => {
    expect(plan('v4l2:///dev/video0', JETSON).description).toBe(
      'v4l2src device=/dev/video0 ! image/jpeg,width=640,height=360,framerate=30/1 ! jpegdec ! ' +
        `nvvidconv ! video/x-raw,format=BGRx,width=640,height=360 ! videoconvert ! video/x-raw,format=RGB ! ${LIVE_SINK}`,
    );
    expect(plan('v4l2:///dev/video0', SOFTWARE).description).toBe(
      'v4l2src device=/dev/video0 ! image/jpeg,width=640,height=360,framerate=30/1 ! jpegdec ! ' +
        `videoscale ! videoconvert ! video/x-raw,format=RGB,width=640,height=360 ! ${LIVE_SINK}`,
    );
    expect(plan('v4l2:///dev/video2?format=raw&width=1280&height=720&fps=15', SOFTWARE).description).toBe(
      'v4l2src device=/dev/video2 ! video/x-raw,width=1280,height=720,framerate=15/1 ! ' +
        `videoscale ! videoconvert ! video/x-raw,format=RGB,width=640,height=360 ! ${LIVE_SINK}`,
    );
  });

  it('pins RTSP: nvv4l2decoder on a Jetson, decodebin elsewhere; credentials only as properties', () => {
    const jetson = plan('rtsp://admin:hunter22@10.0.0.7:554/h264', JETSON);
    expect(jetson.description).toBe(
      'rtspsrc name=src location=rtsp://10.0.0.7:554/h264 latency=200 protocols=tcp ! rtph264depay ! h264parse ! nvv4l2decoder ! ' +
        `nvvidconv ! video/x-raw,format=BGRx,width=640,height=360 ! videoconvert ! video/x-raw,format=RGB ! ${LIVE_SINK}`,
    );
    expect(jetson.secretProperties).toEqual([
      { element: 'src', name: 'user-id', value: 'admin' },
      { element: 'src', name: 'user-pw', value: 'hunter22' },
    ]);
    expect(jetson.description).not.toContain('hunter22');
    expect(plan('rtsp://10.0.0.7/h265#codec=h265', JETSON).description).toContain('rtph265depay ! h265parse ! nvv4l2decoder ! nvvidconv');
    expect(plan('rtsp://10.0.0.7/any#codec=auto&transport=auto', JETSON).description).toMatch(/^rtspsrc name=src location=rtsp:\/\/10.0.0.7\/any latency=200 ! decodebin ! nvvidconv/);
    expect(plan('rtsp://10.0.0.7/main?channel=1&subtype=0', SOFTWARE).description).toBe(
      'rtspsrc name=src location="rtsp://10.0.0.7/main?channel=1&subtype=0" latency=200 protocols=tcp ! decodebin ! ' +
        `videoscale ! videoconvert ! video/x-raw,format=RGB,width=640,height=360 ! ${LIVE_SINK}`,
    );
  });

  it('keeps every frame of a file (no drop) and quotes odd paths', () => {
    const p = plan('file:///srv/clips/door "a".mkv', SOFTWARE);
    expect(p.live).toBe(false);
    expect(p.description).toBe(
      'filesrc location="/srv/clips/door \\"a\\".mkv" ! decodebin ! videoscale ! videoconvert ! video/x-raw,format=RGB,width=640,height=360 ! ' +
        'appsink name=sink max-buffers=2 drop=false sync=false enable-last-sample=false',
    );
    expect(gstValue('/dev/video0')).toBe('/dev/video0');
    expect(gstValue('a b\\c')).toBe('"a b\\\\c"');
  });

  it('names the missing element when a source cannot run here', () => {
    expect(() => plan('csi://0', SOFTWARE)).toThrow(CameraError);
    expect(() => plan('csi://0', SOFTWARE)).toThrow(/needs GStreamer element\(s\) nvarguscamerasrc, nvvidconv.*Jetson/);
    const noRtsp = new Set([...SOFTWARE].filter((e) => e !== 'rtspsrc'));
    expect(() => plan('rtsp://h/p', noRtsp)).toThrow(/rtspsrc/);
    expect(elementsToProbe(parseSourceUri('rtsp://h/p'))).toEqual(expect.arrayContaining(['nvvidconv', 'nvv4l2decoder', 'rtspsrc']));
  });

  it('chooses hardware by probing the elements, not by a flag', async () => {
    const config = CameraSection.parse({ source: 'v4l2:///dev/video0' });
    const asked: string[][] = [];
    const spy = (set: Set<string>) => async (names: readonly string[]) => {
      asked.push([...names]);
      return fixedProbe(set)(names);
    };
    const onJetson = await openCamera(config, { logger: memoryLogger(), probe: spy(JETSON) });
    const onLaptop = await openCamera(config, { logger: memoryLogger(), probe: spy(SOFTWARE) });
    expect(onJetson.info.pipeline).toContain('nvvidconv');
    expect(onLaptop.info.pipeline).not.toContain('nvvidconv');
    expect(asked[0]).toContain('nvvidconv');
  });

  it('probes this machine with gst-inspect-1.0', async () => {
    const found = await gstInspectProbe(['videotestsrc', 'appsink', 'no-such-element-xyz']);
    expect([...found].sort()).toEqual(['appsink', 'videotestsrc']);
  });
});
