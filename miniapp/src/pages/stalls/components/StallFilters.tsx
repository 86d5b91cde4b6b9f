import { View } from '@tarojs/components';
import { STALL_GOODS, STALL_KINDS, type StallGoods, type StallKind } from '@cityloop/shared';
import { Chip } from './Chip';

export const GOODS_CODES = Object.keys(STALL_GOODS) as StallGoods[];
const KIND_CODES = Object.keys(STALL_KINDS) as StallKind[];

export interface StallFilterValues {
  openNow: boolean;
  goods: StallGoods[];
  kinds: StallKind[];
}

function toggle<T>(list: T[], value: T): T[] {
  return list.indexOf(value) >= 0 ? list.filter((v) => v !== value) : [...list, value];
}

/** 营业中, the kinds of spot, then the goods: each a chip that toggles. */
export function StallFilters({ value, onChange }: { value: StallFilterValues; onChange: (next: StallFilterValues) => void }) {
  const { openNow, goods, kinds } = value;
  return (
    <View className='stalls__filters'>
      <View className='stalls__chips'>
        <Chip id='chip-open-now' label='营业中' on={openNow} onTap={() => onChange({ ...value, openNow: !openNow })} />
        {KIND_CODES.map((k) => (
          <Chip key={k} id={`chip-kind-${k}`} label={STALL_KINDS[k]} on={kinds.indexOf(k) >= 0} onTap={() => onChange({ ...value, kinds: toggle(kinds, k) })} />
        ))}
      </View>
      <View className='stalls__chips'>
        {GOODS_CODES.map((g) => (
          <Chip key={g} id={`chip-goods-${g}`} label={STALL_GOODS[g]} on={goods.indexOf(g) >= 0} onTap={() => onChange({ ...value, goods: toggle(goods, g) })} />
        ))}
      </View>
    </View>
  );
}
