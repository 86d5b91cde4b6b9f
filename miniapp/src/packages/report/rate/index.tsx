import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Button, Image, Text, Textarea, View } from '@tarojs/components';
import {
  charCount,
  RATING_DIMENSION_NAMES,
  RATING_LEVEL_NAMES,
  RATING_LEVELS,
  RATING_RULES,
  errorMessageZh,
  formatShanghai,
  isBadRating,
  isStorableText,
  type RatingDimension,
  type RatingLevel,
  type ReportDto,
  type SubmitRatingBody,
} from '@cityloop/shared';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';
import { RATING_CHANGED_EVENT, submitRating } from '../../../services/ratings';
import { getReport, photoSrc, reportDetailUrl } from '../../../services/reports';
import { serverMessageZh, toApiError } from '../../../services/request';
import { reportStatusClass } from '../../../utils/reports';
import './index.scss';

type RateState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; report: ReportDto };

const DIMENSIONS: RatingDimension[] = ['speed', 'result', 'attitude'];
const NO_SCORES: Record<RatingDimension, number> = { speed: 0, result: 0, attitude: 0 };
/** The gate closed between loading and sending: say so and show the report's current state. */
const GATE_CODES = new Set(['RATING_NOT_CLOSED', 'RATING_ALREADY_SUBMITTED', 'RATING_WINDOW_PASSED']);

/**
 * Back to the report: the detail page is usually underneath; when the page was opened straight from
 * the "please rate" subscribe message there is nothing to go back to, so the detail replaces it.
 */
function leaveTo(reportId: string): void {
  if (Taro.getCurrentPages().length > 1) Taro.navigateBack().catch(() => undefined);
  else Taro.redirectTo({ url: reportDetailUrl(reportId) }).catch(() => undefined);
}

function StarRow({ dimension, value, disabled, onChange }: { dimension: RatingDimension; value: number; disabled: boolean; onChange: (value: number) => void }) {
  return (
    <View className='rate-stars' id={`rate-stars-${dimension}`}>
      <Text className='rate-stars__name'>{RATING_DIMENSION_NAMES[dimension]}</Text>
      <View className='rate-stars__row'>
        {[1, 2, 3, 4, 5].map((n) => (
          <Text
            key={n}
            id={`rate-star-${dimension}-${n}`}
            className={n <= value ? 'rate-stars__star rate-stars__star--on' : 'rate-stars__star'}
            // Tapping the current score again clears it: every row is optional.
            onClick={() => !disabled && onChange(n === value ? 0 : n)}
          >
            ★
          </Text>
        ))}
      </View>
      <Text className='rate-stars__value'>{value ? `${value} 分` : '选填'}</Text>
    </View>
  );
}

export default function RatePage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [state, setState] = useState<RateState>({ status: 'loading' });
  const [level, setLevel] = useState<RatingLevel | null>(null);
  const [scores, setScores] = useState<Record<RatingDimension, number>>(NO_SCORES);
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const seq = useRef(0);

  // Signs in through `request` like the detail page, so opening it from a notice works without the tabs.
  const load = useCallback((): Promise<void> => {
    if (!id) {
      setState({ status: 'error', message: '缺少举报编号，请从「我的举报」进入' });
      return Promise.resolve();
    }
    const mine = ++seq.current;
    setState({ status: 'loading' });
    return getReport(id).then(
      (report) => {
        if (mine === seq.current) setState({ status: 'ready', report });
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        const error = toApiError(err);
        setState({ status: 'error', message: error.code === 'NOT_FOUND' ? '举报不存在，或不是您提交的' : error.message });
      },
    );
  }, [id]);

  useEffect(() => {
    load().catch(() => undefined);
  }, [load]);

  const commentCount = charCount(comment.trim());
  const commentRequired = level !== null && isBadRating(level);

  const submit = useCallback(() => {
    if (sending || state.status !== 'ready') return;
    if (!level) {
      setFormError('请选择满意程度');
      return;
    }
    const text = comment.trim();
    if (isBadRating(level) && !text) {
      setFormError(errorMessageZh('RATING_COMMENT_REQUIRED'));
      return;
    }
    if (charCount(text) > RATING_RULES.commentMaxChars) {
      setFormError(`评价内容最多 ${RATING_RULES.commentMaxChars} 个字`);
      return;
    }
    if (!isStorableText(text)) {
      setFormError(errorMessageZh('TEXT_NOT_STORABLE'));
      return;
    }
    const body: SubmitRatingBody = { level };
    DIMENSIONS.forEach((d) => {
      if (scores[d] > 0) body[d] = scores[d];
    });
    if (text) body.comment = text;
    setFormError(null);
    setSending(true);
    submitRating(id, body).then(
      (rating) => {
        // Stays "sending" on the way out so a second tap cannot send again.
        Taro.eventCenter.trigger(RATING_CHANGED_EVENT, id, rating);
        Taro.showToast({ title: '感谢您的评价', icon: 'success', duration: 1200 }).catch(() => undefined);
        setTimeout(() => leaveTo(id), 800);
      },
      (err: unknown) => {
        setSending(false);
        const error = toApiError(err);
        if (GATE_CODES.has(error.code)) {
          Taro.showModal({ title: '无法评价', content: error.message, showCancel: false })
            .catch(() => undefined)
            .then(() => load())
            .catch(() => undefined);
          return;
        }
        setFormError(serverMessageZh(error));
      },
    );
  }, [sending, state, level, comment, scores, id, load]);

  if (state.status === 'loading') return <PageLoading block='rate' title='评价办理结果' text='正在加载…' />;

  if (state.status === 'error') return <PageError block='rate' title='评价办理结果' message={state.message} onRetry={id ? () => void load() : undefined} />;

  const { report } = state;
  const { rating } = report;
  const afterUrls = report.afterPhotos.map(photoSrc);

  return (
    <Page block='rate' title='评价办理结果' back>
      <View className='card'>
        <View className='rate__top'>
          <Text className='rate__category'>{report.categoryName}</Text>
          <Text id='rate-status' className={reportStatusClass(report.status)}>
            {report.statusName}
          </Text>
        </View>
        <Text className='rate__address'>{report.address}</Text>
        {report.department && <Text className='rate__muted'>处置部门：{report.department}</Text>}
      </View>

      <View className='card' id='rate-closing'>
        {/* After 重办 the note is the previous round's: say so rather than present it as current. */}
        <Text className='card__title'>{report.status === 'closed' ? '办理结果' : '上次办理结果'}</Text>
        <Text id='rate-closing-note' className={rating.closingNote ? 'rate__closing-note' : 'card__text'}>
          {rating.closingNote ?? '办理部门未填写办结说明'}
        </Text>
        {afterUrls.length > 0 && (
          <View className='rate__photos' id='rate-after-photos'>
            {afterUrls.map((src, index) => (
              <Image
                key={`${index}-${src}`}
                className='rate__photo'
                src={src}
                mode='aspectFill'
                lazyLoad
                webp
                onClick={() => {
                  Taro.previewImage({ urls: afterUrls, current: src }).catch(() => undefined);
                }}
              />
            ))}
          </View>
        )}
        {afterUrls.length > 0 && <Text className='rate__muted'>处置后照片，点击查看大图</Text>}
      </View>

      {!rating.canRate ? (
        <View className='card' id='rate-closed'>
          <Text className='card__text'>{rating.cannotRateReason ?? '当前不能评价'}</Text>
          <Button id='rate-back' className='rate__back' onClick={() => leaveTo(id)}>
            查看举报详情
          </Button>
        </View>
      ) : (
        <>
          <View className='card'>
            <Text className='card__title'>{rating.round === 2 ? '对重新办理的结果满意吗？' : '您对办理结果满意吗？'}</Text>
            <Text className='rate__muted'>评价自愿{rating.windowEndsAt ? `，请在 ${formatShanghai(rating.windowEndsAt)} 前提交` : ''}</Text>
            <View className='rate-levels'>
              {RATING_LEVELS.map((l) => (
                <View
                  key={l}
                  id={`rate-level-${l}`}
                  className={`rate-level${level === l ? ' rate-level--on' : ''}${isBadRating(l) ? ' rate-level--bad' : ''}`}
                  onClick={() => {
                    if (sending) return;
                    setLevel(l);
                    setFormError(null);
                  }}
                >
                  <Text>{RATING_LEVEL_NAMES[l]}</Text>
                </View>
              ))}
            </View>
          </View>

          <View className='card'>
            <Text className='card__title'>分项打分（选填）</Text>
            {DIMENSIONS.map((d) => (
              <StarRow key={d} dimension={d} value={scores[d]} disabled={sending} onChange={(value) => setScores((prev) => ({ ...prev, [d]: value }))} />
            ))}
          </View>

          <View className='card'>
            <View className='rate__head'>
              <Text className='card__title'>
                评价内容
                {commentRequired ? (
                  <Text id='rate-comment-required' className='rate__required'>
                    必填
                  </Text>
                ) : (
                  <Text className='rate__optional'>选填</Text>
                )}
              </Text>
              <Text id='rate-comment-count' className={commentCount > RATING_RULES.commentMaxChars ? 'rate__counter rate__counter--bad' : 'rate__counter'}>
                {commentCount}/{RATING_RULES.commentMaxChars}
              </Text>
            </View>
            <Textarea
              id='rate-comment'
              className='rate__textarea'
              value={comment}
              // No native cap: it counts UTF-16 units; the counter and the check count characters.
              maxlength={-1}
              placeholder={commentRequired ? '请写明不满意的原因，我们会转给办理部门跟进整改' : '说说您的感受'}
              disabled={sending}
              onInput={(e) => setComment(e.detail.value)}
            />
          </View>

          <View className='card'>
            {formError && (
              <Text id='rate-error' className='rate__error'>
                {formError}
              </Text>
            )}
            <Button id='rate-submit' className='rate__submit' disabled={!level || sending ? true : undefined} onClick={submit}>
              {sending ? '提交中…' : '提交评价'}
            </Button>
          </View>
        </>
      )}
    </Page>
  );
}
