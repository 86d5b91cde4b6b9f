import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { signRequest } from '../../bff/src/ports/storage/sigv4';

/**
 * Our SigV4 signer against AWS's own (@smithy/signature-v4, what the AWS SDK signs S3 calls with),
 * over seeded random requests: repeated query parameters, values needing encoding, header values
 * with runs of spaces, keys with spaces and Chinese. Any difference is a request a real store refuses.
 */
const credentials = { accessKeyId: 'AKIDCITYLOOPTEST', secretAccessKey: 'test-secret-access-key/with+chars', region: 'ap-guangzhou' };
const smithy = new SignatureV4({ credentials, region: credentials.region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });

/** mulberry32: small, seeded, the same sequence on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = ReturnType<typeof random>;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const word = (rng: Rng, alphabet: string, min: number, max: number) => {
  const chars = [...alphabet];
  return Array.from({ length: min + Math.floor(rng() * (max - min + 1)) }, () => pick(rng, chars)).join('');
};

// Key characters the URL parser and S3 encode alike (unreserved, space, non-ASCII); names unreserved only.
const SEGMENT = 'abcxyzABC0189-_.~ 街道井盖';
const NAME = 'abcdefxyz0189-_.~';
const VALUE = "abcXYZ019-_.~ !*'()&=+/,;:@$%#?中文街";
const HEADER_NAMES = ['content-type', 'range', 'x-amz-meta-note', 'x-amz-meta-city', 'content-md5', 'x-amz-acl', 'if-none-match'];

function randomRequest(rng: Rng) {
  const segments = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => `s${word(rng, SEGMENT, 2, 10)}`);
  const url = new URL(`https://cityloop-photos.cos.ap-guangzhou.myqcloud.com/${segments.map(encodeURIComponent).join('/')}`);
  const names = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => word(rng, NAME, 1, 6));
  const query: Record<string, string[]> = {};
  for (let i = Math.floor(rng() * 6); i > 0; i -= 1) {
    // Often a name already used: repeated parameters sort by value.
    const name = pick(rng, names);
    const value = word(rng, VALUE, 0, 8);
    url.searchParams.append(name, value);
    (query[name] ??= []).push(value);
  }
  const headers: Record<string, string> = {};
  for (const name of HEADER_NAMES) {
    if (rng() < 0.4) {
      const gap = () => ' '.repeat(1 + Math.floor(rng() * 3));
      const words = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => word(rng, 'abcXYZ019-=;/', 1, 6));
      headers[name] = (rng() < 0.3 ? gap() : '') + words.map((w, i) => (i ? gap() : '') + w).join('') + (rng() < 0.3 ? gap() : '');
    }
  }
  const payloadHash = rng() < 0.2 ? 'UNSIGNED-PAYLOAD' : word(rng, '0123456789abcdef', 64, 64);
  const method = pick(rng, ['GET', 'PUT', 'DELETE', 'HEAD']);
  const date = new Date(Date.UTC(2026, Math.floor(rng() * 12), 1 + Math.floor(rng() * 28), Math.floor(rng() * 24), Math.floor(rng() * 60), Math.floor(rng() * 60)));
  return { method, url, query, headers, payloadHash, date };
}

async function smithyAuthorization(r: ReturnType<typeof randomRequest>): Promise<string> {
  const signed = await smithy.sign(
    {
      method: r.method,
      protocol: 'https:',
      hostname: r.url.hostname,
      path: r.url.pathname,
      query: Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, v.length === 1 ? v[0] : v])),
      headers: { ...r.headers, host: r.url.host, 'x-amz-content-sha256': r.payloadHash },
    },
    { signingDate: r.date },
  );
  return signed.headers.authorization;
}

describe('SigV4 signer', () => {
  it('signs 500 seeded random requests exactly as @smithy/signature-v4 does', async () => {
    const rng = random(20261201);
    const differing: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
    for (let i = 0; i < 500; i += 1) {
      const r = randomRequest(rng);
      const ours = signRequest({ method: r.method, url: r.url, headers: r.headers, payloadHash: r.payloadHash }, credentials, r.date).authorization;
      if (ours !== (await smithyAuthorization(r))) differing.push({ method: r.method, url: r.url.href, headers: r.headers });
    }
    expect(differing).toEqual([]);
  });

  it('the random requests do exercise both rules (repeated names, runs of spaces)', () => {
    const rng = random(20261201);
    let repeated = 0;
    let spaced = 0;
    for (let i = 0; i < 500; i += 1) {
      const r = randomRequest(rng);
      if (Object.values(r.query).some((values) => values.length > 1)) repeated += 1;
      if (Object.values(r.headers).some((v) => / {2}|^ | $/.test(v))) spaced += 1;
    }
    expect(repeated).toBeGreaterThan(50);
    expect(spaced).toBeGreaterThan(50);
  });
});
