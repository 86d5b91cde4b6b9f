import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed pushes from the case system: HMAC-SHA256 over `${timestamp}.${rawBody}` with a shared secret,
 * sent as `X-Case-Timestamp: <unix seconds>` and `X-Case-Signature: sha256=<hex>`. A timestamp outside
 * the replay window is refused even with a valid signature.
 */
export const SIGNATURE_HEADER = 'x-case-signature';
export const TIMESTAMP_HEADER = 'x-case-timestamp';

export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type SignatureVerdict = 'ok' | 'missing' | 'bad-signature' | 'stale';

export function verifyWebhook(secret: string, headers: { signature?: string; timestamp?: string }, rawBody: Buffer, nowSeconds: number, windowSeconds = 300): SignatureVerdict {
  if (!headers.signature || !headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) return 'missing';
  const timestamp = Number(headers.timestamp);
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  if (Math.abs(nowSeconds - timestamp) > windowSeconds) return 'stale';
  return 'ok';
}
