import fs from 'node:fs';
import path from 'node:path';
import { CaseSystemError } from '../../bff/src/ports/case-system/case-system';
import { Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { parseOpen311Xml } from '../../bff/src/ports/case-system/open311-xml';
import { loadSchema } from '../support/json-schema';
import { OPEN311_FIXTURES, SPEC_API_KEY, startFixtureServer, type FixtureServer } from '../support/open311-fixture-server';

const SCHEMAS = path.join(OPEN311_FIXTURES, 'schema');
const spec = (name: string) => fs.readFileSync(path.join(OPEN311_FIXTURES, 'spec', name), 'utf8');

const newCase = (overrides: Record<string, unknown> = {}) => ({
  clientRequestId: 'report-spec-1',
  serviceCode: '001',
  lat: 37.76524078,
  lng: -122.4212043,
  address: '1234 5th street',
  description: 'A large sinkhole is destroying the street',
  mediaUrls: ['https://media.cityloop.example/p/1.webp', 'https://media.cityloop.example/p/2.webp'],
  ...overrides,
});

describe('the spec’s example documents and the published JSON Schemas', () => {
  it('the XML examples, in their JSON shape, are valid GeoReport v2 documents', () => {
    const cases: [string, string][] = [
      ['services.xml', 'services.json'],
      ['service-definition.xml', 'service-definition.json'],
      ['requests.xml', 'requests.json'],
      ['request.xml', 'requests.json'],
    ];
    for (const [doc, schema] of cases) expect({ doc, errors: loadSchema(SCHEMAS, schema)(parseOpen311Xml(spec(doc))) }).toEqual({ doc, errors: [] });
  });

  it('the JSON examples as printed are not all JSON, and ids sent as numbers fail the schema', () => {
    // "service_code":001 is a number with a leading zero: no JSON parser takes it.
    for (const doc of ['services.json', 'requests.json', 'request.json']) expect(() => JSON.parse(spec(doc))).toThrow(SyntaxError);
    // The definition parses, but its value keys are numbers where the schema wants strings.
    const errors = loadSchema(SCHEMAS, 'service-definition.json')(JSON.parse(spec('service-definition.json')));
    expect(errors).toEqual(['$.attributes[0].values[0].key: expected string, got integer', '$.attributes[0].values[1].key: expected string, got integer']);
  });

  it('the validator fails what breaks the schema', () => {
    const request = loadSchema(SCHEMAS, 'requests.json');
    const good = parseOpen311Xml(spec('request.xml')) as Record<string, unknown>[];
    expect(request(good)).toEqual([]);
    expect(request([{ ...good[0], status: 'pending' }])).toEqual(['$[0].status: "pending" is not one of open, closed']);
    expect(request([{ ...good[0], requested_datetime: '14/04/2010' }])).toEqual(['$[0].requested_datetime: not a date-time']);
    const { service_code: _omitted, ...withoutCode } = good[0];
    expect(request([withoutCode])).toEqual(['$[0]: service_code is required']);
  });
});

describe.each(['xml', 'json'] as const)('Open311 client against a server built from the spec’s examples (%s)', (format) => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());
  const client = (extra: Partial<ConstructorParameters<typeof Open311CaseSystem>[0]> = {}) =>
    new Open311CaseSystem({ baseUrl: server.url, apiKey: SPEC_API_KEY, jurisdictionId: 'city.gov', timeoutMs: 2000, format, ...extra });

  it('lists the services with metadata, type and the comma-separated keywords', async () => {
    const services = await client().listServices();
    expect(services).toHaveLength(3);
    expect(services[0]).toEqual({ serviceCode: '001', serviceName: 'Cans left out 24x7', group: 'sanitation', metadata: true, type: 'realtime', keywords: ['lorem', 'ipsum', 'dolor'] });
  });

  it('refuses, not retryably, to post without a value for a required attribute it cannot fill', async () => {
    const before = server.seen.length;
    const err = await client()
      .createCase(newCase())
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(CaseSystemError);
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('WHISHETN') });
    expect(server.seen.slice(before).map((s) => s.method)).not.toContain('POST');
  });

  it('posts with the configured value, sends no undeclared extension attribute, and repeats media_url', async () => {
    const before = server.seen.length;
    const { caseId } = await client({ attributeValues: { WHISHETN: '123' } }).createCase(newCase());
    expect(caseId).toBe('293944');
    const post = server.seen.slice(before).find((s) => s.method === 'POST')!;
    expect(post.url).toBe(`/requests.${format}`);
    expect(post.form!.get('attribute[WHISHETN]')).toBe('123');
    expect([...post.form!.keys()].filter((k) => k.startsWith('attribute['))).toEqual(['attribute[WHISHETN]']);
    expect(post.form!.getAll('media_url')).toEqual(newCase().mediaUrls);
    // A value outside the list is refused before posting.
    await expect(client({ attributeValues: { WHISHETN: '999' } }).createCase(newCase())).rejects.toMatchObject({ retryable: false });
  });

  it('reads the spec’s closed "Duplicate request." as duplicate, once, without asking a feed it lacks twice', async () => {
    const cs = client();
    const snapshot = await cs.getCase('638344');
    expect(snapshot).toMatchObject({ caseId: '638344', status: 'duplicate', note: 'Duplicate request.' });
    expect(snapshot.updatedAt.toISOString()).toBe('2010-04-14T14:37:38.000Z');
    expect(snapshot.updates).toHaveLength(1);
    expect(snapshot.updates[0]).toMatchObject({ status: 'duplicate', updateId: 'open311:duplicate:2010-04-14T14:37:38.000Z' });
    const again = await cs.getCase('638344');
    expect(again.updates[0].updateId).toBe(snapshot.updates[0].updateId);
    expect(server.seen.filter((s) => s.url.startsWith(`/servicerequestupdates.${format}`))).toHaveLength(1);
  });

  it('finds a case by its token, and reads the spec’s 403 error', async () => {
    expect(await client().findCase({ clientRequestId: 'x', serviceCode: '006', token: '12345', sentAt: new Date(), description: '', lat: 0, lng: 0 })).toBe('638344');
    const err = await client({ apiKey: 'wrong-key', attributeValues: { WHISHETN: '123' } })
      .createCase(newCase())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 403, message: "Invalid api_key received -- can't proceed with create_request." });
  });
});
