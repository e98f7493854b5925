import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from '../log';

/** Pages load only their own scripts, styles and images: no inline script, no CDN, no framing. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Every string in an API answer passes through `redact`: camera URIs with credentials and registered secrets
 * (MQTT password, the token) cannot leak even if a health source or a fault reason carries one.
 */
export function redactedJson(body: unknown): string {
  return JSON.stringify(body, (_k, v: unknown) => (typeof v === 'string' ? redact(v) : v));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = redactedJson(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: message });
}

export function sendText(res: ServerResponse, contentType: string, body: string): void {
  res.writeHead(200, { 'Content-Type': `${contentType}; charset=utf-8`, 'Cache-Control': 'no-cache', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small JSON body (commands only); anything larger or malformed is a 4xx, never a crash. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 4096): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError(413, `expected a body of at most ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'expected a JSON body');
  }
}
