import { useCallback, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Switch, Text, View } from '@tarojs/components';
import { claimAmountProblem, formatShanghai, formatYuan, type ClaimDto, type LedgerEntryDto, type MyRewardsDto, type ReportRewardDto } from '@cityloop/shared';
import { PageError, PageLoading } from '../../components/page-state';
import { Page } from '../../components/page';
import { usePagedList } from '../../hooks/usePagedList';
import { RewardAppealForm } from '../../components/reason-form';
import { reportDetailUrl } from '../../services/reports';
import { serverMessageZh, toApiError } from '../../services/request';
import { appealReward, claimReward, getMyRewards, newClaimKey, setLeaderboardOptIn } from '../../services/rewards';
import { APPEAL_STATUS_NAMES, fenToYuanInput, parseYuanToFen, signedYuan } from '../../utils/rewards';
import './index.scss';

type Decision = MyRewardsDto['decisions'][number];

/** One claim attempt: its key is reused by every retry of the same amount until the BFF answers. */
interface ClaimAttempt {
  amountFen: number;
  key: string;
}

function BalanceCard({ data }: { data: MyRewardsDto }) {
  return (
    <View className='hero rewards-balance' id='rewards-balance'>
      <Text className='rewards-balance__label'>可提现（元）</Text>
      <Text id='rewards-balance-amount' className='rewards-balance__amount'>
        {fenToYuanInput(data.balanceFen)}
      </Text>
      <View className='rewards-balance__row'>
        <View className='rewards-balance__cell'>
          <Text className='rewards-balance__label'>提现中</Text>
          <Text id='rewards-in-payout' className='rewards-balance__small'>
            {formatYuan(data.inPayoutFen)}
          </Text>
        </View>
        <View className='rewards-balance__cell'>
          <Text className='rewards-balance__label'>累计获得</Text>
          <Text id='rewards-total' className='rewards-balance__small'>
            {formatYuan(data.totalEarnedFen)}
          </Text>
        </View>
      </View>
      <Text className='rewards-balance__note'>奖励入账后 {data.rules.expiryDays} 天内未提现将过期</Text>
    </View>
  );
}

function EntryRow({ entry }: { entry: LedgerEntryDto }) {
  const detail = entry.reasonName ?? entry.note;
  return (
    <View className='rewards-entry' id={`rewards-entry-${entry.id}`}>
      <View className='rewards-entry__top'>
        <Text className='rewards-entry__kind'>{entry.kindName}</Text>
        <Text className={entry.amountFen > 0 ? 'rewards-entry__amount rewards-entry__amount--in' : entry.amountFen < 0 ? 'rewards-entry__amount rewards-entry__amount--out' : 'rewards-entry__amount'}>
          {signedYuan(entry.amountFen)}
        </Text>
      </View>
      {detail && <Text className='rewards-entry__detail'>{detail}</Text>}
      <Text className='rewards-entry__time'>{formatShanghai(entry.at)}</Text>
    </View>
  );
}

function DecisionRow({ decision, onAppealed }: { decision: Decision; onAppealed: (reportId: string, reward: ReportRewardDto) => void }) {
  const [appealing, setAppealing] = useState(false);
  const sendAppeal = (reason: string) =>
    appealReward(decision.reportId, reason).then((reward) => {
      setAppealing(false);
      onAppealed(decision.reportId, reward);
      Taro.showToast({ title: '申诉已提交', icon: 'success' }).catch(() => undefined);
    });
  return (
    <View className='rewards-decision' id={`rewards-decision-${decision.reportId}`}>
      <View className='rewards-decision__top' onClick={() => Taro.navigateTo({ url: reportDetailUrl(decision.reportId) }).catch(() => undefined)}>
        <Text className='rewards-decision__category'>{decision.categoryName} ›</Text>
        <Text className={`reward-state reward-state--${decision.state}`}>
          {decision.stateName}
          {(decision.state === 'accrued' || decision.state === 'held') && decision.amountFen > 0 ? ` ${formatYuan(decision.amountFen)}` : ''}
        </Text>
      </View>
      <Text className='rewards-decision__reason'>{decision.state === 'pending' ? '待城市管理平台立案后确定' : decision.reasonName}</Text>
      {decision.decidedAt && <Text className='rewards-entry__time'>{formatShanghai(decision.decidedAt)}</Text>}
      {decision.appeal && (
        <View className='rewards-decision__appeal'>
          <Text className='rewards-decision__appeal-status'>{APPEAL_STATUS_NAMES[decision.appeal.status]}</Text>
          {decision.appeal.decisionNote && <Text className='rewards-decision__appeal-note'>{decision.appeal.decisionNote}</Text>}
        </View>
      )}
      {appealing ? (
        <RewardAppealForm id={`rewards-appeal-${decision.reportId}`} onSubmit={sendAppeal} onCancel={() => setAppealing(false)} />
      ) : (
        decision.canAppeal &&
        !decision.appeal && (
          <View className='rewards-decision__actions'>
            <Button id={`rewards-appeal-open-${decision.reportId}`} className='rewards__small-button' size='mini' onClick={() => setAppealing(true)}>
              申诉
            </Button>
          </View>
        )
      )}
    </View>
  );
}

function ClaimRow({ claim }: { claim: ClaimDto }) {
  return (
    <View className='rewards-entry' id={`rewards-claim-${claim.id}`}>
      <View className='rewards-entry__top'>
        <Text className='rewards-entry__kind'>{formatYuan(claim.amountFen)}</Text>
        <Text className={`rewards-claim__status rewards-claim__status--${claim.status}`}>{claim.statusName}</Text>
      </View>
      {claim.failureReason && <Text className='rewards-entry__detail'>{claim.failureReason}</Text>}
      <Text className='rewards-entry__time'>
        申请于 {formatShanghai(claim.createdAt)} · {claim.channelName}
        {claim.paidAt ? ` · 发放于 ${formatShanghai(claim.paidAt)}` : claim.expectedBy ? ` · 预计 ${formatShanghai(claim.expectedBy)} 前发放` : ''}
      </Text>
    </View>
  );
}

/** The ledger is the paged list; the first page also carries balances, claims and decisions. */
const fetchRewards = (cursor: string | null) => getMyRewards(cursor).then((data) => ({ items: data.entries, nextCursor: data.nextCursor, head: data }));

function toast(title: string) {
  Taro.showToast({ title, icon: 'none' }).catch(() => undefined);
}

export default function MyRewardsPage() {
  /** Balances move while the resident is elsewhere (a case registered, a payout made), so every show reloads. */
  const { list: state, reload: loadFirst, loadMore, patch } = usePagedList(fetchRewards, { keepRows: true, onRefreshError: toast });
  const [amount, setAmount] = useState('');
  const [claiming, setClaiming] = useState(false);
  const [claimError, setClaimError] = useState<string | null>(null);
  /** The claim just made: its confirmation says how and by when the money comes. */
  const [confirmed, setConfirmed] = useState<ClaimDto | null>(null);
  const [optInBusy, setOptInBusy] = useState(false);
  const attempt = useRef<ClaimAttempt | null>(null);
  const setData = useCallback((fn: (data: MyRewardsDto) => MyRewardsDto) => patch((ready) => ({ ...ready, head: fn(ready.head) })), [patch]);

  useDidShow(() => {
    loadFirst().catch(() => undefined);
  });

  usePullDownRefresh(() => {
    const stop = () => {
      Taro.stopPullDownRefresh();
    };
    loadFirst().then(stop, stop);
  });

  const claim = useCallback(() => {
    if (claiming || state.status !== 'ready') return;
    const data = state.head;
    const parsed = parseYuanToFen(amount);
    if (!parsed.ok) {
      setClaimError(parsed.message);
      return;
    }
    const problem = claimAmountProblem(parsed.fen, data.balanceFen, data.rules);
    if (problem) {
      setClaimError(problem);
      return;
    }
    // Same amount as an attempt that got no answer: the same key, so the BFF cannot pay it twice.
    const current = attempt.current && attempt.current.amountFen === parsed.fen ? attempt.current : { amountFen: parsed.fen, key: newClaimKey() };
    attempt.current = current;
    setClaimError(null);
    setClaiming(true);
    claimReward(current.amountFen, current.key).then(
      (res) => {
        attempt.current = null;
        setClaiming(false);
        setAmount('');
        setData((prev) => ({
          ...prev,
          balanceFen: res.balanceFen,
          inPayoutFen: prev.inPayoutFen + res.claim.amountFen,
          claims: [res.claim, ...prev.claims.filter((c) => c.id !== res.claim.id)],
        }));
        setConfirmed(res.claim);
        // The ledger gained a claim entry: fetch the first page again for it.
        loadFirst().catch(() => undefined);
      },
      (err: unknown) => {
        const error = toApiError(err);
        // No answer (or a server fault): the claim may have been made, so keep the key for the retry.
        if (error.status !== 0 && error.status < 500) attempt.current = null;
        setClaiming(false);
        setClaimError(serverMessageZh(error));
        // The balance on screen was out of date: show the real one.
        if (error.code === 'INSUFFICIENT_BALANCE') loadFirst().catch(() => undefined);
      },
    );
  }, [claiming, state, amount, loadFirst, setData]);

  const toggleOptIn = useCallback(
    (optIn: boolean) => {
      if (state.status !== 'ready' || optInBusy) return;
      setOptInBusy(true);
      const apply = (value: boolean) => setData((prev) => ({ ...prev, leaderboardOptIn: value }));
      apply(optIn);
      setLeaderboardOptIn(optIn).then(
        (stored) => {
          apply(stored);
          setOptInBusy(false);
        },
        (err: unknown) => {
          apply(!optIn);
          setOptInBusy(false);
          toast(toApiError(err).message);
        },
      );
    },
    [state, optInBusy, setData],
  );

  const onAppealed = useCallback(
    (reportId: string, reward: ReportRewardDto) => setData((prev) => ({ ...prev, decisions: prev.decisions.map((d) => (d.reportId === reportId ? { ...d, ...reward } : d)) })),
    [setData],
  );

  if (state.status === 'loading' || state.status === 'idle') return <PageLoading block='rewards' title='我的奖励' text='正在加载我的奖励…' />;

  if (state.status === 'error') return <PageError block='rewards' title='我的奖励' message={state.message} onRetry={() => void loadFirst()} />;

  const { head: data, items: entries } = state;
  const { claimMinFen, claimMaxFen } = data.rules;
  const maxNow = Math.min(data.balanceFen, claimMaxFen);

  return (
    <Page block='rewards' title='我的奖励' back>
      <BalanceCard data={data} />

      <View className='card' id='rewards-claim'>
        <Text className='card__title'>申请提现</Text>
        <View className='rewards-claim__field'>
          <Text className='rewards-claim__yuan'>¥</Text>
          <Input
            id='rewards-claim-amount'
            className='rewards-claim__input'
            type='digit'
            value={amount}
            placeholder={`${fenToYuanInput(claimMinFen)}–${fenToYuanInput(claimMaxFen)}`}
            disabled={claiming}
            onInput={(e) => {
              setAmount(e.detail.value);
              setClaimError(null);
            }}
          />
          {maxNow >= claimMinFen && (
            <Text id='rewards-claim-all' className='rewards-claim__all' onClick={() => !claiming && setAmount(fenToYuanInput(maxNow))}>
              全部
            </Text>
          )}
        </View>
        <Text className='rewards-claim__hint'>
          单次提现 {formatYuan(claimMinFen)}–{formatYuan(claimMaxFen)}，工作人员核对后发放
        </Text>
        {confirmed && (
          <View id='rewards-claim-confirmed' className='rewards-claim__confirmed' role='status'>
            <Text className='rewards-claim__confirmed-title'>提现申请已提交：{formatYuan(confirmed.amountFen)}</Text>
            <Text className='rewards-claim__confirmed-text'>
              发放方式：{confirmed.channelName}
              {confirmed.expectedBy ? `；预计 ${formatShanghai(confirmed.expectedBy)} 前发放` : ''}。发放后这里会显示「已发放」。
            </Text>
            <Text className='report__link rewards-claim__confirmed-ok' onClick={() => setConfirmed(null)}>
              知道了
            </Text>
          </View>
        )}
        {claimError && (
          <Text id='rewards-claim-error' className='rewards__error'>
            {claimError}
          </Text>
        )}
        <Button id='rewards-claim-submit' className='rewards-claim__submit' disabled={claiming || !amount.trim() ? true : undefined} onClick={claim}>
          {claiming ? '提交中…' : '申请提现'}
        </Button>
      </View>

      <View className='card rewards-optin' id='rewards-optin'>
        <View className='rewards-optin__top'>
          <Text className='rewards-optin__label'>参与排行榜</Text>
          <Switch id='rewards-optin-switch' checked={data.leaderboardOptIn} disabled={optInBusy || undefined} color='#1677ff' onChange={(e) => toggleOptIn(e.detail.value)} />
        </View>
        <Text className='rewards-claim__hint'>开启后按奖励金额上榜，名字打码显示（如“张**”）</Text>
      </View>

      <View className='card' id='rewards-claims'>
        <Text className='card__title'>提现记录</Text>
        {data.claims.length === 0 ? <Text className='card__text'>还没有提现记录</Text> : data.claims.map((c) => <ClaimRow key={c.id} claim={c} />)}
      </View>

      <View className='card' id='rewards-decisions'>
        <Text className='card__title'>举报奖励结果</Text>
        {data.decisions.length === 0 ? (
          <Text className='card__text'>举报被立案后，奖励结果会显示在这里</Text>
        ) : (
          data.decisions.map((d) => <DecisionRow key={d.reportId} decision={d} onAppealed={onAppealed} />)
        )}
      </View>

      <View className='card' id='rewards-entries'>
        <Text className='card__title'>收支明细</Text>
        {entries.length === 0 ? <Text className='card__text'>还没有收支记录</Text> : entries.map((e) => <EntryRow key={e.id} entry={e} />)}
        {state.moreError && <Text className='rewards__error'>{state.moreError}</Text>}
        {state.nextCursor ? (
          <Button id='rewards-more' className='rewards__more' onClick={loadMore}>
            {state.loadingMore ? '加载中…' : '加载更多'}
          </Button>
        ) : (
          entries.length > 0 && <Text className='rewards__end'>没有更多了</Text>
        )}
      </View>
    </Page>
  );
}
