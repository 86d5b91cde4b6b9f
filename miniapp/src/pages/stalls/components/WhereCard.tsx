import { Text, View } from '@tarojs/components';
import { cityPosition, type ChosenPosition } from '../../../utils/location';
import type { CityPreset } from '../../../utils/city-presets';

const IS_WEAPP = process.env.TARO_ENV === 'weapp';

export type LocateState = 'locating' | 'failed' | 'done';

/** 位置: where the search is from, the city presets, 选择位置 (weapp) and 当前位置. */
export function WhereCard({
  position,
  locate,
  presets,
  onChoose,
  onPick,
  onLocate,
}: {
  position: ChosenPosition | null;
  locate: LocateState;
  presets: readonly CityPreset[];
  onChoose: (pos: ChosenPosition) => void;
  onPick: () => void;
  onLocate: () => void;
}) {
  const positionText = position ? `位置：${position.label}` : locate === 'locating' ? '正在获取当前位置…' : '无法获取当前位置，请选择城市';
  return (
    <View className='card stalls__where'>
      <Text id='stalls-position' className={position ? 'stalls__position' : 'stalls__position stalls__position--pending'}>
        {positionText}
      </Text>
      <View className='stalls__where-actions'>
        {presets.map((city) => (
          <View
            key={city.key}
            className={position?.source === 'city' && position.lat === city.lat && position.lng === city.lng ? 'stalls__city stalls__city--on' : 'stalls__city'}
            onClick={() => onChoose(cityPosition(city))}
          >
            <Text>{city.name}</Text>
          </View>
        ))}
        {IS_WEAPP && (
          <View className='stalls__action stalls__pick' onClick={onPick}>
            <Text>选择位置</Text>
          </View>
        )}
        <View className={locate === 'locating' ? 'stalls__action stalls__locate stalls__action--busy' : 'stalls__action stalls__locate'} onClick={onLocate}>
          <Text>{locate === 'locating' ? '定位中…' : '当前位置'}</Text>
        </View>
      </View>
    </View>
  );
}
