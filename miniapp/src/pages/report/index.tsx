import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Button, Image, Input, ScrollView, Text, Textarea, View } from '@tarojs/components';
import { REPORT_LIMITS, findCategory, searchCategories, type FollowedReportDto, type MapReportDto, type ReportCategory } from '@cityloop/shared';
import { PENDING_TEXT, useReportDraft } from '../../hooks/useReportDraft';
import { MY_REPORTS_URL, followReport, listFollowedReports, photoSrc, reportDetailUrl, unfollowReport } from '../../services/reports';
import { toApiError } from '../../services/request';
import type { DraftPhoto } from '../../utils/draft-rules';
import { cityPosition, positionIn, presetsNearestFirst } from '../../utils/location';
import MapView, { MAP_COORD_SYSTEM, type MapMarker } from '../../components/map-view';
import { CATEGORY_GROUPS, CATEGORY_ICONS, frequentCategories, reportStatusClass } from '../../utils/reports';
import { formatDistance } from '../../utils/stalls';
import './index.scss';
import { Page } from '../../components/page';

const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';

function photoSources(photo: DraftPhoto): string[] {
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
function tileStatusText(photo: DraftPhoto, progress: number): string {
  if (photo.status === 'uploading') return `${progress}%`;
  if (photo.status === 'failed' && photo.refused) return '无法使用';
  return PHOTO_STATUS_TEXT[photo.status];
}

function PhotoTile({
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

/**
 * The duplicate hint: the same problem may already be reported nearby. 我也遇到了 follows that
 * report (its progress notices come to me) instead of filing a duplicate, which earns no reward.
 */
function NearbyCard({ items, title, onClose }: { items: MapReportDto[]; title?: string; onClose?: () => void }) {
  const [followed, setFollowed] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const toggle = (item: MapReportDto) => {
    const on = followed[item.id] ?? item.followed;
    setBusy(item.id);
    (on ? unfollowReport(item.id) : followReport(item.id)).then(
      () => {
        setFollowed((prev) => ({ ...prev, [item.id]: !on }));
        Taro.showToast({ title: on ? '已取消关注' : '已关注，办理进展会通知您', icon: 'none' }).catch(() => undefined);
      },
      (err: unknown) => Taro.showToast({ title: toApiError(err).message, icon: 'none' }).catch(() => undefined),
    ).finally(() => setBusy(null));
  };
  return (
    <View id={title ? 'report-map-picked' : 'report-nearby'} className={title ? 'report__nearby report__nearby--picked' : 'card report__nearby'}>
      <View className='report__nearby-head'>
        <Text className='report__nearby-title'>{title ?? `附近已有 ${items.length} 条同类举报`}</Text>
        {onClose && (
          <Text className='report__link report__link--muted' onClick={onClose}>
            关闭
          </Text>
        )}
      </View>
      <Text className='report__hint'>如果是同一个问题，点「我也遇到了」关注它的办理进展即可；重复举报不会获得奖励。不是同一个问题，请继续提交。</Text>
      {items.map((item) => {
        const on = followed[item.id] ?? item.followed;
        return (
          <View key={item.id} className='report__nearby-item'>
            <View className='report__nearby-main'>
              <Text className={reportStatusClass(item.status)}>{item.statusName}</Text>
              <Text className='report__nearby-address'>{item.address || item.categoryName}</Text>
              <Text className='report__nearby-distance'>{formatDistance(item.distanceMeters)}</Text>
            </View>
            {!item.own && (
              <View
                id={`report-nearby-follow-${item.id}`}
                className={on ? 'report__follow report__follow--on' : 'report__follow'}
                role='button'
                onClick={() => busy !== item.id && toggle(item)}
              >
                <Text>{on ? '已关注' : '我也遇到了'}</Text>
              </View>
            )}
          </View>
        );
      })}
    </View>
  );
}

/**
 * 我关注的举报: what this resident said 我也遇到了 to. A follower's notice opens this tab; the
 * report's own detail page belongs to its reporter, so the status is shown here.
 */
function FollowedReports() {
  const [items, setItems] = useState<FollowedReportDto[]>([]);
  const load = useCallback(() => {
    listFollowedReports().then(setItems, () => undefined); // a side list: quiet when it fails
  }, []);
  useDidShow(load);
  useEffect(load, [load]);
  if (!items.length) return null;
  return (
    <View id='report-follows' className='card report__follows'>
      <Text className='card__title'>我关注的举报</Text>
      {items.map((item) => (
        <View key={item.id} id={`report-follow-${item.id}`} className='report__follow-row'>
          <View className='report__nearby-main'>
            <Text className={reportStatusClass(item.status)}>{item.statusName}</Text>
            <Text className='report__nearby-address'>{item.categoryName} · {item.address || '地址未填写'}</Text>
          </View>
          <Text
            className='report__link report__link--muted'
            onClick={() =>
              unfollowReport(item.id).then(
                () => setItems((prev) => prev.filter((x) => x.id !== item.id)),
                (err: unknown) => Taro.showToast({ title: toApiError(err).message, icon: 'none' }).catch(() => undefined),
              )
            }
          >
            取消关注
          </Text>
        </View>
      ))}
    </View>
  );
}

function CategoryTile({ cat, on, onPick, idPrefix = 'report-category-option' }: { cat: ReportCategory; on: boolean; onPick: (code: string) => void; idPrefix?: string }) {
  return (
    <View id={`${idPrefix}-${cat.code}`} className={on ? 'report-category-option report-category-option--on' : 'report-category-option'} onClick={() => onPick(cat.code)}>
      <Text className='report-category-option__icon' aria-hidden>
        {CATEGORY_ICONS[cat.code] ?? '📍'}
      </Text>
      <Text className='report-category-option__name'>{cat.name}</Text>
    </View>
  );
}

/** 选择问题类型: a search box, the resident's 常用 first, then every 大类 as icon tiles. */
function CategorySheet({ current, onPick, onClose }: { current: string | null; onPick: (code: string) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [frequent] = useState(frequentCategories);
  const matches = query.trim() ? searchCategories(query) : null;
  return (
    // Inline, because Taro's H5 CSS pipeline rewrites var(--taro-tabbar-height) in style sheets.
    <View className='report-sheet' id='report-category-sheet' style={IS_H5 ? { bottom: 'var(--taro-tabbar-height, 50px)' } : undefined}>
      <View className='report-sheet__mask' onClick={onClose} />
      <View className='report-sheet__panel'>
        <View className='report-sheet__head'>
          <Text className='report-sheet__title'>选择问题类型</Text>
          <View className='report-sheet__close' id='report-category-close' role='button' aria-label='关闭' onClick={onClose}>
            <Text>×</Text>
          </View>
        </View>
        <Input
          id='report-category-search'
          className='report-sheet__search'
          value={query}
          placeholder='搜索，如：垃圾、井盖、停车'
          confirmType='search'
          onInput={(e) => setQuery(e.detail.value)}
        />
        <ScrollView scrollY className='report-sheet__body'>
          {matches ? (
            matches.length ? (
              <View className='report-sheet__options'>
                {matches.map((cat) => (
                  <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} />
                ))}
              </View>
            ) : (
              <Text id='report-category-empty' className='report-sheet__empty'>
                没有找到“{query.trim()}”，换个说法试试，或在下面的分类里找
              </Text>
            )
          ) : null}
          {!matches && (
            <View className='report-sheet__section'>
              <Text className='report-sheet__group-name'>常用</Text>
              <View className='report-sheet__options' id='report-category-frequent'>
                {frequent.map((cat) => (
                  <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} idPrefix='report-category-frequent' />
                ))}
              </View>
            </View>
          )}
          {(!matches || !matches.length) &&
            CATEGORY_GROUPS.map((group) => (
              <View key={group.name} className='report-sheet__section'>
                <Text className='report-sheet__group-name'>{group.name}</Text>
                <View className='report-sheet__options'>
                  {group.categories.map((cat) => (
                    <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} />
                  ))}
                </View>
              </View>
            ))}
        </ScrollView>
      </View>
    </View>
  );
}

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
  const { location } = draft;
  const [mapUnavailable, setMapUnavailable] = useState(false);
  /** An open report tapped on the map: its card offers 我也遇到了. */
  const [pickedReport, setPickedReport] = useState<MapReportDto | null>(null);
  const mapMarkers: MapMarker[] = useMemo(
    () => r.mapReports.map((m) => ({ id: m.id, lat: m.location.lat, lng: m.location.lng, title: `${m.categoryName}，${m.statusName}${m.own ? '（我的举报）' : ''}`, kind: 'default' as const })),
    [r.mapReports],
  );
  const showCities = !location || location.source === 'city' || r.locate === 'failed';
  const mapCenter = location ? positionIn(location, MAP_COORD_SYSTEM) : null;
  const pinSet = !!location && location.source !== 'city';
  const locationText = location
    ? location.address || (r.addressLookup === 'looking' ? '正在获取地址…' : location.label)
    : r.locate === 'locating'
      ? '正在获取当前位置…'
      : r.locate === 'failed'
        ? '无法获取当前位置，请选择城市并填写详细地址'
        : '尚未定位';

  const draftStatus = r.submitting
    ? '正在提交…'
    : draft.pending
      ? `待发送：${PENDING_TEXT}`
      : draft.photos.some((p) => p.status === 'waiting')
        ? '有照片等待网络，恢复后自动上传；草稿已保存'
        : draft.category || draft.description || draft.address || draft.photos.length
          ? '草稿已自动保存'
          : '';

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
        {IS_H5 && (
          <input
            ref={fileInput}
            id='report-file-input'
            className='report__file-input'
            type='file'
            accept='image/*'
            multiple
            onChange={onFiles}
          />
        )}
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

      <View className='card'>
        <Text className='card__title'>位置</Text>
        <Text id='report-location' className={location ? 'report__location' : 'report__location report__location--pending'}>
          {locationText}
        </Text>
        {location && (location.address || r.addressLookup === 'looking') && (
          <Text id='report-location-source' className='report__hint'>
            {location.label}
          </Text>
        )}
        {location?.source === 'city' && <Text className='report__hint'>位置为城市中心：请拖动地图把图钉放到问题所在处，或在下面写清楚地址</Text>}
        {location && r.addressLookup === 'failed' && !location.address && <Text className='report__hint'>暂时无法获取这里的地址，请在下面填写详细地址</Text>}
        {mapCenter && !mapUnavailable && (
          <View className='report__map'>
            <MapView
              id='report-map'
              pickMode={!locked}
              center={mapCenter}
              markers={mapMarkers}
              height={220}
              zoom={16}
              label='问题位置地图：拖动地图，让图钉对准问题所在处'
              onCenterChange={actions.movePin}
              onMarkerTap={(id) => setPickedReport(r.mapReports.find((m) => m.id === id) ?? null)}
              onUnavailable={() => setMapUnavailable(true)}
            />
            {pickedReport && <NearbyCard items={[pickedReport]} title={`${pickedReport.categoryName} · ${formatDistance(pickedReport.distanceMeters)}`} onClose={() => setPickedReport(null)} />}
            {!locked && <Text className='report__map-hint'>拖动地图，让图钉对准问题所在处{mapMarkers.length ? `；附近有 ${mapMarkers.length} 条正在办理的举报` : ''}</Text>}
          </View>
        )}
        {!locked && (
          <View className='report__where-actions'>
            {showCities &&
              presetsNearestFirst(location).map((city) => (
                <View
                  key={city.key}
                  className={location?.source === 'city' && location.lat === city.lat && location.lng === city.lng ? 'report__city report__city--on' : 'report__city'}
                  onClick={() => actions.setLocation(cityPosition(city))}
                >
                  <Text>{city.name}</Text>
                </View>
              ))}
            {IS_WEAPP && (
              <View id='report-adjust-location' className='report__action' onClick={actions.adjustOnMap}>
                <Text>调整位置</Text>
              </View>
            )}
            <View id='report-relocate' className='report__action' onClick={() => actions.startLocate(true)}>
              <Text>{r.locate === 'locating' ? '定位中…' : '重新定位'}</Text>
            </View>
          </View>
        )}
        <View className='report__field'>
          <Text id='report-address-label' className='report__label'>
            {pinSet ? '补充地址（选填）' : '详细地址'}
          </Text>
          <Input
            id='report-address'
            className='report__input'
            value={draft.address}
            maxlength={REPORT_LIMITS.addressMaxChars}
            placeholder={pinSet ? '如：小区东门对面、3 号楼前（已按图钉定位，可不填）' : '如：xx路与xx路交叉口东北角'}
            disabled={locked}
            onInput={(e) => actions.setAddress(e.detail.value)}
          />
        </View>
      </View>

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

      <View className='card report__submit-card'>
        {draftStatus && (
          <Text id='report-draft-status' className={draft.pending ? 'report__draft-status report__draft-status--pending' : 'report__draft-status'}>
            {draftStatus}
          </Text>
        )}
        {r.blocker && !draft.pending && (
          <Text id='report-submit-reason' className='report__reason'>
            {r.blocker}
          </Text>
        )}
        <Button
          id='report-submit'
          className='report__submit'
          // `undefined`, not `false`: H5 would otherwise render disabled="false", which CSS and tests read as disabled.
          disabled={r.blocker || r.submitting ? true : undefined}
          onClick={actions.submitTap}
        >
          {r.submitting ? '正在提交…' : draft.pending ? '立即重试' : '提交'}
        </Button>
        <View className='report__footer'>
          {draft.pending && !r.submitting && (
            <Text id='report-edit-pending' className='report__link' onClick={actions.editPending}>
              修改内容
            </Text>
          )}
          {!r.submitting && draftStatus && (
            <Text id='report-discard' className='report__link report__link--muted' onClick={actions.discard}>
              清空草稿
            </Text>
          )}
          <Text id='report-mine-link' className='report__link' onClick={() => Taro.navigateTo({ url: MY_REPORTS_URL }).catch(() => undefined)}>
            我的举报
          </Text>
        </View>
      </View>

      <FollowedReports />

      {sheetOpen && <CategorySheet current={draft.category} onPick={pickCategory} onClose={() => setSheetOpen(false)} />}
    </Page>
  );
}
