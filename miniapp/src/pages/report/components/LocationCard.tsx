import { useMemo, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { REPORT_LIMITS, type MapReportDto } from '@cityloop/shared';
import MapView, { MAP_COORD_SYSTEM, type MapMarker } from '../../../components/map-view';
import type { ReportForm } from '../../../hooks/useReportDraft';
import { cityPosition, positionIn, presetsNearestFirst } from '../../../utils/location';
import { formatDistance } from '../../../utils/stalls';
import { NearbyCard } from './NearbyCard';

const IS_WEAPP = process.env.TARO_ENV === 'weapp';

/** 位置: what is known about the place, the map with its pin and open reports, cities, and the typed address. */
export function LocationCard({ form: r }: { form: ReportForm }) {
  const { draft, actions, locked } = r;
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

  return (
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
  );
}
