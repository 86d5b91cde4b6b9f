import { useState } from 'react';
import { Input, ScrollView, Text, View } from '@tarojs/components';
import { searchCategories, type ReportCategory } from '@cityloop/shared';
import { CATEGORY_GROUPS, CATEGORY_ICONS, frequentCategories } from '../../../utils/reports';

const IS_H5 = process.env.TARO_ENV === 'h5';

export function CategoryTile({ cat, on, onPick, idPrefix = 'report-category-option' }: { cat: ReportCategory; on: boolean; onPick: (code: string) => void; idPrefix?: string }) {
  return (
    <View id={`${idPrefix}-${cat.code}`} className={on ? 'report-category-option report-category-option--on' : 'report-category-option'} onClick={() => onPick(cat.code)}>
      <Text className='report-category-option__icon' aria-hidden>
        {CATEGORY_ICONS[cat.code] ?? '📍'}
      </Text>
      <Text className='report-category-option__name'>{cat.name}</Text>
    </View>
  );
}

/** 选择问题类型: a search box, the resident's 常用 first, then every 大类 as icon tiles. */
export function CategorySheet({ current, onPick, onClose }: { current: string | null; onPick: (code: string) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [frequent] = useState(frequentCategories);
  const matches = query.trim() ? searchCategories(query) : null;
  return (
    // Inline, because Taro's H5 CSS pipeline rewrites var(--taro-tabbar-height) in style sheets.
    <View className='report-sheet' id='report-category-sheet' style={IS_H5 ? { bottom: 'var(--taro-tabbar-height, 50px)' } : undefined}>
      <View className='report-sheet__mask' onClick={onClose} />
      <View className='report-sheet__panel'>
        <View className='report-sheet__head'>
          <Text className='report-sheet__title'>选择问题类型</Text>
          <View className='report-sheet__close' id='report-category-close' role='button' aria-label='关闭' onClick={onClose}>
            <Text>×</Text>
          </View>
        </View>
        <Input id='report-category-search' className='report-sheet__search' value={query} placeholder='搜索，如：垃圾、井盖、停车' confirmType='search' onInput={(e) => setQuery(e.detail.value)} />
        <ScrollView scrollY className='report-sheet__body'>
          {matches ? (
            matches.length ? (
              <View className='report-sheet__options'>
                {matches.map((cat) => (
                  <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} />
                ))}
              </View>
            ) : (
              <Text id='report-category-empty' className='report-sheet__empty'>
                没有找到“{query.trim()}”，换个说法试试，或在下面的分类里找
              </Text>
            )
          ) : null}
          {!matches && (
            <View className='report-sheet__section'>
              <Text className='report-sheet__group-name'>常用</Text>
              <View className='report-sheet__options' id='report-category-frequent'>
                {frequent.map((cat) => (
                  <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} idPrefix='report-category-frequent' />
                ))}
              </View>
            </View>
          )}
          {(!matches || !matches.length) &&
            CATEGORY_GROUPS.map((group) => (
              <View key={group.name} className='report-sheet__section'>
                <Text className='report-sheet__group-name'>{group.name}</Text>
                <View className='report-sheet__options'>
                  {group.categories.map((cat) => (
                    <CategoryTile key={cat.code} cat={cat} on={cat.code === current} onPick={onPick} />
                  ))}
                </View>
              </View>
            ))}
        </ScrollView>
      </View>
    </View>
  );
}
