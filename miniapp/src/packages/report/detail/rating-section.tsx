import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { RATING_DIMENSION_NAMES, RATING_RULES, formatShanghai, type RatingDimension, type RatingDto, type ReportRatingStateDto, type ReportStatus } from '@cityloop/shared';
import { ReasonForm } from '../../../components/reason-form';
import { serverMessageZh } from '../../../services/request';
import { answerFixedQuestion, ratePageUrl, requestRework } from '../../../services/ratings';
import { confirm } from '../../../utils/confirm';

const DIMENSIONS: RatingDimension[] = ['speed', 'result', 'attitude'];

function stars(score: number): string {
  const n = Math.max(0, Math.min(5, Math.round(score)));
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

function RatingGiven({ rating, showRound }: { rating: RatingDto; showRound: boolean }) {
  const scored = DIMENSIONS.filter((d) => rating[d] !== null);
  return (
    <View className='report-rating__given' id={`report-rating-round-${rating.round}`}>
      <View className='report-rating__given-top'>
        <Text className='report-rating__level'>
          {showRound ? `第 ${rating.round} 次评价：` : ''}
          {rating.levelName}
        </Text>
        <Text className='report-rating__time'>{formatShanghai(rating.at)}</Text>
      </View>
      {scored.map((d) => (
        <View key={d} className='report-rating__score'>
          <Text className='report-rating__score-name'>{RATING_DIMENSION_NAMES[d]}</Text>
          <Text className='report-rating__stars'>{stars(rating[d] ?? 0)}</Text>
        </View>
      ))}
      {rating.comment && <Text className='report-rating__comment'>{rating.comment}</Text>}
      {rating.excludedFromFigures && <Text className='report-rating__note'>经核实，此评价不计入满意率统计</Text>}
    </View>
  );
}

/**
 * 满意度评价 on the report: the way to the rating page while the window is open, ratings given,
 * the follow-up of a 差评, 申请重办 (once) and FixMyStreet's "问题解决了吗？".
 */
export function RatingSection({ reportId, status, rating, onChange }: { reportId: string; status: ReportStatus; rating: ReportRatingStateDto; onChange: (rating: ReportRatingStateDto) => void }) {
  const [reworkOpen, setReworkOpen] = useState(false);
  const [answering, setAnswering] = useState(false);

  const sendRework = async (reason: string) => {
    if (!(await confirm('申请重办', '每个案件只能申请一次重办，确定提交吗？', '确定提交'))) return;
    const next = await requestRework(reportId, reason);
    setReworkOpen(false);
    onChange(next);
    Taro.showToast({ title: '已申请重办', icon: 'success' }).catch(() => undefined);
  };

  const answer = async (fixed: boolean) => {
    if (answering) return;
    if (!fixed && status === 'closed' && !rating.rework) {
      if (!(await confirm('问题未解决', '我们将为您向城市管理平台申请重办（每个案件只能申请一次），确定吗？', '确定'))) return;
    }
    setAnswering(true);
    try {
      const next = await answerFixedQuestion(reportId, fixed);
      onChange(next);
      Taro.showToast({ title: '感谢您的反馈', icon: 'none' }).catch(() => undefined);
    } catch (err) {
      Taro.showToast({ title: serverMessageZh(err), icon: 'none' }).catch(() => undefined);
    } finally {
      setAnswering(false);
    }
  };

  const { fixedQuestion, followUp, rework } = rating;

  return (
    <View className='card' id='report-rating'>
      <Text className='card__title'>满意度评价</Text>

      {rating.canRate && (
        <View className='report-rating__invite' id='report-rating-invite'>
          <Text className='report-rating__invite-text'>{rating.round === 2 ? '案件已重新办结，欢迎再次评价（自愿）' : '案件已办结，欢迎您对办理结果作出评价（自愿）'}</Text>
          {rating.windowEndsAt && <Text className='report-rating__time'>请在 {formatShanghai(rating.windowEndsAt)} 前评价</Text>}
          <Button id='report-rate' className='report-rating__go' onClick={() => Taro.navigateTo({ url: ratePageUrl(reportId) }).catch(() => undefined)}>
            去评价
          </Button>
        </View>
      )}

      {!rating.canRate && rating.ratings.length === 0 && rating.cannotRateReason && (
        <Text id='report-rating-reason' className='card__text'>
          {rating.cannotRateReason}
        </Text>
      )}

      {rating.ratings.map((r) => (
        <RatingGiven key={r.round} rating={r} showRound={rating.ratings.length > 1 || r.round > 1} />
      ))}

      {followUp && (
        <Text id='report-rating-follow-up' className={followUp.status === 'open' ? 'report-rating__status report-rating__status--open' : 'report-rating__status'}>
          {followUp.status === 'open' ? `整改跟进中，截止 ${formatShanghai(followUp.dueAt)}` : `整改跟进已完成${followUp.note ? `：${followUp.note}` : ''}`}
        </Text>
      )}

      {rework && (
        <View id='report-rating-rework' className='report-rating__status'>
          <Text className='report-rating__status-line'>已申请重办 · {formatShanghai(rework.requestedAt)}</Text>
          {rework.reason && <Text className='report-rating__status-line report-rating__status-line--muted'>理由：{rework.reason}</Text>}
        </View>
      )}

      {rating.canRequestRework &&
        !rework &&
        (reworkOpen ? (
          <ReasonForm
            id='report-rework-form'
            title='申请重办'
            hint='对办理结果不满意，可申请重新办理；每个案件只能申请一次'
            placeholder='请说明需要重新办理的原因'
            minChars={1}
            maxChars={RATING_RULES.reworkReasonMaxChars}
            submitText='提交申请'
            onSubmit={sendRework}
            onCancel={() => setReworkOpen(false)}
          />
        ) : (
          <View className='report-detail__actions'>
            <Button id='report-rework-open' className='report-detail__action' size='mini' onClick={() => setReworkOpen(true)}>
              申请重办
            </Button>
          </View>
        ))}

      {fixedQuestion && fixedQuestion.answer === null && (
        <View className='report-rating__fixed' id='report-fixed-question'>
          <Text className='report-rating__fixed-title'>问题解决了吗？</Text>
          <Text className='report-rating__time'>派遣已有一段时间，请告诉我们现场情况</Text>
          <View className='report-rating__fixed-buttons'>
            <Button id='report-fixed-yes' className='report-rating__fixed-yes' size='mini' disabled={answering || undefined} onClick={() => void answer(true)}>
              已解决
            </Button>
            <Button id='report-fixed-no' className='report-rating__fixed-no' size='mini' disabled={answering || undefined} onClick={() => void answer(false)}>
              未解决
            </Button>
          </View>
        </View>
      )}
      {fixedQuestion && fixedQuestion.answer !== null && (
        <Text id='report-fixed-answer' className='report-rating__time'>
          您已反馈：{fixedQuestion.answer === 'fixed' ? '问题已解决' : '问题未解决'}
        </Text>
      )}
    </View>
  );
}
