import { useEffect, useState, type PropsWithChildren } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { ELDER_ZOOM, isElderMode, onElderModeChange } from '../../services/elder';
import './index.scss';

const IS_H5 = process.env.TARO_ENV === 'h5';
const HOME_TAB = '/pages/report/index';

export function useElderMode(): boolean {
  const [on, setOn] = useState(isElderMode);
  useEffect(() => onElderModeChange(setOn), []);
  return on;
}

/** Back, or to the first tab when the page was opened directly (a shared link, a reload in H5). */
export function goBack(): void {
  if (Taro.getCurrentPages().length > 1) Taro.navigateBack().catch(() => undefined);
  else Taro.switchTab({ url: HOME_TAB }).catch(() => undefined);
}

/**
 * Every page's root. WeChat draws the navigation bar (title from the page config, back arrow) on
 * weapp; H5 has none, so sub-pages (`back`) get one here: a back button and the title. Elder mode
 * zooms the content, which reflows like browser zoom (nothing is cut off or overflows sideways).
 */
export function Page({ block, title, back = false, children }: PropsWithChildren<{ block: string; title?: string; back?: boolean }>) {
  const elder = useElderMode();
  return (
    <View className={`page ${block}${elder ? ' page--elder' : ''}`} style={elder ? { zoom: ELDER_ZOOM } : undefined}>
      {IS_H5 && back && (
        <View className='page-bar' id='page-bar'>
          <View className='page-bar__back' id='page-back' role='button' aria-label='返回' onClick={goBack}>
            <Text className='page-bar__arrow'>‹</Text>
            <Text>返回</Text>
          </View>
          {title && <Text className='page-bar__title'>{title}</Text>}
        </View>
      )}
      {children}
    </View>
  );
}
