import type http from 'node:http';
import Busboy from 'busboy';
import { BodyTooLarge, readBody } from './http-util';

export interface PostedFile {
  field: string;
  type: string;
  bytes: Buffer;
}

export interface PostedForm {
  fields: URLSearchParams;
  files: PostedFile[];
}

const MAX_FILES = 9;
const MAX_FILE_BYTES = 5_000_000;

/**
 * A POST body as Open311 servers take it: application/x-www-form-urlencoded (the spec), or
 * multipart/form-data with media files (what many servers and FixMyStreet-style clients send).
 * Null for any other content type.
 */
export async function readForm(req: http.IncomingMessage): Promise<PostedForm | null> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type === 'multipart/form-data') return readMultipart(req);
  const text = await readBody(req);
  if (type !== 'application/x-www-form-urlencoded') return null;
  return { fields: new URLSearchParams(text), files: [] };
}

function readMultipart(req: http.IncomingMessage): Promise<PostedForm | null> {
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: req.headers, limits: { files: MAX_FILES, fileSize: MAX_FILE_BYTES, fields: 200, fieldSize: 100_000 } });
    } catch {
      req.resume();
      resolve(null);
      return;
    }
    const fields = new URLSearchParams();
    const files: PostedFile[] = [];
    let tooLarge = false;
    busboy.on('field', (name, value) => fields.append(name, value));
    busboy.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        tooLarge = true;
      });
      stream.on('end', () => {
        if (!tooLarge) files.push({ field, type: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    busboy.on('filesLimit', () => {
      tooLarge = true;
    });
    busboy.on('error', () => resolve(null));
    busboy.on('close', () => (tooLarge ? reject(new BodyTooLarge()) : resolve({ fields, files })));
    req.pipe(busboy);
  });
}
