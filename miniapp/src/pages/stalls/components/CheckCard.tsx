import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Picker, Text, View } from '@tarojs/components';
import { STALL_GOODS, type StallCheckDto } from '@cityloop/shared';
import { toApiError } from '../../../services/request';
import { checkStallPosition } from '../../../services/stalls';
import type { ChosenPosition } from '../../../utils/location';
import { CheckResult } from './CheckResult';
import { ErrorRetry } from './ErrorRetry';
import { GOODS_CODES } from './StallFilters';

/** Picker options for the check: index 0 is "any goods". */
const CHECK_GOODS_OPTIONS = ['不限', ...GOODS_CODES.map((g) => STALL_GOODS[g])];

type CheckState = { status: 'idle' } | { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; result: StallCheckDto; where: string };

/** 这里能摆摊吗？ for the chosen position and goods. */
export function CheckCard({ position }: { position: ChosenPosition | null }) {
  const [checkGoods, setCheckGoods] = useState(0);
  const [check, setCheck] = useState<CheckState>({ status: 'idle' });
  // Drops answers that arrive after the position has changed again.
  const checkSeq = useRef(0);

  // An old verdict must not be read as the answer for a new position.
  useEffect(() => {
    checkSeq.current += 1;
    setCheck({ status: 'idle' });
  }, [position]);

  const runCheck = useCallback(() => {
    if (!position) {
      Taro.showToast({ title: '请先选择位置', icon: 'none' });
      return;
    }
    const goodsCode = checkGoods > 0 ? GOODS_CODES[checkGoods - 1] : null;
    const where = position.label;
    const seq = ++checkSeq.current;
    setCheck({ status: 'loading' });
    checkStallPosition(position, goodsCode).then(
      (result) => {
        if (seq === checkSeq.current) setCheck({ status: 'ready', result, where });
      },
      (err: unknown) => {
        if (seq === checkSeq.current) setCheck({ status: 'error', message: toApiError(err).message });
      },
    );
  }, [position, checkGoods]);

  return (
    <View className='card stalls__check'>
      <Picker mode='selector' range={CHECK_GOODS_OPTIONS} value={checkGoods} onChange={(e) => setCheckGoods(Number(e.detail.value))}>
        <View className='stalls__picker'>
          <Text className='stalls__picker-label'>经营品类</Text>
          <Text className='stalls__picker-value'>{CHECK_GOODS_OPTIONS[checkGoods]} ▾</Text>
        </View>
      </Picker>
      <Button id='stall-check' className='stalls__check-btn' disabled={check.status === 'loading' || undefined} onClick={runCheck}>
        {check.status === 'loading' ? '正在查询…' : '这里能摆摊吗？'}
      </Button>
      {check.status === 'error' && <ErrorRetry className='stalls__error stalls__check-error' buttonClassName='stalls__retry stalls__retry--check' message={check.message} onRetry={runCheck} />}
      {check.status === 'ready' && (
        <View>
          <Text className='stalls__hint'>查询位置：{check.where}</Text>
          <CheckResult check={check.result} from={position} />
        </View>
      )}
    </View>
  );
}
