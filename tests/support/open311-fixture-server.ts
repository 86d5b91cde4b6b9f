import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseOpen311Xml, toOpen311Xml } from '../../bff/src/ports/case-system/open311-xml';

export const OPEN311_FIXTURES = path.join(__dirname, '..', 'fixtures', 'open311');
/** The api_key of the spec's example request. */
export const SPEC_API_KEY = 'xyz';

const spec = (name: string) => fs.readFileSync(path.join(OPEN311_FIXTURES, 'spec', name), 'utf8');

export interface FixtureServer {
  url: string;
  /** Every request: method, path with query, and the form of POSTs. */
  seen: { method: string; url: string; form?: URLSearchParams }[];
  close(): Promise<void>;
}

/**
 * A GeoReport v2 server made of nothing but the specification's example documents (tests/fixtures/open311/spec):
 * `.xml` answers the document as printed, `.json` its JSON shape. It has no extensions at all, so it is
 * what a plain, spec-only city endpoint looks like to the client.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const seen: FixtureServer['seen'] = [];
  const documents: Record<string, string> = {
    services: spec('services.xml'),
    definition: spec('service-definition.xml'),
    created: spec('post-request-response.xml'),
    token: spec('token.xml'),
    requests: spec('requests.xml'),
    request: spec('request.xml'),
    forbidden: spec('errors.xml'),
  };
  const serviceCodes = (parseOpen311Xml(documents.services) as { service_code: string }[]).map((s) => s.service_code);

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const form = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : undefined;
    seen.push({ method: req.method ?? '', url: req.url ?? '', form });
    const m = /^\/(.+)\.(xml|json)$/.exec(url.pathname);
    const answer = (status: number, xml: string) => {
      const json = m?.[2] === 'json';
      const text = json ? JSON.stringify(parseOpen311Xml(xml)) : xml;
      res.writeHead(status, { 'content-type': json ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8' });
      res.end(text);
    };
    const notFound = (what: string) => answer(404, toOpen311Xml('errors', [{ code: 404, description: `${what} not found` }]));
    const resource = m?.[1] ?? '';
    if (req.method === 'GET' && resource === 'services') return answer(200, documents.services);
    const def = /^services\/(.+)$/.exec(resource);
    if (req.method === 'GET' && def) return serviceCodes.includes(decodeURIComponent(def[1])) ? answer(200, documents.definition) : notFound('service_code');
    if (req.method === 'POST' && resource === 'requests') {
      if (form?.get('api_key') !== SPEC_API_KEY) return answer(403, documents.forbidden);
      return answer(201, documents.created);
    }
    if (req.method === 'GET' && resource === 'tokens/12345') return answer(200, documents.token);
    if (req.method === 'GET' && resource === 'requests') return answer(200, documents.requests);
    if (req.method === 'GET' && resource === 'requests/638344') return answer(200, documents.request);
    if (req.method === 'GET' && /^(requests|tokens)\//.test(resource)) return notFound(resource);
    return notFound(`${req.method} ${url.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
