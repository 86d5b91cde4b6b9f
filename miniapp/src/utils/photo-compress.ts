import Taro from '@tarojs/taro';
import { REPORT_LIMITS, fitLongSide } from '@cityloop/shared';

/**
 * Shrinks a photo on the device before upload: long side ≤ 1600 px, JPEG quality 0.8. The server
 * still runs its own pipeline (sniffing, EXIF strip, WebP); this only saves the resident's data and
 * time. A photo the device cannot decode (HEIC in most browsers, a broken file) goes up as it is, so
 * the server's refusal, with its reason, reaches the resident.
 */

export interface CompressedPhoto {
  blob: Blob;
  fileName: string;
  /** False when the original is sent (could not decode, or re-encoding would not make it smaller). */
  compressed: boolean;
}

function jpegName(name: string): string {
  const base = name.replace(/\.[^.]*$/, '') || 'photo';
  return `${base}.jpg`;
}

async function decode(file: Blob): Promise<{ source: CanvasImageSource; width: number; height: number; close(): void }> {
  if (typeof createImageBitmap === 'function') {
    // 'from-image' applies the EXIF orientation, so a portrait phone photo stays upright.
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    return { source: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, close: () => undefined };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** H5: canvas re-encode. */
export async function compressPhotoFile(file: File): Promise<CompressedPhoto> {
  const original: CompressedPhoto = { blob: file, fileName: file.name || 'photo.jpg', compressed: false };
  let image: Awaited<ReturnType<typeof decode>>;
  try {
    image = await decode(file);
  } catch {
    return original;
  }
  try {
    const size = fitLongSide(image.width, image.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return original;
    ctx.fillStyle = '#ffffff'; // a transparent PNG would turn black as JPEG
    ctx.fillRect(0, 0, size.width, size.height);
    ctx.drawImage(image.source, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', REPORT_LIMITS.devicePhotoJpegQuality));
    if (!blob || blob.size >= file.size) return original;
    return { blob, fileName: jpegName(original.fileName), compressed: true };
  } catch {
    return original;
  } finally {
    image.close();
  }
}

/** weapp: compressImage with the long side capped (base library 2.26+; older ones ignore the size and only re-encode). */
export async function compressPhotoPath(src: string): Promise<string> {
  try {
    const info = await Taro.getImageInfo({ src });
    const size = fitLongSide(info.width, info.height);
    const landscape = info.width >= info.height;
    const res = await Taro.compressImage({
      src,
      quality: Math.round(REPORT_LIMITS.devicePhotoJpegQuality * 100),
      ...(landscape ? { compressedWidth: size.width } : { compressedHeight: size.height }),
    } as Taro.compressImage.Option);
    return res.tempFilePath || src;
  } catch {
    return src;
  }
}
