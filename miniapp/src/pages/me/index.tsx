import Taro from '@tarojs/taro';
import { Button, Switch, Text, View } from '@tarojs/components';
import { formatShanghai, type UserDto } from '@cityloop/shared';
import { useCurrentUser } from '../../hooks/useCurrentUser';
import { MY_REPORTS_URL } from '../../services/reports';
import { MY_REWARDS_URL } from '../../services/rewards';
import { SCORECARD_URL } from '../../services/scorecard';
import { PRIVACY_URL } from '../../services/privacy';
import './index.scss';
import { Page, useElderMode } from '../../components/page';
import { setElderMode } from '../../services/elder';

function UserCard({ user }: { user: UserDto }) {
  return (
    <View className='card me-user'>
      <View className='me-user__top'>
        <Text className='me-user__name'>{user.nickname || '微信用户'}</Text>
        <Text className='me-user__status badge'>已登录</Text>
      </View>
      <View className='me-row'>
        <Text className='me-row__label'>用户编号</Text>
        <Text className='me-row__value me-row__value--mono' id='me-user-id'>
          {user.id.slice(0, 8)}
        </Text>
      </View>
      <View className='me-row'>
        <Text className='me-row__label'>注册时间</Text>
        <Text className='me-row__value'>{formatShanghai(user.createdAt)}</Text>
      </View>
      {user.blocked && (
        <View className='me-user__blocked'>
          <Text>账号已被限制使用</Text>
        </View>
      )}
    </View>
  );
}

/** 适老化: the switch itself is large, and says what it does. */
function ElderModeCard() {
  const elder = useElderMode();
  return (
    <View className='card me-elder'>
      <View className='me-elder__row'>
        <View className='me-elder__text'>
          <Text className='me-elder__title'>长辈模式</Text>
          <Text className='me-elder__hint'>字更大、按钮更大，所有页面都生效</Text>
        </View>
        <Switch id='me-elder-switch' className='me-elder__switch' checked={elder} color='#0958d9' aria-label='长辈模式' onChange={(e) => setElderMode(e.detail.value)} />
      </View>
    </View>
  );
}

export default function MePage() {
  const state = useCurrentUser();

  return (
    <Page block='me'>
      <Text className='me__title'>我的</Text>

      {state.status === 'loading' && (
        <View className='card me__loading'>
          <Text className='card__text'>登录中…</Text>
        </View>
      )}

      {state.status === 'error' && (
        <View className='card me__error'>
          <Text className='me__error-text'>{state.error.message}</Text>
          <Button className='me__retry' onClick={state.retry}>
            重试
          </Button>
        </View>
      )}

      {state.status === 'ready' && <UserCard user={state.user} />}

      <View className='card me-menu'>
        <View id='me-my-reports' className='me-menu__item' onClick={() => Taro.navigateTo({ url: MY_REPORTS_URL }).catch(() => undefined)}>
          <Text className='me-menu__label'>我的举报</Text>
          <Text className='me-menu__arrow'>查看进度 ›</Text>
        </View>
        <View id='me-my-rewards' className='me-menu__item' onClick={() => Taro.navigateTo({ url: MY_REWARDS_URL }).catch(() => undefined)}>
          <Text className='me-menu__label'>我的奖励</Text>
          <Text className='me-menu__arrow'>余额与提现 ›</Text>
        </View>
        <View id='me-scorecard' className='me-menu__item' onClick={() => Taro.navigateTo({ url: SCORECARD_URL }).catch(() => undefined)}>
          <Text className='me-menu__label'>城市管理成绩单</Text>
          <Text className='me-menu__arrow'>每月公开 ›</Text>
        </View>
        <View id='me-privacy' className='me-menu__item' onClick={() => Taro.navigateTo({ url: PRIVACY_URL }).catch(() => undefined)}>
          <Text className='me-menu__label'>个人信息</Text>
          <Text className='me-menu__arrow'>导出与注销 ›</Text>
        </View>
      </View>
      <ElderModeCard />
    </Page>
  );
}
