import exifReader from 'exif-reader';
import sharp from 'sharp';
import { REPORT_LIMITS, SHANGHAI_OFFSET_MS } from '@cityloop/shared';
import { AppError } from '../../http/errors';

// Memory over speed for the one-at-a-time-per-core photo queue: libvips' operation cache would keep
// decoded 12 MP images around after each upload, and one libvips thread per image keeps the number
// of working buffers at the queue's concurrency instead of concurrency × cores.
sharp.cache(false);
sharp.concurrency(1);

export type SourceType = 'jpeg' | 'png' | 'webp';

/** Sniffs the container from its first bytes; the file name and declared MIME type are never trusted. */
export function detectImageType(head: Buffer): SourceType | 'heic' | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 12 && head.toString('ascii', 0, 4) === 'RIFF' && head.toString('ascii', 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 12 && head.toString('ascii', 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1|avif)$/.test(head.toString('ascii', 8, 12))) return 'heic';
  return null;
}

export interface ProcessedPhoto {
  sourceType: SourceType;
  display: { data: Buffer; width: number; height: number };
  thumb: { data: Buffer; width: number; height: number };
  takenAt: Date | null;
  gps: { lat: number; lng: number } | null;
  /** 64-bit difference hash as 16 hex characters. */
  phash: string;
}

/**
 * Decode once, auto-orient from EXIF, then write a display size and a thumbnail as WebP. sharp drops
 * all metadata on output unless asked to keep it, so stored files carry no EXIF (no GPS, no camera
 * serial); the capture time and position are read first and kept as columns instead.
 */
export async function processPhoto(input: Buffer): Promise<ProcessedPhoto> {
  const type = detectImageType(input.subarray(0, 16));
  if (type === 'heic') throw new AppError('PHOTO_HEIC_UNSUPPORTED');
  if (!type) throw new AppError('PHOTO_UNSUPPORTED_TYPE');

  const options = { limitInputPixels: REPORT_LIMITS.photoMaxPixels, failOn: 'error' as const, sequentialRead: true };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, options).metadata();
  } catch (err) {
    throw photoError(err);
  }
  if (!meta.width || !meta.height) throw new AppError('PHOTO_INVALID');
  const exif = readExif(meta.exif);

  try {
    // One decode feeds both outputs: resize the display size, then derive thumbnail and hash from it.
    const oriented = sharp(input, options).rotate();
    const display = await oriented
      .resize({ width: REPORT_LIMITS.photoDisplayMaxSide, height: REPORT_LIMITS.photoDisplayMaxSide, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const [thumb, phash] = await Promise.all([
      sharp(display.data)
        .resize({ width: REPORT_LIMITS.photoThumbMaxSide, height: REPORT_LIMITS.photoThumbMaxSide, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 70 })
        .toBuffer({ resolveWithObject: true }),
      differenceHash(display.data),
    ]);
    return {
      sourceType: type,
      display: { data: display.data, width: display.info.width, height: display.info.height },
      thumb: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
      takenAt: exif.takenAt,
      gps: exif.gps,
      phash,
    };
  } catch (err) {
    throw photoError(err);
  }
}

function photoError(err: unknown): AppError {
  const message = err instanceof Error ? err.message : String(err);
  // sharp's pixel-limit message; anything else from the decoder means a broken file.
  if (/pixel limit/i.test(message)) return new AppError('PHOTO_INVALID', `照片像素超过 ${REPORT_LIMITS.photoMaxPixels / 1e6} 百万，无法处理`);
  return new AppError('PHOTO_INVALID');
}

/** dHash: 9×8 greyscale, one bit per horizontal neighbour comparison. Robust to re-encoding and resizing. */
export async function differenceHash(image: Buffer): Promise<string> {
  const pixels = await sharp(image).greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
  let bits = 0n;
  for (let y = 0; y < 8; y += 1) {
    for (let x = 0; x < 8; x += 1) bits = (bits << 1n) | (pixels[y * 9 + x] > pixels[y * 9 + x + 1] ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, '0');
}

/** Bits that differ between two hashes; ≤ 6 of 64 is "the same photo" for our purposes. */
export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}

function readExif(raw: Buffer | undefined): { takenAt: Date | null; gps: { lat: number; lng: number } | null } {
  if (!raw) return { takenAt: null, gps: null };
  let tags: ReturnType<typeof exifReader>;
  try {
    tags = exifReader(raw);
  } catch {
    // Broken EXIF (seen in the wild) must not lose the photo; we just learn nothing from it.
    return { takenAt: null, gps: null };
  }
  const photo = (tags.Photo ?? (tags as { exif?: Record<string, unknown> }).exif ?? {}) as Record<string, unknown>;
  const image = (tags.Image ?? {}) as Record<string, unknown>;
  const when = photo.DateTimeOriginal ?? photo.DateTimeDigitized ?? image.DateTime;
  const gpsTags = (tags.GPSInfo ?? {}) as Record<string, unknown>;
  return { takenAt: exifDate(when), gps: exifGps(gpsTags) };
}

/** EXIF times have no zone; cameras here are set to local time, so they are read as Asia/Shanghai. */
function exifDate(value: unknown): Date | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return null;
  // exif-reader builds the Date as if the wall-clock time were UTC.
  const shanghai = new Date(value.getTime() - SHANGHAI_OFFSET_MS);
  const year = shanghai.getUTCFullYear();
  return year >= 1990 && year <= 2100 ? shanghai : null;
}

function exifGps(gps: Record<string, unknown>): { lat: number; lng: number } | null {
  const toDegrees = (v: unknown) => (Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number') ? v[0] + v[1] / 60 + v[2] / 3600 : null);
  const lat = toDegrees(gps.GPSLatitude);
  const lng = toDegrees(gps.GPSLongitude);
  if (lat === null || lng === null) return null;
  const signedLat = gps.GPSLatitudeRef === 'S' ? -lat : lat;
  const signedLng = gps.GPSLongitudeRef === 'W' ? -lng : lng;
  if (!Number.isFinite(signedLat) || !Number.isFinite(signedLng) || Math.abs(signedLat) > 90 || Math.abs(signedLng) > 180) return null;
  if (signedLat === 0 && signedLng === 0) return null;
  return { lat: signedLat, lng: signedLng };
}
