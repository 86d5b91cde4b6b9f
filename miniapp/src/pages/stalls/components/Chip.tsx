import { Text, View } from '@tarojs/components';

/** A filter chip; `id` is the e2e handle (chip-open-now, chip-kind-…, chip-goods-…). */
export function Chip({ id, label, on, onTap }: { id: string; label: string; on: boolean; onTap: () => void }) {
  return (
    <View id={id} className={on ? 'chip chip--on' : 'chip'} onClick={onTap}>
      <Text>{label}</Text>
    </View>
  );
}
