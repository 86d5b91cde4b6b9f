import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { formatShanghai, formatYuan, type ReportRewardDto } from '@cityloop/shared';
import { RewardAppealForm } from '../../../components/reason-form';
import { appealReward, MY_REWARDS_URL } from '../../../services/rewards';
import { APPEAL_STATUS_NAMES } from '../../../utils/rewards';

/** 举报奖励 on the report: what it earned (or why not), and the one appeal against that decision. */
export function RewardSection({ reportId, reward, onChange }: { reportId: string; reward: ReportRewardDto; onChange: (reward: ReportRewardDto) => void }) {
  const [appealing, setAppealing] = useState(false);

  const sendAppeal = (reason: string) =>
    appealReward(reportId, reason).then((next) => {
      setAppealing(false);
      onChange(next);
      Taro.showToast({ title: '申诉已提交', icon: 'success' }).catch(() => undefined);
    });

  return (
    <View className='card' id='report-reward'>
      <View className='report-detail__head'>
        <Text className='card__title'>举报奖励</Text>
        <Text id='report-reward-state' className={`reward-state reward-state--${reward.state}`}>
          {reward.stateName}
        </Text>
      </View>
      {(reward.state === 'accrued' || reward.state === 'held') && reward.amountFen > 0 && (
        <Text id='report-reward-amount' className={`report-reward__amount report-reward__amount--${reward.state}`}>
          {formatYuan(reward.amountFen)}
        </Text>
      )}
      <Text id='report-reward-text' className='report-reward__text'>
        {reward.state === 'pending' ? '待城市管理平台立案后确定' : reward.reasonName}
      </Text>

      {reward.appeal && (
        <View className='report-reward__appeal' id='report-reward-appeal'>
          <Text className='report-reward__appeal-status'>
            {APPEAL_STATUS_NAMES[reward.appeal.status]} · {formatShanghai(reward.appeal.at)}
          </Text>
          <Text className='report-reward__appeal-line'>申诉理由：{reward.appeal.reason}</Text>
          {reward.appeal.decisionNote && <Text className='report-reward__appeal-line'>处理说明：{reward.appeal.decisionNote}</Text>}
        </View>
      )}

      {appealing ? (
        <RewardAppealForm id='report-reward-appeal-form' onSubmit={sendAppeal} onCancel={() => setAppealing(false)} />
      ) : (
        <View className='report-detail__actions'>
          {reward.canAppeal && (
            <Button id='report-reward-appeal-open' className='report-detail__action' size='mini' onClick={() => setAppealing(true)}>
              申诉
            </Button>
          )}
          <Text className='report-detail__link' onClick={() => Taro.navigateTo({ url: MY_REWARDS_URL }).catch(() => undefined)}>
            我的奖励 ›
          </Text>
        </View>
      )}
    </View>
  );
}
