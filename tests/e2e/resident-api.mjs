// What a resident does over HTTP in the e2e tests: sign in with dev WeChat, upload a photo, report, wait.
import crypto from 'node:crypto';
import { delay } from './support.mjs';

/** Calls against the BFF at `baseUrl`; `json(res, status)` throws with the body when the status differs. */
export function residentApi(baseUrl) {
  async function json(res, expected) {
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  }

  async function residentLogin(name) {
    const body = await json(await fetch(`${baseUrl}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `dev:${name}` }) }), 200);
    return { id: body.user.id, headers: { authorization: `Bearer ${body.token}` } };
  }

  async function uploadPhoto(resident, bytes, filename) {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/jpeg' }), filename);
    const res = await fetch(`${baseUrl}/api/v1/photos`, { method: 'POST', headers: resident.headers, body: form });
    return (await json(res, 201)).id;
  }

  async function submitReport(resident, photoId, place) {
    const body = {
      category: 'exposed_garbage',
      description: `控制台端到端测试：${place.address}`,
      location: { lat: place.lat, lng: place.lng, coordSystem: 'wgs84' },
      address: place.address,
      street: place.street,
      photoIds: [photoId],
    };
    const res = await fetch(`${baseUrl}/api/v1/reports`, {
      method: 'POST',
      headers: { ...resident.headers, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(body),
    });
    return (await json(res, 201)).report;
  }

  async function waitForReport(resident, reportId, test, what) {
    for (let i = 0; i < 100; i += 1) {
      const { report } = await json(await fetch(`${baseUrl}/api/v1/reports/${reportId}`, { headers: resident.headers }), 200);
      if (test(report)) return report;
      await delay(200);
    }
    throw new Error(`report ${reportId} never reached: ${what}`);
  }
  return { json, residentLogin, uploadPhoto, submitReport, waitForReport };
}
