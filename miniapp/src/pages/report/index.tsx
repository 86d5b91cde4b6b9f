import { useCallback, useRef, useState, type ChangeEvent } from 'react';
import Taro from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { REPORT_LIMITS, findCategory } from '@cityloop/shared';
import { useReportDraft } from '../../hooks/useReportDraft';
import { reportDetailUrl } from '../../services/reports';
import { CATEGORY_ICONS } from '../../utils/reports';
import { CategorySheet } from './components/CategorySheet';
import { FollowedReports } from './components/FollowedReports';
import { LocationCard } from './components/LocationCard';
import { NearbyCard } from './components/NearbyCard';
import { PhotoTile, photoSources } from './components/PhotoTile';
import { SubmitCard } from './components/SubmitCard';
import './index.scss';
// After the page's own styles, as before the split (same-specificity rules keep their order).
import { Page } from '../../components/page';

const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';

export default function ReportPage() {
  const r = useReportDraft();
  const { draft, actions, locked } = r;
  const [sheetOpen, setSheetOpen] = useState(false);
  const fileInput = useRef<HTMLInputElement | null>(null);
  const category = findCategory(draft.category);

  const addPhotos = useCallback(() => {
    if (locked) return;
    // H5: our own input, which an end-to-end test can also feed directly (see the report).
    if (IS_H5 && fileInput.current) fileInput.current.click();
    else actions.choosePhotos().catch(() => undefined);
  }, [locked, actions]);

  const onFiles = useCallback(
    (e: ChangeEvent<HTMLInputElement>) => {
      const input = e.target;
      const files = Array.from(input.files ?? []);
      input.value = ''; // picking the same file again must fire change
      actions.addFiles(files).catch(() => undefined);
    },
    [actions],
  );

  const preview = useCallback(
    (current: string) => {
      const urls = draft.photos.map((p) => photoSources(p)[0]).filter(Boolean);
      Taro.previewImage({ urls, current }).catch(() => undefined);
    },
    [draft.photos],
  );

  const pickCategory = useCallback(
    (code: string) => {
      actions.setCategory(code);
      setSheetOpen(false);
    },
    [actions],
  );

  const failedPhotos = draft.photos.map((photo, i) => ({ photo, n: i + 1 })).filter(({ photo }) => photo.status === 'failed');
  return (
    <Page block='report'>
      <View className='hero report__hero'>
        <Text className='hero__title'>随手拍</Text>
        <Text className='hero__text'>拍下身边的城市问题，相关部门会跟进处理，进度可在「我的举报」查看。</Text>
      </View>

      {r.autoSubmitted && (
        <View id='report-auto-submitted' className='card report__banner report__banner--ok'>
          <Text>待发送的举报已提交（{r.autoSubmitted.categoryName}）</Text>
          <View className='report__banner-actions'>
            <Text
              className='report__link'
              onClick={() => {
                const id = r.autoSubmitted!.id;
                r.dismissAutoSubmitted();
                Taro.navigateTo({ url: reportDetailUrl(id) }).catch(() => undefined);
              }}
            >
              查看进度
            </Text>
            <Text className='report__link report__link--muted' onClick={r.dismissAutoSubmitted}>
              知道了
            </Text>
          </View>
        </View>
      )}

      {r.notice && (
        <View id='report-notice' className={`card report__banner report__banner--${r.notice.kind}`}>
          <Text>{r.notice.text}</Text>
        </View>
      )}

      <View className='card'>
        <View className='report__head'>
          <Text className='card__title'>现场照片</Text>
          <Text className='report__counter'>
            {draft.photos.length}/{r.photoLimits.max}
            {category ? (category.photos.min > 0 ? ` · 至少 ${category.photos.min} 张` : ' · 可不拍照') : ''}
          </Text>
        </View>
        <View className='report__photos'>
          {draft.photos.map((photo) => (
            <PhotoTile
              key={photo.localId}
              photo={photo}
              locked={locked}
              onPreview={preview}
              onRemove={() => actions.removePhoto(photo.localId)}
              onRetry={() => actions.retryPhoto(photo.localId)}
              onReplace={() => {
                actions.removePhoto(photo.localId);
                addPhotos();
              }}
            />
          ))}
          {draft.photos.length < r.photoLimits.max && !locked && (
            <View id='report-add-photo' className='report__add-photo' onClick={addPhotos}>
              <Text className='report__add-icon'>+</Text>
              <Text className='report__add-text'>拍照/相册</Text>
            </View>
          )}
        </View>
        {failedPhotos.length > 0 && (
          <View id='report-photo-errors' className='report__photo-errors'>
            {failedPhotos.map(({ photo, n }) => (
              <Text key={photo.localId} className='report__photo-error'>
                第 {n} 张：{photo.error || '上传失败'}
              </Text>
            ))}
          </View>
        )}
        {IS_H5 && <input ref={fileInput} id='report-file-input' className='report__file-input' type='file' accept='image/*' multiple onChange={onFiles} />}
      </View>

      <View className='card'>
        <Text className='card__title'>问题类型</Text>
        <View id='report-category' className={locked ? 'report__picker report__picker--locked' : 'report__picker'} onClick={() => !locked && setSheetOpen(true)}>
          {category ? (
            <View className='report__picked'>
              <Text className='report__picked-icon' aria-hidden>
                {CATEGORY_ICONS[category.code] ?? '📍'}
              </Text>
              <Text className='badge'>{category.group}</Text>
              <Text className='report__picked-name'>{category.name}</Text>
            </View>
          ) : (
            <Text className='report__placeholder'>请选择问题类型</Text>
          )}
          <Text className='report__chevron'>▾</Text>
        </View>
      </View>

      <LocationCard form={r} />

      <View className='card'>
        <View className='report__head'>
          <Text className='card__title'>问题描述</Text>
          <Text
            id='report-description-count'
            className={
              r.descriptionCount > REPORT_LIMITS.descriptionMaxChars || (r.descriptionCount > 0 && r.descriptionCount < REPORT_LIMITS.descriptionMinChars)
                ? 'report__counter report__counter--bad'
                : 'report__counter'
            }
          >
            {r.descriptionCount}/{REPORT_LIMITS.descriptionMaxChars}
          </Text>
        </View>
        {IS_WEAPP && sheetOpen ? (
          // A weapp textarea is a native view drawn above everything, including the sheet.
          <View className='report__textarea report__textarea--mask'>
            <Text>{draft.description}</Text>
          </View>
        ) : (
          <Textarea
            id='report-description'
            className='report__textarea'
            value={draft.description}
            // No native cap: it counts UTF-16 units; the counter and the submit check count characters.
            maxlength={-1}
            placeholder={`说说是什么问题（${REPORT_LIMITS.descriptionMinChars}–${REPORT_LIMITS.descriptionMaxChars} 字）`}
            disabled={locked}
            onInput={(e) => actions.setDescription(e.detail.value)}
          />
        )}
      </View>

      {r.nearby.length > 0 && <NearbyCard items={r.nearby} />}

      <SubmitCard form={r} />

      <FollowedReports />

      {sheetOpen && <CategorySheet current={draft.category} onPick={pickCategory} onClose={() => setSheetOpen(false)} />}
    </Page>
  );
}
