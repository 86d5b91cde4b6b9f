import { Button, Text, View } from '@tarojs/components';

/**
 * The whole-page loading and error states shared by detail and list pages. Class names follow the
 * page's own block (`<block>__error-text`, `<block>__retry`) so pages keep their styles and test hooks.
 */
export function PageLoading({ block, text }: { block: string; text: string }) {
  return (
    <View className={`page ${block}`}>
      <View className={`card ${block}__loading`}>
        <Text className='card__text'>{text}</Text>
      </View>
    </View>
  );
}

export function PageError({ block, message, onRetry }: { block: string; message: string; onRetry?: () => void }) {
  return (
    <View className={`page ${block}`}>
      <View className={`card ${block}__error`}>
        <Text className={`${block}__error-text`}>{message}</Text>
        {onRetry && (
          <Button className={`${block}__retry`} onClick={onRetry}>
            重试
          </Button>
        )}
      </View>
    </View>
  );
}
