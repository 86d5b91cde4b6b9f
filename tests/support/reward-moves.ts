// The reward suites' moves: a resident, a report with a fresh photo delivered to the case system, its
// reward once decided, a claim, and a balance granted without a report.
import sharp from 'sharp';
import type { Database } from '../../bff/src/db/client';
import { appendLedgerEntry, lockUserLedger } from '../../bff/src/features/rewards/ledger';
import { api, loginResident, uniqueName, uploadPhoto, waitFor, type TestApp } from './test-app';

/** A JPEG of random noise: every call gives a different picture (and dHash), with no EXIF at all. */
export async function freshPhoto(): Promise<Buffer> {
  const raw = Buffer.alloc(48 * 48 * 3);
  for (let i = 0; i < raw.length; i += 1) raw[i] = Math.floor(Math.random() * 256);
  return sharp(raw, { raw: { width: 48, height: 48, channels: 3 } })
    .resize(320, 320, { kernel: 'nearest' })
    .jpeg()
    .toBuffer();
}

/** A position nobody else in this run (or earlier runs on a shared database) is near. */
export const remoteSpot = () => ({ lat: 30 + Math.random() * 10, lng: 80 + Math.random() * 20 });

/** A new resident, signed in. */
export async function resident(t: TestApp) {
  const name = uniqueName('citizen');
  return { ...(await loginResident(t.baseUrl, name)), name };
}

/** Reports a problem with a fresh photo and delivers it to the case system. */
export async function submit(t: TestApp, token: string, opts: { category?: string; spot?: { lat: number; lng: number }; photo?: Buffer } = {}) {
  const photo = await uploadPhoto(t.baseUrl, token, opts.photo ?? (await freshPhoto()));
  expect(photo.status).toBe(201);
  const spot = opts.spot ?? remoteSpot();
  const body = {
    category: opts.category ?? 'exposed_garbage',
    description: '路边堆了很多生活垃圾，已经好几天没人清理',
    location: { ...spot, coordSystem: 'wgs84' },
    address: '测试路 8 号门口',
    photoIds: [photo.body.id],
  };
  const res = await api(t.baseUrl, '/api/v1/reports?coordSystem=wgs84', { json: body, token, headers: { 'idempotency-key': uniqueName('key') } });
  expect(res.status).toBe(201);
  await t.delivery.drain();
  const report = await getReport(t, token, res.body.report.id);
  expect(report.caseNumber).toBeTruthy();
  return { id: report.id as string, caseId: report.caseNumber as string, spot };
}

export const getReport = async (t: TestApp, token: string, id: string) => (await api(t.baseUrl, `/api/v1/reports/${id}?coordSystem=wgs84`, { token })).body.report;
/** Waits for the webhook to land and the reward to be decided. */
export const decided = (t: TestApp, token: string, id: string) =>
  waitFor(
    async () => {
      const r = await getReport(t, token, id);
      return r.reward.state !== 'pending' && r.reward;
    },
    10_000,
    'reward decision',
  );
export const rewards = async (t: TestApp, token: string) => (await api(t.baseUrl, '/api/v1/me/rewards', { token })).body;
export const claim = (t: TestApp, token: string, json: unknown, key = uniqueName('claim')) => api(t.baseUrl, '/api/v1/me/rewards/claims', { token, json, headers: { 'idempotency-key': key } });

/** Gives a resident a balance without a report: an `adjustment` entry, the way staff corrections are booked. */
export async function grant(t: TestApp, userId: string, amountFen: number, at?: Date) {
  await t.database.db.transaction(async (raw) => {
    const tx = raw as unknown as Database;
    await lockUserLedger(tx, userId);
    await appendLedgerEntry(tx, userId, { kind: 'adjustment', amountFen, note: 'test grant', at });
  });
}
