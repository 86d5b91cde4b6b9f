import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startS3FakeServer } from '../../bff/src/dev/s3-fake-server';
import { LocalPhotoStorage, type PhotoStorage } from '../../bff/src/ports/storage/photo-storage';
import { S3PhotoStorage } from '../../bff/src/ports/storage/s3-photo-storage';
import { signRequest } from '../../bff/src/ports/storage/sigv4';
// s3rver: a third-party S3 stand-in (Koa, files on disk): the S3 protocol as someone else read it (paths,
// status codes, bodies, the access key id). It does not verify V4 signatures ("unimplemented" in its
// source); the signature itself is checked against AWS's signer in tests/unit/sigv4-vs-smithy.test.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ address: string; port: number }>; close(): Promise<void> };

const credentials = { accessKeyId: 'AKIDCITYLOOPTEST', secretAccessKey: 'test-secret-access-key', region: 'ap-guangzhou' };

/** One contract, every adapter (the pattern from papra's storage drivers). */
function storageContract(name: string, make: () => Promise<{ storage: PhotoStorage; close(): Promise<void> }>) {
  describe(`${name} photo storage`, () => {
    let subject: Awaited<ReturnType<typeof make>>;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(() => subject.close());

    it('stores and returns the bytes under a key', async () => {
      const data = Buffer.from([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 255]);
      await subject.storage.put('ab/photo-1-display.webp', data, 'image/webp');
      expect(await subject.storage.get('ab/photo-1-display.webp')).toEqual(data);
    });

    it('overwrites a key and answers null for an unknown one', async () => {
      await subject.storage.put('ab/photo-2-thumb.webp', Buffer.from('first'), 'image/webp');
      await subject.storage.put('ab/photo-2-thumb.webp', Buffer.from('second'), 'image/webp');
      expect((await subject.storage.get('ab/photo-2-thumb.webp'))?.toString()).toBe('second');
      expect(await subject.storage.get('zz/never-written.webp')).toBeNull();
    });

    it('deletes a key (erasure), and deleting a missing one is not an error', async () => {
      await subject.storage.put('ab/photo-3-display.webp', Buffer.from('gone soon'), 'image/webp');
      await subject.storage.delete('ab/photo-3-display.webp');
      expect(await subject.storage.get('ab/photo-3-display.webp')).toBeNull();
      await expect(subject.storage.delete('ab/photo-3-display.webp')).resolves.toBeUndefined();
    });
  });
}

storageContract('local filesystem', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-storage-'));
  return { storage: new LocalPhotoStorage(dir), close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

storageContract('S3-compatible (SigV4 over HTTP)', async () => {
  const s3 = await startS3FakeServer({ ...credentials, bucket: 'cityloop-photos' });
  return {
    storage: new S3PhotoStorage({ ...credentials, endpoint: s3.endpoint, bucket: 'cityloop-photos', forcePathStyle: true, prefix: 'photos/', timeoutMs: 2000 }),
    close: s3.close,
  };
});

/** s3rver's built-in account. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };

async function startS3rver(bucket: string) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

storageContract('S3-compatible against s3rver (third-party S3 stand-in)', async () => {
  const s3 = await startS3rver('cityloop-photos');
  return {
    storage: new S3PhotoStorage({ ...S3RVER_CREDENTIALS, endpoint: s3.endpoint, bucket: 'cityloop-photos', forcePathStyle: true, prefix: 'photos/', timeoutMs: 2000 }),
    close: s3.close,
  };
});

describe('S3 adapter specifics', () => {
  it('is refused by s3rver with an unknown access key, and an error names the status', async () => {
    const s3 = await startS3rver('b');
    try {
      const wrong = new S3PhotoStorage({ ...S3RVER_CREDENTIALS, accessKeyId: 'AKIDUNKNOWN', endpoint: s3.endpoint, bucket: 'b', forcePathStyle: true, timeoutMs: 2000 });
      await expect(wrong.put('ab/x.webp', Buffer.from('x'), 'image/webp')).rejects.toThrow(/403/);
    } finally {
      await s3.close();
    }
  });

  it('signs exactly as AWS documents (GET Object example)', () => {
    const headers = signRequest(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { range: 'bytes=0-9' },
        payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' },
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('is refused with the wrong secret, and keeps objects under the prefix', async () => {
    const s3 = await startS3FakeServer({ ...credentials, bucket: 'b' });
    try {
      const wrong = new S3PhotoStorage({ ...credentials, secretAccessKey: 'wrong', endpoint: s3.endpoint, bucket: 'b', forcePathStyle: true, timeoutMs: 2000 });
      await expect(wrong.put('ab/x.webp', Buffer.from('x'), 'image/webp')).rejects.toThrow(/403/);
      const right = new S3PhotoStorage({ ...credentials, endpoint: s3.endpoint, bucket: 'b', forcePathStyle: true, prefix: 'photos/', timeoutMs: 2000 });
      await right.put('ab/x.webp', Buffer.from('x'), 'image/webp');
      expect([...s3.objects.keys()]).toEqual(['photos/ab/x.webp']);
      expect(s3.objects.get('photos/ab/x.webp')?.contentType).toBe('image/webp');
    } finally {
      await s3.close();
    }
  });
});
