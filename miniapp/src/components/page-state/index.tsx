import { Button, Text, View } from '@tarojs/components';
import { Page } from '../page';

/**
 * The whole-page loading and error states shared by detail and list pages. Both render inside <Page> with the H5 back bar. Class names follow the
 * page's own block (`<block>__error-text`, `<block>__retry`) so pages keep their styles and test hooks.
 */
export function PageLoading({ block, title, text }: { block: string; title: string; text: string }) {
  return (
    <Page block={block} title={title} back>
      <View className={`card ${block}__loading`}>
        <Text className='card__text'>{text}</Text>
      </View>
    </Page>
  );
}

export function PageError({ block, title, message, onRetry }: { block: string; title: string; message: string; onRetry?: () => void }) {
  return (
    <Page block={block} title={title} back>
      <View className={`card ${block}__error`}>
        <Text className={`${block}__error-text`}>{message}</Text>
        {onRetry && (
          <Button className={`${block}__retry`} onClick={onRetry}>
            重试
          </Button>
        )}
      </View>
    </Page>
  );
}
