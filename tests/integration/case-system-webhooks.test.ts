import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCaseSimulator, type CaseSimulator, type CaseWebhookPayload } from '../../bff/src/dev/case-simulator/simulator';
import { caseUpdateFromWebhook, Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../bff/src/ports/case-system/webhook-signature';

import { API_KEY, WEBHOOK_SECRET, waitFor, created, newCase, operator } from '../support/case-system-helpers';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  payload: CaseWebhookPayload;
  verdict: string;
}

/** A tiny webhook receiver on 127.0.0.1: records every delivery and answers 500 to the first `failFirst` attempts per update. */
async function startReceiver() {
  const deliveries: Received[] = [];
  const attempts = new Map<string, number>();
  let failFirst = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const payload = JSON.parse(raw.toString('utf8')) as CaseWebhookPayload;
    const n = (attempts.get(payload.update_id) ?? 0) + 1;
    attempts.set(payload.update_id, n);
    const verdict = verifyWebhook(
      WEBHOOK_SECRET,
      { signature: req.headers[SIGNATURE_HEADER] as string | undefined, timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined },
      raw,
      Math.floor(Date.now() / 1000),
    );
    deliveries.push({ headers: req.headers, raw, payload, verdict });
    res.writeHead(n <= failFirst ? 500 : 204);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/case-system`,
    deliveries,
    attempts,
    failFirstAttempts(n: number) {
      failFirst = n;
    },
    /** Deliveries that were answered 2xx, in arrival order. */
    accepted() {
      const seen = new Map<string, number>();
      return deliveries.filter((d) => {
        const k = (seen.get(d.payload.update_id) ?? 0) + 1;
        seen.set(d.payload.update_id, k);
        return k > failFirst;
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('case-system webhooks', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sim: CaseSimulator;
  let cs: Open311CaseSystem;
  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startCaseSimulator({ apiKey: API_KEY, webhook: { url: receiver.url, secret: WEBHOOK_SECRET } });
    cs = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('pushes every update in order, signed, with our client_request_id, matching what getCase shows', async () => {
    const input = newCase();
    const { caseId } = await created(cs, input);
    await operator(sim, caseId, 'register');
    await operator(sim, caseId, 'dispatch', { department: '市容环境卫生管理处' });
    await operator(sim, caseId, 'handle', { media_urls: ['https://city.example/after/x.jpg'] });
    await operator(sim, caseId, 'close');

    const mine = () => receiver.deliveries.filter((d) => d.payload.service_request_id === caseId);
    await waitFor(() => mine().length === 5, 5000, 'five deliveries');
    const got = mine();
    expect(got.map((d) => d.payload.status)).toEqual(['received', 'accepted', 'dispatched', 'handled', 'closed']);
    for (const d of got) {
      expect(d.verdict).toBe('ok');
      expect(d.headers['content-type']).toBe('application/json');
      expect(Object.keys(d.payload).sort()).toEqual(
        ['agency_responsible', 'client_request_id', 'description', 'expected_datetime', 'media_urls', 'merged_into', 'service_request_id', 'status', 'update_id', 'updated_datetime'].sort(),
      );
      expect(d.payload.client_request_id).toBe(input.clientRequestId);
    }
    expect(got[2].payload).toMatchObject({ agency_responsible: '市容环境卫生管理处', description: '已派遣至 市容环境卫生管理处', expected_datetime: expect.stringMatching(/\+08:00$/) });
    expect(got[3].payload.media_urls).toEqual(['https://city.example/after/x.jpg']);

    const snapshot = await cs.getCase(caseId);
    expect(got.map((d) => d.payload.update_id)).toEqual(snapshot.updates.map((u) => u.updateId));
    expect(got.map((d) => new Date(d.payload.updated_datetime).getTime())).toEqual(snapshot.updates.map((u) => u.updatedAt.getTime()));
    // A pushed update reads exactly like the same update pulled with getCase.
    expect(got.map((d) => caseUpdateFromWebhook(JSON.parse(d.raw.toString('utf8'))))).toEqual(snapshot.updates.map((u) => ({ ...u, clientRequestId: input.clientRequestId })));
    expect(caseUpdateFromWebhook({ ...got[0].payload, status: 'open' })).toBeNull();

    // A tampered body does not verify with the signature that came with it.
    const tampered = Buffer.from(got[4].raw.toString('utf8').replace('"closed"', '"reopened"'));
    expect(
      verifyWebhook(WEBHOOK_SECRET, { signature: got[4].headers[SIGNATURE_HEADER] as string, timestamp: got[4].headers[TIMESTAMP_HEADER] as string }, tampered, Math.floor(Date.now() / 1000)),
    ).toBe('bad-signature');
  });

  it('retries a delivery the receiver refused, and keeps the case order', async () => {
    receiver.failFirstAttempts(1);
    try {
      const earlier = await created(cs, newCase());
      const { caseId } = await created(cs, newCase());
      sim.advance(caseId, 'register');
      expect(() => sim.advance(caseId, 'reject', { reason: '重复上报' })).toThrow(/cannot reject/); // refused: nothing pushed
      sim.advance(caseId, 'merge', { into: earlier.caseId });
      const mine = () => receiver.deliveries.filter((d) => d.payload.service_request_id === caseId);
      await waitFor(() => mine().length === 6 && sim.pendingDeliveries === 0, 5000, 'three updates delivered twice each');
      const got = mine();
      // Each update: refused once, then accepted, before the next update is sent.
      expect(got.map((d) => d.payload.status)).toEqual(['received', 'received', 'accepted', 'accepted', 'duplicate', 'duplicate']);
      expect(got.every((d) => d.verdict === 'ok')).toBe(true);
      expect(got[5].payload.merged_into).toBe(earlier.caseId);
      expect(got[5].payload.client_request_id).toBe(sim.cases.get(caseId)!.clientRequestId);
    } finally {
      receiver.failFirstAttempts(0);
    }
  });

  it('gives up on a delivery after a few attempts (the BFF polls as a fallback)', async () => {
    const dead = http.createServer((req, res) => {
      req.resume();
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    let hits = 0;
    dead.on('request', () => (hits += 1));
    const quick = await startCaseSimulator({ apiKey: API_KEY, webhook: { url: `http://127.0.0.1:${port}/`, secret: WEBHOOK_SECRET, retryDelaysMs: [10, 20, 30] } });
    try {
      const adapter = new Open311CaseSystem({ baseUrl: quick.url, apiKey: API_KEY, timeoutMs: 2000 });
      await adapter.createCase(newCase());
      await waitFor(() => quick.pendingDeliveries === 0, 5000, 'the delivery to be given up');
      expect(hits).toBe(4); // first attempt + three retries
    } finally {
      await quick.close();
      dead.closeAllConnections();
      await new Promise((resolve) => dead.close(resolve));
    }
  });

  it('auto-advance walks a case to closed on its own, pushing each step', async () => {
    const auto = await startCaseSimulator({ apiKey: API_KEY, autoAdvanceMs: 30, firstSequence: 500_000, webhook: { url: receiver.url, secret: WEBHOOK_SECRET } });
    try {
      const adapter = new Open311CaseSystem({ baseUrl: auto.url, apiKey: API_KEY, timeoutMs: 2000 });
      const { caseId } = await created(adapter, newCase({ serviceCode: 'SJ-0101' }));
      const snapshot = await waitFor(
        async () => {
          const s = await adapter.getCase(caseId);
          return s.status === 'closed' ? s : null;
        },
        5000,
        'auto-advance to closed',
      );
      expect(snapshot.updates.map((u) => u.status)).toEqual(['received', 'accepted', 'dispatched', 'handled', 'closed']);
      expect(snapshot.department).toBe('市容环境卫生管理处');
      await waitFor(() => receiver.deliveries.filter((d) => d.payload.service_request_id === caseId).length === 5, 5000, 'auto-advance pushes');
    } finally {
      await auto.close();
    }
  });
});
