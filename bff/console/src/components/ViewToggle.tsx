import { Segmented } from 'antd';

export type ListOrMap = 'list' | 'map';

/** 列表 / 地图: the switch the report and stall pages share. */
export function ViewToggle({ value, onChange }: { value: ListOrMap; onChange: (view: ListOrMap) => void }) {
  return (
    <Segmented<ListOrMap>
      value={value}
      onChange={onChange}
      options={[
        { label: '列表', value: 'list' },
        { label: '地图', value: 'map' },
      ]}
    />
  );
}
