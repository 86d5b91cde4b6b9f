import { Alert, Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { REPORT_CATEGORIES, REPORT_STATUS_NAMES, REWARD_STATE_NAMES, type ReportStatus, type StaffReportListDto, type StaffReportListItemDto, type StaffReportMapDto } from '@cityloop/shared';
import dayjs from 'dayjs';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { messageOf } from '../api';
import { ViewToggle, type ListOrMap } from '../components/ViewToggle';
import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

const MapView = lazy(() => import('../components/MapView'));

const STATUS_COLORS: Partial<Record<ReportStatus, string>> = {
  submitted: 'default',
  received: 'blue',
  accepted: 'geekblue',
  dispatched: 'purple',
  handled: 'cyan',
  closed: 'green',
  rejected: 'red',
  duplicate: 'orange',
  reopened: 'gold',
};

const FILTER_KEYS = ['status', 'category', 'street', 'from', 'to', 'rewardState', 'hasBadRating', 'caseNumber'] as const;

export default function Reports() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [view, setView] = useState<ListOrMap>(params.get('view') === 'map' ? 'map' : 'list');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined])) as Record<(typeof FILTER_KEYS)[number], string | undefined>;
  const set = (patch: Partial<typeof filters>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
    setCursors([null]);
  };
  const list = useApi<StaffReportListDto>(view === 'list' ? '/staff/reports' : null, { query: { ...filters, limit: 20, cursor: cursors[cursors.length - 1] ?? undefined } });
  const map = useApi<StaffReportMapDto>(view === 'map' ? '/staff/reports/map-points' : null, { query: filters });
  const points = useMemo(
    () =>
      (map.data?.points ?? []).map((p) => ({
        id: p.id,
        lat: p.lat,
        lng: p.lng,
        label: `${REPORT_CATEGORIES.find((c) => c.code === p.category)?.name ?? p.category} · ${REPORT_STATUS_NAMES[p.status]}`,
        color: p.status === 'closed' ? '#389e0d' : '#1d5fbf',
      })),
    [map.data],
  );

  return (
    <div>
      <h2 className='page-title'>举报</h2>
      <Card size='small' style={{ marginBottom: 12 }}>
        <Space wrap>
          <Input.Search placeholder='案件编号' allowClear style={{ width: 170 }} defaultValue={filters.caseNumber} onSearch={(v) => set({ caseNumber: v.trim() || undefined })} />
          <Select
            mode='multiple'
            allowClear
            placeholder='状态'
            style={{ minWidth: 130 }}
            maxTagCount={2}
            value={filters.status?.split(',') ?? []}
            onChange={(v: string[]) => set({ status: v.join(',') || undefined })}
            options={Object.entries(REPORT_STATUS_NAMES).map(([value, label]) => ({ value, label }))}
          />
          <Select
            mode='multiple'
            allowClear
            placeholder='类别'
            style={{ minWidth: 150 }}
            maxTagCount={1}
            value={filters.category?.split(',') ?? []}
            onChange={(v: string[]) => set({ category: v.join(',') || undefined })}
            options={REPORT_CATEGORIES.map((c) => ({ value: c.code, label: c.name }))}
            showSearch
            optionFilterProp='label'
          />
          <Input.Search placeholder='街道' allowClear style={{ width: 130 }} defaultValue={filters.street} onSearch={(v) => set({ street: v.trim() || undefined })} />
          <DatePicker.RangePicker
            value={filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null}
            onChange={(v) => set({ from: v?.[0]?.format('YYYY-MM-DD'), to: v?.[1]?.format('YYYY-MM-DD') })}
          />
          <Select
            allowClear
            placeholder='奖励'
            style={{ width: 110 }}
            value={filters.rewardState}
            onChange={(v) => set({ rewardState: v })}
            options={Object.entries(REWARD_STATE_NAMES).map(([value, label]) => ({ value, label }))}
          />
          <Select
            allowClear
            placeholder='差评'
            style={{ width: 100 }}
            value={filters.hasBadRating}
            onChange={(v) => set({ hasBadRating: v })}
            options={[
              { value: 'true', label: '有差评' },
              { value: 'false', label: '无差评' },
            ]}
          />
          <ViewToggle value={view} onChange={setView} />
        </Space>
      </Card>
      <Card size='small'>
        {list.error || map.error ? <Alert type='error' showIcon message={messageOf(list.error ?? map.error)} style={{ marginBottom: 12 }} /> : null}
        {view === 'map' ? (
          <>
            {map.data?.truncated && <Alert type='info' showIcon style={{ marginBottom: 8 }} message={`只显示最新的 ${map.data.limit} 条，请缩小筛选范围`} />}
            <Suspense fallback={<div className='map-box' />}>
              <MapView id='reports-map' points={points} height={520} onSelect={(id) => navigate(`/reports/${id}`)} />
            </Suspense>
          </>
        ) : (
          <>
            <Table<StaffReportListItemDto>
              id='reports-table'
              rowKey='id'
              scroll={{ x: 1100 }}
              size='middle'
              loading={list.loading}
              dataSource={list.data?.items ?? []}
              pagination={false}
              locale={{ emptyText: '没有符合条件的举报' }}
              columns={[
                { title: '案件编号', width: 170, render: (_: unknown, r) => <Link to={`/reports/${r.id}`}>{r.caseNumber ?? `（未受理）${r.id.slice(0, 8)}`}</Link> },
                { title: '类别', dataIndex: 'categoryName', width: 140 },
                { title: '状态', width: 100, render: (_: unknown, r) => <Tag color={STATUS_COLORS[r.status]}>{r.statusName}</Tag> },
                { title: '街道', dataIndex: 'street', width: 110, render: (v: string | null) => v ?? '—' },
                { title: '地址', dataIndex: 'address', ellipsis: true },
                { title: '奖励', width: 130, render: (_: unknown, r) => `${REWARD_STATE_NAMES[r.rewardState] ?? r.rewardState}${r.rewardAmountFen ? ` ${yuan(r.rewardAmountFen)}` : ''}` },
                { title: '差评', width: 60, render: (_: unknown, r) => (r.hasBadRating ? <Tag color='red'>差评</Tag> : '') },
                { title: '提交时间', dataIndex: 'createdAt', width: 140, render: shTime },
              ]}
            />
            <Space style={{ marginTop: 12 }}>
              <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                上一页
              </Button>
              <Button disabled={!list.data?.nextCursor} onClick={() => setCursors((c) => [...c, list.data!.nextCursor])}>
                下一页
              </Button>
              <Typography.Text type='secondary'>第 {cursors.length} 页</Typography.Text>
            </Space>
          </>
        )}
      </Card>
    </div>
  );
}
