import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256Hex, signRequest } from '../ports/storage/sigv4';

/**
 * A local S3-compatible object store (path-style PUT/GET Object) that checks SigV4 signatures the
 * way S3 does, so the adapter is tested against the protocol rather than a mock. Dev and tests only.
 */
export async function startS3FakeServer(options: { accessKeyId: string; secretAccessKey: string; region: string; bucket: string }) {
  const objects = new Map<string, { data: Buffer; contentType: string }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      const error = (status: number, code: string) => {
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
      };
      if (bucket !== options.bucket) return error(404, 'NoSuchBucket');
      const auth = String(req.headers.authorization ?? '');
      const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1].split(';') ?? [];
      const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      if (!signedNames.length || payloadHash !== sha256Hex(body) || !/^\d{8}T\d{6}Z$/.test(amzDate)) return error(403, 'SignatureDoesNotMatch');
      const headers = Object.fromEntries(signedNames.filter((n) => !['host', 'x-amz-date', 'x-amz-content-sha256'].includes(n)).map((n) => [n, String(req.headers[n] ?? '')]));
      const when = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
      const expected = signRequest({ method: req.method ?? 'GET', url, headers, payloadHash }, options, when).authorization;
      if (expected !== auth) return error(403, 'SignatureDoesNotMatch');
      if (req.method === 'PUT') {
        objects.set(key, { data: body, contentType: String(req.headers['content-type'] ?? 'application/octet-stream') });
        res.writeHead(200, { etag: `"${sha256Hex(body).slice(0, 32)}"` });
        return res.end();
      }
      if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'GET') {
        const object = objects.get(key);
        if (!object) return error(404, 'NoSuchKey');
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.data.length });
        return res.end(object.data);
      }
      return error(405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects: objects as ReadonlyMap<string, { data: Buffer; contentType: string }>,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
