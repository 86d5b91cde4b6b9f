import { generateKeyPairSync, verify } from 'node:crypto';
import {
  buildAuthorization,
  decryptResource,
  encryptResource,
  parseAuthorization,
  signMessage,
  signWechatpayHeaders,
  verifyAuthorization,
  verifyMessage,
  verifyWechatpayHeaders,
} from '../../bff/src/ports/payout/wechatpay-signing';

function rsaPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const platform = rsaPair();
const other = rsaPair();
const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const NOW = 1_750_000_000;
const body = '{"out_bill_no":"plfk2020042013","state":"ACCEPTED"}';
const platformKeys = { platformPublicKeyPem: platform.publicKeyPem, platformSerial: SERIAL };

describe('WeChat Pay v3 request Authorization', () => {
  const merchant = { mchId: '1900000109', serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB', privateKeyPem: platform.privateKeyPem };
  const url = '/v3/fund-app/mch-transfer/transfer-bills?x=1';

  it('signs METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n and round-trips through parseAuthorization', () => {
    const header = buildAuthorization(merchant, 'post', url, body, String(NOW), 'n0nce');
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="n0nce",signature="[A-Za-z0-9+/=]+",timestamp="1750000000",serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"$/);
    const auth = parseAuthorization(header)!;
    expect(auth).toMatchObject({ mchId: '1900000109', serialNo: merchant.serialNo, nonce: 'n0nce', timestamp: String(NOW) });
    const message = Buffer.from(`POST\n${url}\n${NOW}\nn0nce\n${body}\n`);
    expect(verify('sha256', message, platform.publicKeyPem, Buffer.from(auth.signature, 'base64'))).toBe(true);
    expect(verifyAuthorization(platform.publicKeyPem, auth, 'POST', url, body)).toBe(true);
  });

  it('fails for another body, URL, method or key', () => {
    const auth = parseAuthorization(buildAuthorization(merchant, 'POST', url, body, String(NOW), 'n0nce'))!;
    expect(verifyAuthorization(platform.publicKeyPem, auth, 'POST', url, body.replace('ACCEPTED', 'SUCCESS'))).toBe(false);
    expect(verifyAuthorization(platform.publicKeyPem, auth, 'POST', '/v3/other', body)).toBe(false);
    expect(verifyAuthorization(platform.publicKeyPem, auth, 'GET', url, body)).toBe(false);
    expect(verifyAuthorization(other.publicKeyPem, auth, 'POST', url, body)).toBe(false);
  });

  it('parses any parameter order and refuses malformed headers', () => {
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 serial_no="S",timestamp="1",signature="c2ln",nonce_str="n",mchid="m"')).toEqual({
      mchId: 'm',
      serialNo: 'S',
      nonce: 'n',
      timestamp: '1',
      signature: 'c2ln',
    });
    for (const bad of [
      undefined,
      '',
      'Bearer abc',
      'WECHATPAY2-SHA256-RSA2048 mchid="m",nonce_str="n",signature="s",timestamp="1"',
      'WECHATPAY2-SHA256-RSA2048 mchid="m",mchid="x",nonce_str="n",signature="s",timestamp="1",serial_no="S"',
      'WECHATPAY2-SHA256-RSA2048 mchid=m,nonce_str="n",signature="s",timestamp="1",serial_no="S"',
    ]) {
      expect(parseAuthorization(bad)).toBeNull();
    }
  });
});

describe('WeChat Pay v3 response and callback signatures', () => {
  const signed = (over: Partial<{ key: string; timestamp: number; body: string }> = {}) =>
    signWechatpayHeaders(over.key ?? platform.privateKeyPem, SERIAL, over.body ?? body, String(over.timestamp ?? NOW), 'abc123');

  it('round-trips signMessage / verifyMessage over timestamp\\nnonce\\nbody\\n', () => {
    const signature = signMessage(platform.privateKeyPem, String(NOW), 'abc123', body);
    expect(verifyMessage(platform.publicKeyPem, String(NOW), 'abc123', body, signature)).toBe(true);
    expect(verifyMessage(platform.publicKeyPem, String(NOW), 'abc123', Buffer.from(body), signature)).toBe(true);
    expect(verify('sha256', Buffer.from(`${NOW}\nabc123\n${body}\n`), platform.publicKeyPem, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verifyMessage(platform.publicKeyPem, String(NOW), 'abc124', body, signature)).toBe(false);
    expect(verifyMessage(platform.publicKeyPem, String(NOW), 'abc123', body, 'not base64 !!')).toBe(false);
    expect(verifyMessage('not a key', String(NOW), 'abc123', body, signature)).toBe(false);
  });

  it('accepts genuine headers, in any letter case, within the window', () => {
    expect(verifyWechatpayHeaders(signed(), body, platformKeys, NOW)).toBe('ok');
    const lower = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyWechatpayHeaders(lower, Buffer.from(body), platformKeys, NOW + 299)).toBe('ok');
  });

  it('refuses a tampered body, a different key, a stale timestamp, an unknown serial and missing headers', () => {
    expect(verifyWechatpayHeaders(signed(), body.replace('ACCEPTED', 'SUCCESS'), platformKeys, NOW)).toBe('bad-signature');
    expect(verifyWechatpayHeaders(signed({ key: other.privateKeyPem }), body, platformKeys, NOW)).toBe('bad-signature');
    expect(verifyWechatpayHeaders(signed({ timestamp: NOW - 301 }), body, platformKeys, NOW)).toBe('stale');
    expect(verifyWechatpayHeaders(signed({ timestamp: NOW + 301 }), body, platformKeys, NOW)).toBe('stale');
    expect(verifyWechatpayHeaders({ ...signed(), 'Wechatpay-Timestamp': '17e8' }, body, platformKeys, NOW)).toBe('stale');
    expect(verifyWechatpayHeaders({ ...signed(), 'Wechatpay-Serial': 'OTHER' }, body, platformKeys, NOW)).toBe('unknown-serial');
    for (const name of ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial']) {
      const headers: Record<string, string | undefined> = signed();
      delete headers[name];
      expect(verifyWechatpayHeaders(headers, body, platformKeys, NOW)).toBe('missing');
    }
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  const key = 'a7cde1ef52fa2d6ea7f2f24d1a8b4c3e';
  const plaintext = JSON.stringify({ out_bill_no: 'b1', state: 'SUCCESS', note: '转账成功' });
  const resource = { ciphertext: encryptResource(key, plaintext, 'mch_payment', 'fdasflkja484'), nonce: 'fdasflkja484', associated_data: 'mch_payment' };

  it('round-trips, with the 16-byte tag after the ciphertext', () => {
    expect(Buffer.from(resource.ciphertext, 'base64').length).toBe(Buffer.byteLength(plaintext) + 16);
    expect(decryptResource(key, resource)).toBe(plaintext);
  });

  it('refuses a tampered ciphertext, another key, nonce or associated data, and a short key', () => {
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[3] ^= 1;
    expect(() => decryptResource(key, { ...resource, ciphertext: bytes.toString('base64') })).toThrow();
    expect(() => decryptResource(key, { ...resource, ciphertext: Buffer.from(resource.ciphertext, 'base64').subarray(0, 10).toString('base64') })).toThrow();
    expect(() => decryptResource('b7cde1ef52fa2d6ea7f2f24d1a8b4c3e', resource)).toThrow();
    expect(() => decryptResource(key, { ...resource, nonce: 'fdasflkja485' })).toThrow();
    expect(() => decryptResource(key, { ...resource, associated_data: 'other' })).toThrow();
    expect(() => encryptResource('short', plaintext, '', 'n')).toThrow(/32 bytes/);
  });
});
