import type http from 'node:http';

/** What a route answers: a status and a body the server writes as JSON (or XML, see open311-routes). */
export interface RouteResult {
  status: number;
  body: unknown;
  /** Root element when answered as XML (a list root such as service_requests for arrays). */
  root?: string;
}

/** Open311 error shape: `[{code, description}]`. */
export function error(status: number, description: string): RouteResult {
  return { status, body: [{ code: status, description }], root: 'errors' };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function sendText(res: http.ServerResponse, status: number, contentType: string, text: string) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class BodyTooLarge extends Error {}

/** Media posted in a multipart form can be a few photos; the limit stays well below memory trouble. */
export const MAX_BODY_BYTES = 8_000_000;

export function readBodyBytes(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readBody(req: http.IncomingMessage, limit = 1_000_000): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}

export function keyMatches(given: string | null | undefined, expected: string): boolean {
  return typeof given === 'string' && given.length === expected.length && given === expected;
}

export function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const CITY_OFFSET_MINUTES = 8 * 60; // Asia/Shanghai, no DST

/** W3C date-time in the city's zone, as Chinese platforms report it: 2026-11-22T09:30:00.000+08:00. */
export function cityTime(date: Date): string {
  const local = new Date(date.getTime() + CITY_OFFSET_MINUTES * 60_000);
  return `${local.toISOString().slice(0, 23)}+08:00`;
}

export function cityDate(date: Date): string {
  return cityTime(date).slice(0, 10).replaceAll('-', '');
}

/** Timers the simulator owns, so close() can clear every one. */
export class Timers {
  private readonly all = new Set<NodeJS.Timeout>();

  later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.all.delete(timer);
      fn();
    }, ms);
    this.all.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout) {
    clearTimeout(timer);
    this.all.delete(timer);
  }

  clear() {
    for (const t of this.all) clearTimeout(t);
    this.all.clear();
  }
}
