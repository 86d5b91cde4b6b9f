import { App as AntApp, Alert, Button, Card, Descriptions, Input, Select, Space, Table, Tag } from 'antd';
import { type StaffStallSpotDto, type StaffStallSpotListDto } from '@cityloop/shared';
import { Suspense, useState } from 'react';
import { api, messageOf } from '../api';
import { MapView } from '../components/LazyMapView';
import { ViewToggle, type ListOrMap } from '../components/ViewToggle';
import { shTime } from '../format';
import { scheduleToText } from '../schedule-text';
import { useApi } from '../useApi';
import { ImportCard } from './stalls/ImportCard';
import { SpotDialog } from './stalls/SpotDialog';
import { SuspendDialog } from './stalls/SuspendDialog';

export default function Stalls() {
  const { message, modal } = AntApp.useApp();
  const [view, setView] = useState<ListOrMap>('list');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const list = useApi<StaffStallSpotListDto>('/staff/stall-spots', { query: { q: q || undefined, status, limit: 100 } });
  const [editing, setEditing] = useState<StaffStallSpotDto | null | 'new'>(null);
  const [suspending, setSuspending] = useState<StaffStallSpotDto | null>(null);
  const spots = list.data?.items ?? [];

  const resume = (s: StaffStallSpotDto) =>
    modal.confirm({
      title: `恢复摊点 · ${s.name}`,
      okText: '恢复',
      onOk: async () => {
        try {
          await api(`/staff/stall-spots/${s.id}/resume`, { method: 'POST' });
          message.success('已恢复');
          list.reload();
        } catch (err) {
          message.error(messageOf(err));
        }
      },
    });

  return (
    <div>
      <h2 className='page-title'>摊点管理</h2>
      <ImportCard onImported={list.reload} />
      <Card
        title={
          <Space wrap style={{ padding: '8px 0' }}>
            <ViewToggle value={view} onChange={setView} />
            <Input.Search placeholder='名称、编号或地址' allowClear onSearch={setQ} style={{ width: 240 }} />
            <Select
              allowClear
              placeholder='状态'
              style={{ width: 120 }}
              value={status}
              onChange={setStatus}
              options={[
                { value: 'active', label: '正常' },
                { value: 'suspended', label: '已暂停' },
              ]}
            />
          </Space>
        }
        extra={
          <Button type='primary' onClick={() => setEditing('new')}>
            新建摊点
          </Button>
        }
      >
        {list.error ? <Alert type='error' showIcon message={messageOf(list.error)} style={{ marginBottom: 12 }} /> : null}
        {view === 'map' ? (
          <Suspense fallback={<div className='map-box' />}>
            <MapView
              points={spots.map((s) => ({ id: s.id, lat: s.location.lat, lng: s.location.lng, label: `${s.name}（${s.openStatus.label}）`, color: s.status === 'suspended' ? '#cf1322' : '#1d5fbf' }))}
              onSelect={(id) => setEditing(spots.find((s) => s.id === id) ?? null)}
            />
          </Suspense>
        ) : (
          <Table<StaffStallSpotDto>
            id='stalls-table'
            rowKey='id'
            scroll={{ x: 1050 }}
            size='middle'
            loading={list.loading}
            dataSource={spots}
            pagination={{ pageSize: 20 }}
            locale={{ emptyText: '没有摊点' }}
            expandable={{
              expandedRowRender: (s) => (
                <Descriptions size='small' column={3}>
                  <Descriptions.Item label='营业时间'>{scheduleToText(s.schedule)}</Descriptions.Item>
                  <Descriptions.Item label='今日'>{s.todayHours.join('，') || '休息'}</Descriptions.Item>
                  <Descriptions.Item label='位置'>
                    {s.location.lat}, {s.location.lng}
                    {s.location.approximate ? '（约）' : ''}
                  </Descriptions.Item>
                  {s.suspension && <Descriptions.Item label='暂停原因'>{s.suspension.reason}</Descriptions.Item>}
                </Descriptions>
              ),
            }}
            columns={[
              { title: '编号', dataIndex: 'code', width: 120, render: (v: string) => <span className='mono'>{v}</span> },
              { title: '名称', dataIndex: 'name' },
              { title: '类型', dataIndex: 'kindName', width: 90 },
              { title: '区县 / 街道', width: 160, render: (_: unknown, s) => `${s.district}${s.street ? ` / ${s.street}` : ''}` },
              {
                title: '状态',
                width: 150,
                render: (_: unknown, s) => (s.status === 'suspended' ? <Tag color='red'>已暂停</Tag> : <Tag color={s.openStatus.state === 'open' ? 'green' : 'default'}>{s.openStatus.label}</Tag>),
              },
              { title: '关注', dataIndex: 'followers', width: 70 },
              { title: '更新', dataIndex: 'updatedAt', width: 140, render: shTime },
              {
                title: '操作',
                width: 140,
                render: (_: unknown, s) => (
                  <Space>
                    <Button size='small' onClick={() => setEditing(s)}>
                      编辑
                    </Button>
                    {s.status === 'suspended' ? (
                      <Button size='small' onClick={() => resume(s)}>
                        恢复
                      </Button>
                    ) : (
                      <Button size='small' danger onClick={() => setSuspending(s)}>
                        暂停
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      {editing && (
        <SpotDialog
          spot={editing === 'new' ? null : editing}
          near={[...spots].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
      {suspending && (
        <SuspendDialog
          spot={suspending}
          onClose={() => setSuspending(null)}
          onDone={() => {
            setSuspending(null);
            list.reload();
          }}
        />
      )}
    </div>
  );
}
