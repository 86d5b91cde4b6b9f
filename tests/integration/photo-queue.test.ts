import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, loginResident, PHOTOS_DIR, startTestApp, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

const jpeg = fs.readFileSync(path.join(PHOTOS_DIR, 'Canon_40D.jpg'));

/**
 * Starts a multipart upload and sends only its first bytes, so the request stays open for as long
 * as the test wants; `finish()` sends the rest and resolves with the answer.
 */
function heldUpload(baseUrl: string, token: string, data: Buffer) {
  const boundary = `----cityloop-${Math.random().toString(36).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="held.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const body = Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const req = http.request(`${baseUrl}/api/v1/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
  });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
  });
  const split = head.length + 64;
  req.write(body.subarray(0, split));
  return {
    finish() {
      req.end(body.subarray(split));
      return answer;
    },
  };
}

describe('the photo queue', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ photoQueue: { concurrency: 1, maxWaiting: 1 } });
    ({ token } = await loginResident(t.baseUrl, uniqueName('uploader')));
  });
  afterAll(() => t.close());

  const queue = async () => (await api(t.baseUrl, '/api/v1/health')).body.queues.photos;

  it('processes one upload at a time, lets one wait, and answers 503 PHOTO_QUEUE_FULL with Retry-After beyond that', async () => {
    const first = heldUpload(t.baseUrl, token, jpeg);
    await waitFor(async () => (await queue()).running === 1, 10_000, 'the first upload to be admitted');
    const second = heldUpload(t.baseUrl, token, jpeg);
    await waitFor(async () => (await queue()).waiting === 1, 10_000, 'the second upload to wait');

    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'third.jpg');
    const third = await fetch(`${t.baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await third.json()).error).toMatchObject({ code: 'PHOTO_QUEUE_FULL', message: '照片处理繁忙，请稍后重试' });
    expect(await queue()).toMatchObject({ running: 1, waiting: 1, concurrency: 1, maxWaiting: 1 });

    // Both held uploads complete once their bytes arrive; the waiting one takes the freed slot.
    const [a, b] = await Promise.all([first.finish(), second.finish()]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(await queue()).toMatchObject({ running: 0, waiting: 0 });
    expect((await uploadPhoto(t.baseUrl, token, jpeg)).status).toBe(201);
  });

  it('refuses an oversized upload before it queues, even when the queue is full', async () => {
    const first = heldUpload(t.baseUrl, token, jpeg);
    await waitFor(async () => (await queue()).running === 1, 10_000, 'the first upload to be admitted');
    const second = heldUpload(t.baseUrl, token, jpeg);
    await waitFor(async () => (await queue()).waiting === 1, 10_000, 'the second upload to wait');
    // Declares 20 MB and sends nothing: answered from the headers alone, without a slot.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.baseUrl}/api/v1/photos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': 20 * 1024 * 1024 },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    expect(await queue()).toMatchObject({ running: 1, waiting: 1 });
    expect((await Promise.all([first.finish(), second.finish()])).map((r) => r.status)).toEqual([201, 201]);
  });
});
