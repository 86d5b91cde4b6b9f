import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Busboy from 'busboy';
import type { Context, Middleware } from 'koa';
import { REPORT_LIMITS } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { authOf } from '../../http/auth';
import { AppError } from '../../http/errors';
import { admitThrough } from '../../http/rate-limit';
import type { WorkQueue } from '../../jobs/work-queue';
import { isUuid } from '../../http/validate';
import type { PhotoStorage } from '../../ports/storage/photo-storage';
import { processPhoto } from './photo-pipeline';
import { presentPhoto } from './photo.presenter';
import type { PhotoUrlSigner, PhotoVariant } from './photo-urls';
import { photosRepository } from './photos.repository';

export interface PhotoDeps {
  db: Database;
  storage: PhotoStorage;
  signer: PhotoUrlSigner;
  now: () => Date;
  residentGuard: Middleware;
  /** Refuses blocked users and rate-limits writes. */
  writeGuards: Middleware[];
  /** Bounds how many uploads are read and processed at once, and how many may wait. */
  photoQueue: WorkQueue;
}

/**
 * Reads the single `file` part of a multipart upload into memory, refusing past the byte cap as it
 * streams (a 15 MB cap keeps memory bounded; sharp needs the whole file anyway).
 */
function readUpload(ctx: Context, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: maxBytes, fields: 5, parts: 6 } });
    } catch {
      return reject(new AppError('UNSUPPORTED_MEDIA_TYPE', '照片须以 multipart/form-data 上传'));
    }
    let file: Buffer | null = null;
    let failure: AppError | null = null;
    busboy.on('file', (name, stream) => {
      if (name !== 'file' || file || failure) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure = new AppError('PAYLOAD_TOO_LARGE', `照片不能超过 ${Math.round(maxBytes / 1024 / 1024)} MB`);
      });
      stream.on('close', () => {
        if (!failure) file = Buffer.concat(chunks);
      });
    });
    busboy.on('error', () => reject(new AppError('VALIDATION_FAILED', '上传内容格式有误')));
    busboy.on('close', () => {
      if (failure) return reject(failure);
      if (!file || file.length === 0) return reject(new AppError('VALIDATION_FAILED', 'file: 缺少照片文件（字段名 file）'));
      resolve(file);
    });
    ctx.req.pipe(busboy);
  });
}

export function photoRoutes(deps: PhotoDeps): Router {
  const router = new Router({ prefix: '/photos' });
  const repo = photosRepository(deps.db);

  // Cheap refusals first; then the upload waits for a slot in the photo queue before its body is
  // read, so only `concurrency` photos are held in memory and decoded at a time.
  const precheck: Middleware = async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '照片须以 multipart/form-data 上传');
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > REPORT_LIMITS.photoMaxBytes + 64 * 1024) {
      ctx.set('Connection', 'close');
      throw new AppError('PAYLOAD_TOO_LARGE', `照片不能超过 ${REPORT_LIMITS.photoMaxBytes / 1024 / 1024} MB`);
    }
    await next();
  };

  router.post('/', deps.residentGuard, ...deps.writeGuards, precheck, admitThrough(deps.photoQueue, 'PHOTO_QUEUE_FULL'), async (ctx) => {
    const upload = await readUpload(ctx, REPORT_LIMITS.photoMaxBytes);
    const processed = await processPhoto(upload);
    const id = randomUUID();
    const ownerId = authOf(ctx).subject;
    const prefix = `${id.slice(0, 2)}/${id}`;
    await Promise.all([deps.storage.put(`${prefix}-display.webp`, processed.display.data, 'image/webp'), deps.storage.put(`${prefix}-thumb.webp`, processed.thumb.data, 'image/webp')]);
    const row = await repo.insert({
      id,
      ownerId,
      displayKey: `${prefix}-display.webp`,
      thumbKey: `${prefix}-thumb.webp`,
      width: processed.display.width,
      height: processed.display.height,
      bytes: upload.length,
      sourceType: processed.sourceType,
      takenAt: processed.takenAt,
      gpsLat: processed.gps?.lat ?? null,
      gpsLng: processed.gps?.lng ?? null,
      phash: processed.phash,
    });
    ctx.status = 201;
    ctx.body = presentPhoto(row, deps.signer, deps.now().getTime());
  });

  // Signed links only: see PhotoUrlSigner. An unknown photo and a bad signature look the same (404).
  router.get('/:id/:variant', async (ctx) => {
    const variant = ctx.params.variant as PhotoVariant;
    const id = ctx.params.id;
    if ((variant !== 'display' && variant !== 'thumb') || !isUuid(id)) throw new AppError('NOT_FOUND', '照片不存在');
    const exp = typeof ctx.query.exp === 'string' ? ctx.query.exp : undefined;
    const sig = typeof ctx.query.sig === 'string' ? ctx.query.sig : undefined;
    if (!deps.signer.verify(id, variant, exp, sig, deps.now().getTime())) throw new AppError('NOT_FOUND', '照片不存在或链接已过期');
    const row = await repo.findById(id);
    const data = row ? await deps.storage.get(variant === 'display' ? row.displayKey : row.thumbKey) : null;
    if (!data) throw new AppError('NOT_FOUND', '照片不存在');
    ctx.type = 'image/webp';
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.body = data;
  });

  return router;
}
