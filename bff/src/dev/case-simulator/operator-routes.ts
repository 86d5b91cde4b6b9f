import type http from 'node:http';
import { CaseSimulatorError, OPERATOR_ACTIONS, type ActionPayload, type CaseBook, type MutableCase, type OperatorAction } from './case-book';
import { error, headerValue, isObject, keyMatches, readBody, type RouteResult } from './http-util';

/**
 * The case system's operator console (header x-operator-key: <apiKey>):
 *   GET  /operator/requests              all cases, newest first
 *   GET  /operator/requests/{id}
 *   POST /operator/requests/{id}/{register|reject|merge|dispatch|handle|close|reopen}   JSON payload
 */
export function operatorRoutes(book: CaseBook, apiKey: string, view: (c: MutableCase) => unknown) {
  return async (req: http.IncomingMessage, url: URL): Promise<RouteResult> => {
    if (!keyMatches(headerValue(req.headers['x-operator-key']), apiKey)) return error(403, 'Invalid operator key');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/operator/requests') {
      return { status: 200, body: [...book.cases.values()].reverse().map(view) };
    }
    const one = /^\/operator\/requests\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const c = book.cases.get(decodeURIComponent(one[1]));
      return c ? { status: 200, body: view(c) } : error(404, `case ${decodeURIComponent(one[1])} not found`);
    }
    const step = /^\/operator\/requests\/([^/]+)\/([a-z]+)$/.exec(path);
    if (req.method === 'POST' && step) {
      if (!OPERATOR_ACTIONS.has(step[2])) return error(404, `unknown action ${step[2]}`);
      const text = await readBody(req);
      let payload: unknown = {};
      if (text.trim()) {
        try {
          payload = JSON.parse(text);
        } catch {
          return error(400, 'body must be JSON');
        }
      }
      if (!isObject(payload)) return error(400, 'body must be a JSON object');
      const result = advanceOrError(book, decodeURIComponent(step[1]), step[2] as OperatorAction, payload as ActionPayload);
      if ('status' in result) return result;
      return { status: 200, body: view(result.case) };
    }
    return error(404, `no such endpoint: ${req.method} ${path}`);
  };
}

export function advanceOrError(book: CaseBook, id: string, action: OperatorAction, payload: ActionPayload): { case: MutableCase } | RouteResult {
  try {
    return { case: book.advance(id, action, payload) };
  } catch (err) {
    if (err instanceof CaseSimulatorError) return error(err.status, err.message);
    throw err;
  }
}
