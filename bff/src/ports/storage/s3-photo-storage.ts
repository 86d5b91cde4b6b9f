import { cutText } from '@cityloop/shared';
import type { PhotoStorage } from './photo-storage';
import { sha256Hex, signRequest, uriEncode, type SigV4Credentials } from './sigv4';

export interface S3Options extends SigV4Credentials {
  /** e.g. https://cos.ap-guangzhou.myqcloud.com, http://127.0.0.1:9000 (MinIO) */
  endpoint: string;
  bucket: string;
  /** Path-style (`endpoint/bucket/key`, MinIO) instead of virtual-hosted (`bucket.endpoint/key`, COS/OSS). */
  forcePathStyle: boolean;
  /** Key prefix inside the bucket. */
  prefix?: string;
  timeoutMs: number;
  now?: () => Date;
}

/** Adapter for S3-compatible object storage over plain HTTP with SigV4; objects stay private (no public ACL). */
export class S3PhotoStorage implements PhotoStorage {
  constructor(private readonly options: S3Options) {}

  private urlFor(key: string): URL {
    const endpoint = new URL(this.options.endpoint);
    const objectKey = uriEncode(`${this.options.prefix ?? ''}${key}`, true);
    if (this.options.forcePathStyle) return new URL(`${endpoint.origin}/${this.options.bucket}/${objectKey}`);
    return new URL(`${endpoint.protocol}//${this.options.bucket}.${endpoint.host}/${objectKey}`);
  }

  private async send(method: 'PUT' | 'GET' | 'DELETE', key: string, body?: Buffer, contentType?: string): Promise<Response> {
    const url = this.urlFor(key);
    const headers = signRequest(
      { method, url, headers: contentType ? { 'content-type': contentType } : {}, payloadHash: sha256Hex(body ?? '') },
      this.options,
      (this.options.now ?? (() => new Date()))(),
    );
    delete headers.host; // fetch sets it from the URL
    return fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(this.options.timeoutMs) });
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const res = await this.send('PUT', key, data, contentType);
    if (!res.ok) throw new Error(`object storage PUT failed: HTTP ${res.status} ${cutText(await res.text(), 200, '')}`);
  }

  async get(key: string): Promise<Buffer | null> {
    const res = await this.send('GET', key);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`object storage GET failed: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const res = await this.send('DELETE', key);
    if (!res.ok && res.status !== 404) throw new Error(`object storage DELETE failed: HTTP ${res.status}`);
  }
}
