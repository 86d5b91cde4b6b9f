import { Text, View } from '@tarojs/components';
import './index.scss';

const STEPS = ['拍照', '定位', '选择问题类型', '提交'];

export default function ReportPage() {
  return (
    <View className='page report'>
      <View className='hero'>
        <Text className='hero__title'>随手拍</Text>
        <Text className='hero__text'>
          看到路面破损、垃圾堆放、井盖缺失等城市问题？拍一张照片告诉我们，相关部门会跟进处理，你也能随时查看进度并评价处理结果。
        </Text>
      </View>

      <View className='card report__coming'>
        <View className='report__heading'>
          <Text className='card__title'>上报问题</Text>
          <Text className='badge'>即将上线</Text>
        </View>
        <Text className='card__text'>上报流程将在后续版本中开放，届时只需四步：</Text>
        <View className='report__steps'>
          {STEPS.map((step, index) => (
            <View className='report__step' key={step}>
              <Text className='report__step-no'>{index + 1}</Text>
              <Text className='report__step-text'>{step}</Text>
            </View>
          ))}
        </View>
      </View>
    </View>
  );
}
