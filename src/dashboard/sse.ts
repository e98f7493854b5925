import type { ServerResponse } from 'node:http';
import { redactedJson } from './http-util';

/** A client this far behind is dead or stalled: it is dropped rather than buffered without bound. */
const MAX_BACKLOG_BYTES = 256 * 1024;

/** Server-Sent Events to every open page. A failing or slow client is dropped; the others carry on. */
export class SseHub {
  /** Each client with the events it asked for (null: all). */
  private readonly clients = new Map<ServerResponse, ReadonlySet<string> | null>();

  get size(): number {
    return this.clients.size;
  }

  /** Whether any client would receive `event`: lets the server skip queries nobody reads. */
  wants(event: string): boolean {
    for (const topics of this.clients.values()) if (!topics || topics.has(event)) return true;
    return false;
  }

  add(res: ServerResponse, topics: ReadonlySet<string> | null, first: { event: string; data: unknown }[]): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    // Reconnect quickly after a restart of the daemon.
    res.write('retry: 2000\n\n');
    this.clients.set(res, topics);
    res.on('close', () => this.clients.delete(res));
    res.on('error', () => this.clients.delete(res));
    for (const m of first) if (!topics || topics.has(m.event)) this.write(res, frame(m.event, m.data));
  }

  broadcast(event: string, data: unknown): void {
    if (!this.wants(event)) return;
    const text = frame(event, data);
    for (const [res, topics] of this.clients) if (!topics || topics.has(event)) this.write(res, text);
  }

  /** A comment line keeps proxies and the browser from timing the stream out. */
  ping(): void {
    for (const res of this.clients.keys()) this.write(res, ': ping\n\n');
  }

  closeAll(): void {
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_BACKLOG_BYTES) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    try {
      res.write(text);
    } catch {
      this.clients.delete(res);
    }
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${redactedJson(data)}\n\n`;
}
