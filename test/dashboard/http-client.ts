import { request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** A raw HTTP request: the path is sent exactly as given (no URL normalisation), as an attacker would. */
export function http(base: string, rawPath: string, o: { method?: string; headers?: Record<string, string>; body?: string; headersOnly?: boolean } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: rawPath, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      const done = () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      };
      if (o.headersOnly) {
        res.destroy();
        return done();
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      res.on('error', done);
      // An event stream never ends: take what it sends first.
      if (res.headers['content-type']?.startsWith('text/event-stream')) setTimeout(() => (res.destroy(), done()), 300);
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Reads `n` parts of a multipart/x-mixed-replace MJPEG stream, each checked against its Content-Length. */
export function readMjpegParts(base: string, n: number, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ contentType: string; parts: Buffer[] }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/live.mjpeg', headers }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
      if (res.statusCode !== 200 || !boundary) {
        res.destroy();
        return reject(new Error(`expected an MJPEG stream, got ${res.statusCode} ${contentType}`));
      }
      let buf = Buffer.alloc(0);
      const parts: Buffer[] = [];
      const timer = setTimeout(() => {
        res.destroy();
        reject(new Error(`expected ${n} MJPEG parts within ${timeoutMs} ms, got ${parts.length}`));
      }, timeoutMs);
      res.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (;;) {
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) break;
          const lines = buf.subarray(0, head).toString('latin1').split('\r\n');
          if (lines[0] !== `--${boundary}`) {
            clearTimeout(timer);
            res.destroy();
            return reject(new Error(`expected a --${boundary} line, got ${JSON.stringify(lines[0])}`));
          }
          const len = Number(/^content-length:\s*(\d+)/im.exec(lines.join('\n'))?.[1] ?? NaN);
          if (buf.length < head + 4 + len + 2) break;
          parts.push(buf.subarray(head + 4, head + 4 + len));
          buf = buf.subarray(head + 4 + len + 2);
          if (parts.length >= n) {
            clearTimeout(timer);
            res.destroy();
            return resolve({ contentType, parts });
          }
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function isJpeg(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}
