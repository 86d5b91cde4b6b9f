import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { REPORT_STEPS, formatShanghai, reportStepState, residentTimeline, type ReportDto, type ReportRatingStateDto, type ReportRewardDto } from '@cityloop/shared';
import { toApiError } from '../../../services/request';
import { getReport, photoSrc } from '../../../services/reports';
import { RATING_CHANGED_EVENT } from '../../../services/ratings';
import { reportStatusClass } from '../../../utils/reports';
import './index.scss';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';
import { RatingSection } from './rating-section';
import { RewardSection } from './reward-section';

type DetailState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; report: ReportDto; refreshing: boolean };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <View className='report-detail__row'>
      <Text className='report-detail__label'>{label}</Text>
      <View className='report-detail__value'>{children}</View>
    </View>
  );
}

function PhotoGrid({ urls, thumbs, className }: { urls: string[]; thumbs: string[]; className: string }) {
  const preview = (index: number) => {
    Taro.previewImage({ urls, current: urls[index] }).catch(() => undefined);
  };
  return (
    <View className='report-detail__photos'>
      {thumbs.map((src, index) => (
        <Image key={`${index}-${src}`} className={`report-detail__photo ${className}`} src={src} mode='aspectFill' lazyLoad webp onClick={() => preview(index)} />
      ))}
    </View>
  );
}

function Steps({ report }: { report: ReportDto }) {
  const rated = !!report.rating && report.rating.ratings.some((r) => r.round === report.rating.round);
  const { current, done, stopped } = reportStepState(report.status, rated);
  return (
    <View className='card report-detail__steps'>
      <Text className='card__title'>办理流程</Text>
      <View className='report-steps'>
        {REPORT_STEPS.map((step, index) => (
          <View
            key={step.name}
            className={`report-step${index < done ? ' report-step--done' : ''}${index === current ? ' report-step--current' : ''}${stopped && index === current ? ' report-step--stopped' : ''}`}
          >
            <Text className='report-step__dot'>{index + 1}</Text>
            <Text className='report-step__name'>{step.name}</Text>
          </View>
        ))}
      </View>
      <View className='report-detail__step-help'>
        {REPORT_STEPS.map((step) => (
          <Text key={step.name} className='report-detail__step-line'>
            {step.name}：{step.text}
          </Text>
        ))}
      </View>
    </View>
  );
}

export default function ReportDetailPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [state, setState] = useState<DetailState>({ status: 'loading' });
  const seq = useRef(0);

  const load = useCallback((): Promise<void> => {
    if (!id) {
      setState({ status: 'error', message: '缺少举报编号，请从「我的举报」进入' });
      return Promise.resolve();
    }
    const mine = ++seq.current;
    setState((prev) => (prev.status === 'ready' ? { ...prev, refreshing: true } : { status: 'loading' }));
    return getReport(id).then(
      (report) => {
        if (mine === seq.current) setState({ status: 'ready', report, refreshing: false });
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        const error = toApiError(err);
        const message = error.code === 'NOT_FOUND' ? '举报不存在，或不是您提交的' : error.message;
        setState((prev) => {
          if (prev.status === 'ready') {
            Taro.showToast({ title: message, icon: 'none' }).catch(() => undefined);
            return { ...prev, refreshing: false };
          }
          return { status: 'error', message };
        });
      },
    );
  }, [id]);

  useEffect(() => {
    load().catch(() => undefined);
  }, [load]);

  const setReward = useCallback((reward: ReportRewardDto) => {
    setState((prev) => (prev.status === 'ready' ? { ...prev, report: { ...prev.report, reward } } : prev));
  }, []);

  const setRating = useCallback((rating: ReportRatingStateDto) => {
    setState((prev) => (prev.status === 'ready' ? { ...prev, report: { ...prev.report, rating } } : prev));
  }, []);

  // The rating page hands its answer back on the way out, so the 去评价 button goes without a reload.
  useEffect(() => {
    const onRated = (reportId: string, rating: ReportRatingStateDto) => {
      if (reportId === id) setRating(rating);
    };
    Taro.eventCenter.on(RATING_CHANGED_EVENT, onRated);
    return () => {
      Taro.eventCenter.off(RATING_CHANGED_EVENT, onRated);
    };
  }, [id, setRating]);

  usePullDownRefresh(() => {
    const stop = () => {
      Taro.stopPullDownRefresh();
    };
    load().then(stop, stop);
  });

  if (state.status === 'loading') return <PageLoading block='report-detail' title='举报详情' text='正在加载举报详情…' />;

  if (state.status === 'error') {
    return <PageError block='report-detail' title='举报详情' message={state.message} onRetry={id ? () => void load() : undefined} />;
  }

  const { report, refreshing } = state;
  const timeline = residentTimeline(report.timeline);
  const photoUrls = report.photos.map((p) => photoSrc(p.url));
  const afterUrls = report.afterPhotos.map(photoSrc);

  return (
    <Page block='report-detail' title='举报详情' back>
      <View className='card'>
        <View className='report-detail__top'>
          <Text className='report-detail__category'>{report.categoryName}</Text>
          <Text id='report-detail-status' className={`${reportStatusClass(report.status)} report-detail__status`}>
            {report.statusName}
          </Text>
        </View>
        <Text className='report-detail__time'>提交于 {formatShanghai(report.createdAt)}</Text>
        <Row label='案件编号'>
          <Text id='report-detail-case'>{report.caseNumber ?? '立案后生成'}</Text>
        </Row>
        {report.department && (
          <Row label='处置部门'>
            <Text id='report-detail-department'>{report.department}</Text>
          </Row>
        )}
        {report.expectedAt && (
          <Row label='预计完成'>
            <Text id='report-detail-expected'>{formatShanghai(report.expectedAt)}</Text>
          </Row>
        )}
        <Row label='地址'>
          <Text>{report.address}</Text>
        </Row>
        <Row label='问题描述'>
          <Text className='report-detail__description'>{report.description}</Text>
        </Row>
      </View>

      <RatingSection reportId={report.id} status={report.status} rating={report.rating} onChange={setRating} />

      <RewardSection reportId={report.id} reward={report.reward} onChange={setReward} />

      {report.photos.length > 0 && (
        <View className='card'>
          <Text className='card__title'>现场照片</Text>
          <PhotoGrid urls={photoUrls} thumbs={report.photos.map((p) => photoSrc(p.thumbUrl))} className='report-detail__photo--before' />
        </View>
      )}

      {afterUrls.length > 0 && (
        <View className='card' id='report-detail-after'>
          <Text className='card__title'>处置后照片</Text>
          <PhotoGrid urls={afterUrls} thumbs={afterUrls} className='report-detail__photo--after' />
        </View>
      )}

      <View className='card'>
        <View className='report-detail__head'>
          <Text className='card__title'>办理进度</Text>
          <Text id='report-detail-refresh' className='report-detail__refresh-link' onClick={() => !refreshing && load()}>
            {refreshing ? '刷新中…' : '刷新'}
          </Text>
        </View>
        <View className='timeline'>
          {timeline.map((entry, index) => (
            <View key={`${entry.at}-${index}`} className={index === 0 ? 'timeline-entry timeline-entry--current' : 'timeline-entry'}>
              <View className='timeline-entry__dot' />
              <View className='timeline-entry__body'>
                <View className='timeline-entry__top'>
                  <Text className='timeline-entry__status'>{entry.statusName}</Text>
                  <Text className='timeline-entry__time'>{formatShanghai(entry.at)}</Text>
                </View>
                {entry.note && <Text className='timeline-entry__note'>{entry.note}</Text>}
              </View>
            </View>
          ))}
          {timeline.length === 0 && <Text className='card__text'>暂无进度</Text>}
        </View>
      </View>

      <Steps report={report} />
    </Page>
  );
}
