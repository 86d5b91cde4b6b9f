import { createCipheriv, createDecipheriv, sign, verify } from 'node:crypto';

/**
 * WeChat Pay API v3 signatures (pure functions, shared by the adapter and the local stand-in):
 * - requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 …`, an RSA-SHA256 (PKCS#1 v1.5) signature
 *   with the merchant key over `METHOD\nURL\ntimestamp\nnonce\nbody\n`;
 * - responses and callbacks carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial, signed with the
 *   platform key over `timestamp\nnonce\nbody\n`;
 * - callback resources are AEAD_AES_256_GCM under the 32-byte APIv3 key.
 */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

export interface MerchantSigner {
  mchId: string;
  serialNo: string;
  privateKeyPem: string;
}

export interface WechatpayAuthorization {
  mchId: string;
  serialNo: string;
  nonce: string;
  timestamp: string;
  signature: string;
}

export interface EncryptedResource {
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

export type HeaderCheck = 'ok' | 'missing' | 'bad-signature' | 'stale' | 'unknown-serial';

type Body = string | Buffer;

const lines = (parts: Body[]) => Buffer.concat(parts.map((p) => Buffer.concat([Buffer.from(p), Buffer.from('\n')])));

function rsaSign(privateKeyPem: string, message: Buffer): string {
  return sign('sha256', message, privateKeyPem).toString('base64');
}

function rsaVerify(publicKeyPem: string, message: Buffer, signature: string): boolean {
  try {
    return verify('sha256', message, publicKeyPem, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function buildAuthorization(merchant: MerchantSigner, method: string, urlPathWithQuery: string, body: Body, timestamp: string, nonce: string): string {
  const signature = rsaSign(merchant.privateKeyPem, lines([method.toUpperCase(), urlPathWithQuery, timestamp, nonce, body]));
  return `${AUTH_SCHEME} mchid="${merchant.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serialNo}"`;
}

/** Parses an Authorization header (any parameter order); null unless the scheme and all five parameters are there. */
export function parseAuthorization(header: string | undefined): WechatpayAuthorization | null {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return null;
  const params = new Map<string, string>();
  for (const part of header.slice(AUTH_SCHEME.length + 1).split(',')) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!m || params.has(m[1])) return null;
    params.set(m[1], m[2]);
  }
  const [mchId, nonce, signature, timestamp, serialNo] = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'].map((k) => params.get(k));
  if (!mchId || !nonce || !signature || !timestamp || !serialNo) return null;
  return { mchId, serialNo, nonce, timestamp, signature };
}

/** Server side: does the parsed Authorization sign this request under the merchant's public key? */
export function verifyAuthorization(publicKeyPem: string, auth: WechatpayAuthorization, method: string, urlPathWithQuery: string, body: Body): boolean {
  return rsaVerify(publicKeyPem, lines([method.toUpperCase(), urlPathWithQuery, auth.timestamp, auth.nonce, body]), auth.signature);
}

/** Signs a response or callback body with the platform private key (base64). */
export function signMessage(privateKeyPem: string, timestamp: string, nonce: string, body: Body): string {
  return rsaSign(privateKeyPem, lines([timestamp, nonce, body]));
}

export function verifyMessage(publicKeyPem: string, timestamp: string, nonce: string, body: Body, signature: string): boolean {
  return rsaVerify(publicKeyPem, lines([timestamp, nonce, body]), signature);
}

/** The four Wechatpay-* headers of a signed response or callback. */
export function signWechatpayHeaders(privateKeyPem: string, serial: string, body: Body, timestamp: string, nonce: string): Record<string, string> {
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signMessage(privateKeyPem, timestamp, nonce, body),
    'Wechatpay-Serial': serial,
  };
}

/** Checks a response's or callback's Wechatpay-* headers (names case-insensitive) against the platform key. */
export function verifyWechatpayHeaders(
  headers: Record<string, string | undefined>,
  rawBody: Body,
  platform: { platformPublicKeyPem: string; platformSerial: string },
  nowSeconds: number,
  windowSeconds = 300,
): HeaderCheck {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const [timestamp, nonce, signature, serial] = ['timestamp', 'nonce', 'signature', 'serial'].map((k) => lower.get(`wechatpay-${k}`));
  if (!timestamp || !nonce || !signature || !serial) return 'missing';
  if (serial !== platform.platformSerial) return 'unknown-serial';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > windowSeconds) return 'stale';
  return verifyMessage(platform.platformPublicKeyPem, timestamp, nonce, rawBody, signature) ? 'ok' : 'bad-signature';
}

function aesKey(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new Error('the APIv3 key must be 32 bytes');
  return key;
}

/** AEAD_AES_256_GCM: base64 of the ciphertext followed by the 16-byte tag. */
export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string, nonce: string): string {
  const cipher = createCipheriv('aes-256-gcm', aesKey(apiV3Key), Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** Decrypts a callback resource; throws when the key, nonce, associated data or ciphertext is not genuine. */
export function decryptResource(apiV3Key: string, resource: EncryptedResource): string {
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= 16 || !resource.nonce) throw new Error('malformed resource');
  const decipher = createDecipheriv('aes-256-gcm', aesKey(apiV3Key), Buffer.from(resource.nonce, 'utf8'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}
