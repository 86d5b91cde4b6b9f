import { Text, View } from '@tarojs/components';
import './index.scss';

export default function StallsPage() {
  return (
    <View className='page stalls'>
      <View className='card'>
        <View className='stalls__heading'>
          <Text className='card__title'>附近合法摊点</Text>
          <Text className='badge'>即将上线</Text>
        </View>
        <Text className='card__text'>
          这里将显示你附近允许摆摊的地点、开放时间和注意事项，方便摊主合规经营、居民就近购买。
        </Text>
      </View>
    </View>
  );
}
