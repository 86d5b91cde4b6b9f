import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaseBook, type ActionPayload, type OperatorAction, type SimulatedCase } from './case-book';
import { toOpen311Xml } from '../../ports/case-system/open311-xml';
import { BodyTooLarge, Timers, sendJson, sendText, type RouteResult } from './http-util';
import { Open311Requests } from './open311-requests';
import { open311Routes, type FeedbackEntry, type FormatResult } from './open311-routes';
import { ServiceCatalogue, type ServiceAttribute, type ServiceType } from './open311-services';
import { operatorRoutes } from './operator-routes';
import { WebhookDelivery, type WebhookTarget } from './webhooks';

export { CaseSimulatorError } from './case-book';
export type { ActionPayload, CaseStatus, OperatorAction, SimulatedCase, SimulatedUpdate } from './case-book';
export type { CaseWebhookPayload } from './webhooks';
export type { ServiceAttribute, ServiceType } from './open311-services';

/**
 * A stand-in for the city's case system (数字城管平台 / 12345), speaking Open311 GeoReport v2 with our
 * extensions over real HTTP, so the Open311 adapter, dev mode and the tests exercise the real protocol.
 * The parts: case-book.ts (state machine), open311-*.ts (GeoReport v2 in XML and JSON, and mySociety's
 * servicerequestupdates), operator-routes.ts (the console), webhooks.ts (signed pushes).
 * Options make it behave like the servers a city may really have: strict about attributes, without our
 * extensions, batch or blackbox services.
 * Each step appends an update; with `webhook` set every update is pushed, signed, in order per case.
 */

export type FailureMode = 'none' | 'http503' | 'hang';

export interface CaseSimulatorOptions {
  port?: number;
  host?: string;
  apiKey: string;
  webhook?: WebhookTarget;
  /** Demo mode: every open case takes one step (register → dispatch → handle → close) per interval. */
  autoAdvanceMs?: number;
  now?: () => Date;
  /** Departments a dispatch may name; also the ones auto-advance picks from. */
  departments?: string[];
  /** Case-number prefix (default CG) and first sequence number (default 1). */
  casePrefix?: string;
  firstSequence?: number;
  /**
   * Part of every case number that differs per start (default: 5 random characters). The simulator keeps
   * its cases in memory, so without it a restart would number from 000001 again and collide with the
   * case numbers the BFF already stored, and every later report would be refused forever.
   */
  runTag?: string;
  /** Declare client_request_id, media_urls and reporter_id in service definitions (default true). */
  declareExtensions?: boolean;
  /** Refuse undeclared attribute[code] with 400, as strict servers such as open311-adapter do (default false). */
  strictAttributes?: boolean;
  /** A city's own attributes per service_code, e.g. a required one. */
  extraAttributes?: Record<string, ServiceAttribute[]>;
  /** Service type per service_code (default realtime). */
  serviceTypes?: Record<string, ServiceType>;
  /** Answer extensions=true with extended_attributes (default true); false is a plain GeoReport v2 server. */
  extensions?: boolean;
  /** Offer mySociety's servicerequestupdates (default true). */
  updatesFeed?: boolean;
}

export interface CaseSimulator {
  url: string;
  close(): Promise<void>;
  setFailure(mode: FailureMode): void;
  /** Live read-only view of every case by service_request_id, updates oldest first. */
  readonly cases: ReadonlyMap<string, SimulatedCase>;
  /** What an operator does in the case system's console; throws CaseSimulatorError on a refused step. */
  advance(caseId: string, action: OperatorAction, payload?: ActionPayload): SimulatedCase;
  /** Forgets a case as a server restored from an old backup would; false when there is no such case. */
  lose(caseId: string): boolean;
  /** Webhook deliveries not yet acknowledged or given up on. */
  readonly pendingDeliveries: number;
  /** 差评 received through feedback.json, oldest first. */
  readonly feedback: readonly FeedbackEntry[];
}

export async function startCaseSimulator(options: CaseSimulatorOptions): Promise<CaseSimulator> {
  if (!options.apiKey) throw new Error('case simulator needs an apiKey');
  const timers = new Timers();
  const now = options.now ?? (() => new Date());
  const webhooks = options.webhook ? new WebhookDelivery(options.webhook, timers) : null;
  const book = new CaseBook({
    now,
    timers,
    departments: options.departments,
    casePrefix: options.casePrefix,
    firstSequence: options.firstSequence,
    runTag: options.runTag,
    autoAdvanceMs: options.autoAdvanceMs,
    onUpdate: (c, u) => webhooks?.enqueue(c, u),
  });
  const feedbackLog: FeedbackEntry[] = [];
  const services = new ServiceCatalogue({ declareExtensions: options.declareExtensions, extraAttributes: options.extraAttributes, serviceTypes: options.serviceTypes });
  let selfUrl = '';
  const requests = new Open311Requests(book, services, { extensions: options.extensions !== false, strictAttributes: options.strictAttributes === true }, () => selfUrl, now);
  const open311 = open311Routes(book, services, requests, { apiKey: options.apiKey, updatesFeed: options.updatesFeed !== false, now }, feedbackLog);
  const operator = operatorRoutes(book, options.apiKey, (c) => requests.view(c, true));
  let failure: FailureMode = 'none';

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isOperator = url.pathname.startsWith('/operator/');
    if (!isOperator && failure === 'hang') return; // never answers; close() destroys the socket
    if (!isOperator && failure === 'http503') {
      req.resume();
      return url.pathname.endsWith('.json')
        ? sendJson(res, 503, [{ code: 503, description: 'Service unavailable' }])
        : sendText(res, 503, 'text/xml; charset=utf-8', toOpen311Xml('errors', [{ code: 503, description: 'Service unavailable' }]));
    }
    const xml = !isOperator && !url.pathname.endsWith('.json');
    const answer = (status: number, body: unknown, root = 'errors') => (xml ? sendText(res, status, 'text/xml; charset=utf-8', toOpen311Xml(root, body)) : sendJson(res, status, body));
    const route: (req: http.IncomingMessage, url: URL) => Promise<RouteResult | FormatResult> = isOperator ? operator : open311;
    route(req, url).then(
      (result) => {
        if ('raw' in result && result.raw) return sendRaw(res, result.raw.type, result.raw.bytes);
        answer(result.status, result.body, result.root);
      },
      (err: unknown) => {
        if (err instanceof BodyTooLarge) return answer(413, [{ code: 413, description: 'request body too large' }]);
        answer(500, [{ code: 500, description: 'internal error' }]);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  selfUrl = `http://${host}:${address.port}`;

  return {
    url: selfUrl,
    cases: book.cases as ReadonlyMap<string, SimulatedCase>,
    setFailure: (mode) => {
      failure = mode;
    },
    advance: (caseId, action, payload) => book.advance(caseId, action, payload),
    lose: (caseId) => book.lose(caseId),
    feedback: feedbackLog,
    get pendingDeliveries() {
      return webhooks?.pending ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (book.closed) return resolve();
        book.closed = true;
        timers.clear();
        webhooks?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendRaw(res: http.ServerResponse, type: string, bytes: Buffer) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
  res.end(bytes);
}
