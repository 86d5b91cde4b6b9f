// Shared by the case-system suites: the simulator's keys, a polling wait, a sample case and the operator's calls.
import { type CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import { CaseSystemError, type NewCase } from '../../bff/src/ports/case-system/case-system';
import { Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { api, uniqueName } from './test-app';

export const API_KEY = 'sim-api-key-for-tests-0123456789';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';

/** Polls `fn` until it returns something truthy (or stops throwing), failing after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Creates a case on a server that answers its number at once (realtime), and returns the number. */
export async function created(cs: Open311CaseSystem, input: NewCase): Promise<{ caseId: string }> {
  const { caseId } = await cs.createCase(input);
  if (!caseId) throw new Error('expected a service_request_id');
  return { caseId };
}

/** Expects `promise` to reject with a CaseSystemError and returns it. */
export async function caseError(promise: Promise<unknown>): Promise<CaseSystemError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CaseSystemError);
  return err as CaseSystemError;
}

export function newCase(overrides: Partial<NewCase> = {}): NewCase {
  return {
    clientRequestId: uniqueName('report'),
    serviceCode: 'SJ-0401',
    lat: 24.8801,
    lng: 102.8329,
    address: '昆明市呈贡区仕林街 12 号',
    description: '人行道上有流动摊贩占道经营，行人只能走机动车道',
    mediaUrls: ['https://media.cityloop.example/p/1.webp?sig=a', 'https://media.cityloop.example/p/2.webp?sig=b', 'https://media.cityloop.example/p/3.webp?sig=c'],
    ...overrides,
  };
}

export function operator(sim: CaseSimulator, caseId: string, action: string, json: unknown = {}, key = API_KEY) {
  return api(sim.url, `/operator/requests/${encodeURIComponent(caseId)}/${action}`, { json, headers: { 'x-operator-key': key } });
}

/** A stepping clock: every reading is one minute after the previous one, from 2026-11-22 09:30 Beijing time. */
export function steppingClock(start = Date.parse('2026-11-22T01:30:00Z')) {
  let t = start - 60_000;
  return () => new Date((t += 60_000));
}
