import { Button, Text, View } from '@tarojs/components';

/** A failed load and its 重试 button (styled by the retry-button mixin). */
export function ErrorRetry({ className, buttonClassName = 'stalls__retry', message, onRetry }: { className: string; buttonClassName?: string; message: string; onRetry: () => void }) {
  return (
    <View className={className}>
      <Text className='stalls__error-text'>{message}</Text>
      <Button className={buttonClassName} onClick={onRetry}>
        重试
      </Button>
    </View>
  );
}
