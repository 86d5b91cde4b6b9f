import { createHmac, timingSafeEqual } from 'node:crypto';
import { API_PREFIX } from '@cityloop/shared';

export type PhotoVariant = 'display' | 'thumb';

/**
 * Photo links are signed and expire, because `<Image src>` in a mini-program cannot send an
 * Authorization header. Whoever is handed a link (the reporter, staff, the case system) may fetch it
 * until it expires; links are only ever issued after the owner/staff check.
 */
export class PhotoUrlSigner {
  constructor(private readonly secret: string) {}

  private signature(photoId: string, variant: PhotoVariant, expires: number): string {
    return createHmac('sha256', this.secret).update(`photo:${photoId}:${variant}:${expires}`).digest('base64url').slice(0, 32);
  }

  /** A path (relative to the BFF's origin) valid for `ttlSeconds`, rounded up so URLs stay cacheable. */
  path(photoId: string, variant: PhotoVariant, nowMs: number, ttlSeconds: number): string {
    const expires = Math.ceil((nowMs / 1000 + ttlSeconds) / 600) * 600;
    return `${API_PREFIX}/photos/${photoId}/${variant}?exp=${expires}&sig=${this.signature(photoId, variant, expires)}`;
  }

  verify(photoId: string, variant: PhotoVariant, exp: string | undefined, sig: string | undefined, nowMs: number): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
    const expected = Buffer.from(this.signature(photoId, variant, Number(exp)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected) && Number(exp) * 1000 > nowMs;
  }
}
