import Taro from '@tarojs/taro';

/** A yes/no question in a modal; resolves false when dismissed or when the modal cannot open. */
export function confirm(title: string, content: string, confirmText: string, options: { danger?: boolean } = {}): Promise<boolean> {
  // Taro H5 type-checks every option it is given, so an absent colour must be left out, not undefined.
  const modal: Taro.showModal.Option = { title, content, confirmText, cancelText: '再想想' };
  if (options.danger) modal.confirmColor = '#cf1322';
  return Taro.showModal(modal).then(
    (res) => res.confirm,
    () => false,
  );
}
