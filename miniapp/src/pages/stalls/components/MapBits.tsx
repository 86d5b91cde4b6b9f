import { Text, View } from '@tarojs/components';

export type ViewMode = 'list' | 'map';

export function ViewSwitch({ mode, onChange }: { mode: ViewMode; onChange: (mode: ViewMode) => void }) {
  return (
    <View className='stalls__switch' role='tablist' aria-label='显示方式'>
      {(['list', 'map'] as const).map((m) => (
        <View
          key={m}
          id={`stalls-view-${m}`}
          role='tab'
          aria-selected={mode === m}
          className={mode === m ? 'stalls__switch-item stalls__switch-item--on' : 'stalls__switch-item'}
          onClick={() => onChange(m)}
        >
          <Text>{m === 'list' ? '列表' : '地图'}</Text>
        </View>
      ))}
    </View>
  );
}

/** Legend for the pins: shape and symbol, not colour alone. */
export function MapLegend() {
  return (
    <View className='stalls__legend'>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--open'>✓</Text>营业中
      </Text>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--closed'>−</Text>未营业
      </Text>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--suspended'>✕</Text>暂停
      </Text>
    </View>
  );
}
