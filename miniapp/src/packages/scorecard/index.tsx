import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Picker, Text, View } from '@tarojs/components';
import { shanghaiMonth, type FigureRow, type ScorecardDto } from '@cityloop/shared';
import { PageLoading } from '../../components/page-state';
import { Page } from '../../components/page';
import { toApiError } from '../../services/request';
import { getScorecard } from '../../services/scorecard';
import './index.scss';

type RateKey = 'responseRate' | 'handledRate' | 'closedRate' | 'satisfactionRate';

type CardState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; scorecard: ScorecardDto; refreshing: boolean };

/** The four published rates, each with the counts it is made of. */
const RATES: ReadonlyArray<{ key: RateKey; name: string; short: string; parts: (row: FigureRow) => [number, number] }> = [
  { key: 'responseRate', name: '响应率', short: '响应', parts: (r) => [r.responded, r.delivered] },
  { key: 'handledRate', name: '处置率', short: '处置', parts: (r) => [r.handled, r.registered] },
  { key: 'closedRate', name: '结案率', short: '结案', parts: (r) => [r.closed, r.registered] },
  { key: 'satisfactionRate', name: '满意率', short: '满意', parts: (r) => [r.satisfied, r.rated] },
];

/** The first month the figures can cover (the picker's lower bound). */
const FIRST_MONTH = '2024-01';

/** YYYY-MM of now in Asia/Shanghai, whatever the phone's time zone. */
const currentShanghaiMonth = () => shanghaiMonth(new Date());

/** `2025-03` → `2025年3月`. */
function monthLabel(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

/** `93.4%`, or `—` when nothing was there to count (never a made-up 100%). */
function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${rate.toFixed(1)}%`;
}

function RateCard({ row, rate, definition }: { row: FigureRow; rate: (typeof RATES)[number]; definition: string }) {
  const [num, den] = rate.parts(row);
  return (
    <View className='scorecard-rate' id={`scorecard-${rate.key}`}>
      <Text className='scorecard-rate__name'>{rate.name}</Text>
      <Text className={row[rate.key] === null ? 'scorecard-rate__value scorecard-rate__value--none' : 'scorecard-rate__value'}>{formatRate(row[rate.key])}</Text>
      <Text className='scorecard-rate__parts'>{den > 0 ? `${num} / ${den} 件` : '暂无可统计的案件'}</Text>
      <Text className='scorecard-rate__definition'>{definition}</Text>
    </View>
  );
}

function FigureTable({ id, title, labelName, rows }: { id: string; title: string; labelName: string; rows: FigureRow[] }) {
  return (
    <View className='card' id={id}>
      <Text className='card__title'>{title}</Text>
      {rows.length === 0 ? (
        <Text className='card__text'>本月暂无数据</Text>
      ) : (
        <View className='scorecard-table'>
          <View className='scorecard-table__row scorecard-table__row--head'>
            <Text className='scorecard-table__label'>{labelName}</Text>
            <Text className='scorecard-table__count'>件数</Text>
            {RATES.map((r) => (
              <Text key={r.key} className='scorecard-table__cell'>
                {r.short}
              </Text>
            ))}
          </View>
          {rows.map((row) => (
            <View key={row.key || row.label} className='scorecard-table__row'>
              <Text className='scorecard-table__label'>{row.label}</Text>
              <Text className='scorecard-table__count'>{row.reports}</Text>
              {RATES.map((r) => (
                <Text key={r.key} className={row[r.key] === null ? 'scorecard-table__cell scorecard-table__cell--none' : 'scorecard-table__cell'}>
                  {formatRate(row[r.key])}
                </Text>
              ))}
            </View>
          ))}
        </View>
      )}
    </View>
  );
}

/** 城市管理成绩单: public monthly figures, read without logging in. */
export default function ScorecardPage() {
  const lastMonth = useRef(currentShanghaiMonth()).current;
  const [month, setMonth] = useState(lastMonth);
  const [state, setState] = useState<CardState>({ status: 'loading' });
  const seq = useRef(0);

  const load = useCallback((which: string): Promise<void> => {
    const mine = ++seq.current;
    setState((prev) => (prev.status === 'ready' ? { ...prev, refreshing: true } : { status: 'loading' }));
    return getScorecard(which).then(
      (scorecard) => {
        if (mine === seq.current) setState({ status: 'ready', scorecard, refreshing: false });
      },
      (err: unknown) => {
        if (mine === seq.current) setState({ status: 'error', message: toApiError(err).message });
      },
    );
  }, []);

  useEffect(() => {
    load(month).catch(() => undefined);
  }, [load, month]);

  usePullDownRefresh(() => {
    const stop = () => {
      Taro.stopPullDownRefresh();
    };
    load(month).then(stop, stop);
  });

  const picker = (
    <Picker
      mode='date'
      fields='month'
      // Full dates: H5's picker parses these with `new Date`, and `2025/03` alone is not portable.
      value={`${month}-01`}
      start={`${FIRST_MONTH}-01`}
      end={`${lastMonth}-01`}
      onChange={(e) => {
        const picked = String(e.detail.value).slice(0, 7);
        if (/^\d{4}-\d{2}$/.test(picked)) setMonth(picked);
      }}
    >
      <View className='scorecard-month' id='scorecard-month'>
        <Text className='scorecard-month__label'>统计月份</Text>
        <Text className='scorecard-month__value'>{monthLabel(month)} ▾</Text>
      </View>
    </Picker>
  );

  if (state.status === 'loading') return <PageLoading block='scorecard' title='城市管理成绩单' text='正在加载成绩单…' />;

  if (state.status === 'error') {
    return (
      <Page block='scorecard' title='城市管理成绩单' back>
        {picker}
        <View className='card scorecard__error'>
          <Text className='scorecard__error-text'>{state.message}</Text>
          <Button className='scorecard__retry' onClick={() => void load(month)}>
            重试
          </Button>
        </View>
      </Page>
    );
  }

  const { scorecard, refreshing } = state;
  const { total } = scorecard;

  return (
    <Page block='scorecard' title='城市管理成绩单' back>
      <View className='hero'>
        <Text className='hero__title'>城市管理成绩单</Text>
        <Text className='hero__text'>
          {monthLabel(scorecard.month)}，市民共举报 {total.reports} 件
        </Text>
      </View>

      {picker}
      {refreshing && <Text className='scorecard__refreshing'>加载中…</Text>}

      <View className='scorecard-rates'>
        {RATES.map((rate) => (
          <RateCard key={rate.key} row={total} rate={rate} definition={scorecard.definitions[rate.key]} />
        ))}
      </View>

      <FigureTable id='scorecard-by-category' title='按问题类别' labelName='类别' rows={scorecard.byCategory} />
      <FigureTable id='scorecard-by-street' title='按街道' labelName='街道' rows={scorecard.byStreet} />

      <Text className='scorecard__note'>按举报提交月份统计；“—”表示没有可统计的案件。举报少于 {scorecard.minGroupSize} 件的分组合并为“其他”，成绩单不含任何个人信息。</Text>
    </Page>
  );
}
