import Taro from '@tarojs/taro';

/** A yes/no question in a modal; resolves false when dismissed or when the modal cannot open. */
export function confirm(title: string, content: string, confirmText: string, options: { danger?: boolean } = {}): Promise<boolean> {
  return Taro.showModal({ title, content, confirmText, cancelText: '再想想', confirmColor: options.danger ? '#cf1322' : undefined }).then(
    (res) => res.confirm,
    () => false,
  );
}
