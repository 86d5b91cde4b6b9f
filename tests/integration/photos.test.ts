import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { PhotoUrlSigner } from '../../bff/src/features/photos/photo-urls';
import { loginResident, PHOTOS_DIR, startTestApp, uniqueName, uploadPhoto, type TestApp } from '../support/test-app';

const photo = (name: string) => fs.readFileSync(path.join(PHOTOS_DIR, name));

/** A valid PNG whose header declares width × height greyscale pixels, with only a few rows of data. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const rows = zlib.deflateSync(Buffer.alloc((width + 1) * 4));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

describe('POST /api/v1/photos', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    ({ token } = await loginResident(t.baseUrl, uniqueName('snapper')));
  });
  afterAll(() => t.close());

  const decodable = fs.readdirSync(PHOTOS_DIR).filter((f) => /\.jpe?g$/i.test(f) && f !== 'corrupted.jpg');
  it.each(decodable)('%s → 201, stored without any metadata, at most 1600 px', async (name) => {
    const res = await uploadPhoto(t.baseUrl, token, photo(name), name);
    expect(res.status).toBe(201);
    expect(Math.max(res.body.width, res.body.height)).toBeLessThanOrEqual(1600);
    const stored = await fetch(t.baseUrl + res.body.url);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await stored.arrayBuffer())).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.orientation ?? 1).toBe(1);
    expect([meta.width, meta.height]).toEqual([res.body.width, res.body.height]);
  });

  it('reads the capture time and GPS before stripping them', async () => {
    const res = await uploadPhoto(t.baseUrl, token, photo('gps_DSCN0010.jpg'));
    expect(res.body).toMatchObject({ hasGps: true, takenAt: '2008-10-22T08:28:39.000Z' });
    const none = await uploadPhoto(t.baseUrl, token, photo('orientation_landscape_1.jpg'));
    expect(none.body).toMatchObject({ hasGps: false, takenAt: null });
  });

  it('turns EXIF-rotated photos upright', async () => {
    const landscape = await uploadPhoto(t.baseUrl, token, photo('orientation_landscape_6.jpg'));
    const portrait = await uploadPhoto(t.baseUrl, token, photo('orientation_portrait_8.jpg'));
    expect(landscape.body.width).toBeGreaterThan(landscape.body.height);
    expect(portrait.body.height).toBeGreaterThan(portrait.body.width);
  });

  it.each([
    ['a corrupted JPEG', () => photo('corrupted.jpg'), 'x.jpg', 422, 'PHOTO_INVALID'],
    ['an iPhone HEIC', () => photo('heic_mobile_iphone_13_pro_max.HEIC'), 'x.heic', 415, 'PHOTO_HEIC_UNSUPPORTED'],
    ['a text file renamed .jpg', () => Buffer.from('this is not a photo at all, just text'), 'x.jpg', 415, 'PHOTO_UNSUPPORTED_TYPE'],
    ['a JPEG header followed by junk', () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]), 'x.jpg', 422, 'PHOTO_INVALID'],
  ])('%s is refused with a clear 4xx', async (_label, data, name, status, code) => {
    const res = await uploadPhoto(t.baseUrl, token, data(), name);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('refuses a pixel bomb (small file, 50+ megapixels) before decoding it', async () => {
    const bomb = pngBomb(20_000, 20_000); // 400 megapixels declared in a few hundred bytes
    expect(bomb.length).toBeLessThan(1024);
    const res = await uploadPhoto(t.baseUrl, token, bomb, 'bomb.png', 'image/png');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'PHOTO_INVALID', message: expect.stringContaining('像素') });
  });

  it('refuses an oversized file with 413 and keeps serving', async () => {
    const big = Buffer.concat([photo('Canon_40D.jpg'), Buffer.alloc(16 * 1024 * 1024)]);
    const res = await uploadPhoto(t.baseUrl, token, big);
    expect(res.status).toBe(413);
    expect((await uploadPhoto(t.baseUrl, token, photo('Canon_40D.jpg'))).status).toBe(201);
  });

  it('wants multipart with a "file" part, and a resident', async () => {
    const json = await fetch(`${t.baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append('other', 'x');
    const noFile = await fetch(`${t.baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(noFile.status).toBe(400);
    expect((await uploadPhoto(t.baseUrl, 'not-a-token', photo('Canon_40D.jpg'))).status).toBe(401);
  });

  it('serves photos only through signed, unexpired links', async () => {
    const res = await uploadPhoto(t.baseUrl, token, photo('Canon_40D.jpg'));
    const url = new URL(t.baseUrl + res.body.url);
    const tampered = new URL(url);
    tampered.searchParams.set('sig', 'A'.repeat(32));
    expect((await fetch(tampered)).status).toBe(404);
    const bare = `${t.baseUrl}/api/v1/photos/${res.body.id}/display`;
    expect((await fetch(bare)).status).toBe(404);
    const expired = new PhotoUrlSigner('test-photo-url-secret-at-least-32-characters').path(res.body.id, 'display', Date.now() - 7200_000, 60);
    expect((await fetch(t.baseUrl + expired)).status).toBe(404);
    expect((await fetch(t.baseUrl + res.body.thumbUrl)).status).toBe(200);
  });
});
