import { useState } from 'react';
import { Image, Text, View } from '@tarojs/components';
import { photoSrc } from '../../../services/reports';
import type { DraftPhoto } from '../../../utils/draft-rules';

export function photoSources(photo: DraftPhoto): string[] {
  const list: string[] = [];
  if (photo.localPath) list.push(photo.localPath);
  // Signed and short-lived: fine for this session, may have expired in a draft restored later.
  if (photo.photo) list.push(photoSrc(photo.photo.thumbUrl));
  return list;
}

const PHOTO_STATUS_TEXT: Record<DraftPhoto['status'], string> = {
  uploading: '',
  done: '已上传',
  waiting: '等待网络',
  failed: '上传失败',
};

/** The tile's own status line; a refused photo says so (the reason is spelled out under the photos). */
export function tileStatusText(photo: DraftPhoto, progress: number): string {
  if (photo.status === 'uploading') return `${progress}%`;
  if (photo.status === 'failed' && photo.refused) return '无法使用';
  return PHOTO_STATUS_TEXT[photo.status];
}

export function PhotoTile({
  photo,
  locked,
  onPreview,
  onRemove,
  onRetry,
  onReplace,
}: {
  photo: DraftPhoto;
  locked: boolean;
  onPreview: (src: string) => void;
  onRemove: () => void;
  onRetry: () => void;
  onReplace: () => void;
}) {
  const sources = photoSources(photo);
  const [sourceIndex, setSourceIndex] = useState(0);
  const src = sources[sourceIndex];
  const progress = photo.status === 'done' ? 100 : photo.progress;
  return (
    <View className={`report-photo report-photo--${photo.status}`} id={`report-photo-${photo.localId}`}>
      {src ? (
        <Image className='report-photo__img' src={src} mode='aspectFill' webp onClick={() => onPreview(src)} onError={() => setSourceIndex(sourceIndex + 1)} />
      ) : (
        <View className='report-photo__img report-photo__img--missing'>
          <Text>预览已过期</Text>
        </View>
      )}
      <View className='report-photo__progress'>
        <View className='report-photo__bar' style={{ width: `${progress}%` }} />
        <Text className='report-photo__progress-text'>{tileStatusText(photo, progress)}</Text>
      </View>
      {photo.status === 'failed' && !locked && (
        <View className='report-photo__retry' id={`report-photo-action-${photo.localId}`} onClick={photo.refused ? onReplace : onRetry}>
          <Text>{photo.refused ? '换一张' : '重试'}</Text>
        </View>
      )}
      {!locked && (
        <View className='report-photo__remove' onClick={onRemove}>
          <Text>×</Text>
        </View>
      )}
    </View>
  );
}
