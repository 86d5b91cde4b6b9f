// The network half of the wx test double: request and uploadFile as real HTTP to the BFF under test.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ok } from './wx-double-core.mjs';

/**
 * `baseUrl`: every request's origin is replaced by it (the build has its own API_BASE baked in).
 * `requests` and `uploads` are the double's records; `realPath` maps wxfile:// paths to the temp folder.
 */
export function networkApis({ baseUrl, finish, wxError, realPath, requests, uploads }) {
  function toBffUrl(url) {
    const u = new URL(url);
    const target = new URL(baseUrl);
    u.protocol = target.protocol;
    u.host = target.host;
    return u;
  }

  function encodeQuery(data) {
    return Object.entries(data)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
      .join('&');
  }

  function headerValue(header, name) {
    const key = Object.keys(header ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? header[key] : undefined;
  }

  function responseHeaders(res) {
    const out = {};
    for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
    return out;
  }

  /** One HTTP exchange with node:http, so uploads can report real progress as the body is written. */
  function httpExchange({ url, method, headers, body, timeout, onProgress, abortSignal }) {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, timeout }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: responseHeaders(res), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      abortSignal.abort = () => req.destroy(new Error('abort'));
      if (!body || !body.length) return req.end();
      const CHUNK = 64 * 1024;
      let sent = 0;
      const writeNext = () => {
        if (sent >= body.length) return req.end();
        const piece = body.subarray(sent, sent + CHUNK);
        req.write(piece, () => {
          sent += piece.length;
          onProgress?.(sent, body.length);
          writeNext();
        });
      };
      writeNext();
    });
  }

  return {
    request(options) {
      const abortSignal = {};
      finish(
        'request',
        options,
        async () => {
          const method = String(options.method ?? 'GET').toUpperCase();
          const url = toBffUrl(options.url);
          const header = { ...(options.header ?? {}) };
          let body;
          const data = options.data;
          if (method === 'GET' || method === 'HEAD') {
            if (data && typeof data === 'object') {
              const q = encodeQuery(data);
              if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`;
            }
          } else if (data !== undefined && data !== null) {
            const type = String(headerValue(header, 'content-type') ?? 'application/json');
            if (typeof data === 'string') body = Buffer.from(data);
            else if (data instanceof ArrayBuffer) body = Buffer.from(data);
            else if (type.includes('application/x-www-form-urlencoded')) body = Buffer.from(encodeQuery(data));
            else body = Buffer.from(JSON.stringify(data));
            if (!headerValue(header, 'content-type')) header['content-type'] = 'application/json';
          }
          if (body) header['content-length'] = String(body.length);
          let res;
          try {
            res = await httpExchange({ url, method, headers: header, body, timeout: options.timeout ?? 60_000, abortSignal });
          } catch (err) {
            throw wxError(err.message === 'abort' ? 'abort' : err.message === 'timeout' ? 'timeout' : `${err.code ?? err.message}`);
          }
          requests.push({ method, path: url.pathname, status: res.status });
          let parsed = options.responseType === 'arraybuffer' ? res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.length) : res.body.toString('utf8');
          if ((options.dataType ?? 'json') === 'json' && typeof parsed === 'string') {
            try {
              parsed = JSON.parse(parsed);
            } catch {
              // WeChat hands over the text when it is not JSON
            }
          }
          return ok('request', { statusCode: res.status, data: parsed, header: res.headers, cookies: [] });
        },
        { promise: false },
      ); // request and uploadFile return their task, never a Promise
      return { abort: () => abortSignal.abort?.(), onHeadersReceived: () => undefined, offHeadersReceived: () => undefined, onChunkReceived: () => undefined, offChunkReceived: () => undefined };
    },

    uploadFile(options) {
      const abortSignal = {};
      const progress = new Set();
      finish(
        'uploadFile',
        options,
        async () => {
          const file = realPath(options.filePath);
          if (!file || !fs.existsSync(file)) throw wxError(`file not found: ${options.filePath}`);
          const content = fs.readFileSync(file);
          const boundary = `----wxharness${crypto.randomBytes(8).toString('hex')}`;
          const parts = [];
          for (const [k, v] of Object.entries(options.formData ?? {})) {
            parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
          }
          const fileName = path.basename(file);
          const type = fileName.endsWith('.png') ? 'image/png' : 'image/jpeg';
          parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`));
          parts.push(content, Buffer.from(`\r\n--${boundary}--\r\n`));
          const body = Buffer.concat(parts);
          const headers = { ...(options.header ?? {}), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) };
          const progressSeen = [];
          let res;
          try {
            res = await httpExchange({
              url: toBffUrl(options.url),
              method: 'POST',
              headers,
              body,
              timeout: options.timeout ?? 60_000,
              abortSignal,
              onProgress: (sent, total) => {
                const p = Math.round((sent / total) * 100);
                progressSeen.push(p);
                for (const cb of progress) cb({ progress: p, totalBytesSent: sent, totalBytesExpectedToSend: total });
              },
            });
          } catch (err) {
            throw wxError(err.message === 'abort' ? 'abort' : `${err.code ?? err.message}`);
          }
          uploads.push({ filePath: options.filePath, bytes: content.length, status: res.status, progress: progressSeen });
          requests.push({ method: 'POST', path: toBffUrl(options.url).pathname, status: res.status });
          // uploadFile hands the body over as text; the app parses it.
          return ok('uploadFile', { statusCode: res.status, data: res.body.toString('utf8'), header: res.headers });
        },
        { promise: false },
      );
      return {
        onProgressUpdate: (cb) => progress.add(cb),
        offProgressUpdate: (cb) => progress.delete(cb),
        abort: () => abortSignal.abort?.(),
        onHeadersReceived: () => undefined,
        offHeadersReceived: () => undefined,
      };
    },
  };
}
