import { App as AntApp, Alert, Button, Card, Col, DatePicker, Row, Segmented, Space, Statistic, Table, Tabs, Tooltip, Typography } from 'antd';
import { FIGURE_DEFINITION_TEXT, type FigureDimension, type FigureRow, type FiguresDto, type ScorecardDto } from '@cityloop/shared';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { api, messageOf } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { downloadText } from '../csv';
import { rate, shanghaiToday } from '../format';
import { useApi } from '../useApi';

const RATES = [
  { key: 'responseRate', label: '响应率', color: '#1d5fbf' },
  { key: 'handledRate', label: '处置率', color: '#13a8a8' },
  { key: 'closedRate', label: '结案率', color: '#7cb305' },
  { key: 'satisfactionRate', label: '满意率', color: '#fa8c16' },
] as const;

const DIMENSIONS: { value: FigureDimension; label: string }[] = [
  { value: 'month', label: '按月' },
  { value: 'street', label: '按街道' },
  { value: 'category', label: '按类别' },
  { value: 'department', label: '按部门' },
];

function chartOf(rows: FigureRow[], groupBy: FigureDimension): ChartOption {
  // Lines for a run of months; bars for groups, and for too few months to draw a line through.
  const line = groupBy === 'month' && rows.length >= 3;
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—') },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 56 },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: RATES.map((r) => ({ name: r.label, type: line ? 'line' : 'bar', data: rows.map((row) => row[r.key]), itemStyle: { color: r.color }, barMaxWidth: 18, connectNulls: false })),
  };
}

function RateCards({ total }: { total: FigureRow }) {
  return (
    <Row gutter={12}>
      {RATES.map((r) => (
        <Col span={6} key={r.key}>
          <Card size='small'>
            <Tooltip title={FIGURE_DEFINITION_TEXT[r.key]}>
              <Statistic title={r.label} value={rate(total[r.key])} valueStyle={{ color: r.color }} />
            </Tooltip>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function columnsFor(groupLabel: string) {
  return [
    { title: groupLabel, dataIndex: 'label', fixed: 'left' as const, width: 160 },
    { title: '举报', dataIndex: 'reports', width: 70 },
    ...RATES.map((r) => ({ title: r.label, dataIndex: r.key, width: 90, render: (v: number | null) => rate(v) })),
    { title: '已送达', dataIndex: 'delivered', width: 80 },
    { title: '已立案', dataIndex: 'registered', width: 80 },
    { title: '已结案', dataIndex: 'closed', width: 80 },
    { title: '已评价', dataIndex: 'rated', width: 80 },
  ];
}

function StaffFigures() {
  const { message } = AntApp.useApp();
  const today = shanghaiToday();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs(today).subtract(5, 'month').startOf('month'), dayjs(today)]);
  const [groupBy, setGroupBy] = useState<FigureDimension>('month');
  const query = { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD'), groupBy };
  const figures = useApi<FiguresDto>('/staff/figures', { query });
  const option = useMemo(() => chartOf(figures.data?.rows ?? [], groupBy), [figures.data, groupBy]);
  const groupLabel = DIMENSIONS.find((d) => d.value === groupBy)!.label.replace('按', '');

  const exportCsv = async () => {
    try {
      downloadText(`figures-${query.from}-${query.to}.csv`, await api<string>('/staff/figures', { query: { ...query, format: 'csv' }, as: 'text' }));
    } catch (err) {
      message.error(messageOf(err));
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])} />
        <Segmented value={groupBy} onChange={(v) => setGroupBy(v as FigureDimension)} options={DIMENSIONS} />
        <Button onClick={() => void exportCsv()}>导出 CSV</Button>
        <Typography.Text type='secondary' style={{ fontSize: 12 }}>
          按举报提交时间统计（北京时间）；分母为 0 时显示“—”
        </Typography.Text>
      </Space>
      {figures.error ? <Alert type='error' showIcon message={messageOf(figures.error)} style={{ marginBottom: 12 }} /> : null}
      {figures.data && <RateCards total={figures.data.total} />}
      <Card size='small' style={{ marginTop: 12 }}>
        <Chart option={option} id='figures-chart' />
      </Card>
      <Table<FigureRow>
        style={{ marginTop: 12 }}
        rowKey='key'
        size='small'
        loading={figures.loading}
        dataSource={figures.data?.rows ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        columns={columnsFor(groupLabel)}
      />
    </>
  );
}

function ScorecardPreview() {
  const [month, setMonth] = useState<Dayjs>(dayjs(shanghaiToday()));
  const card = useApi<ScorecardDto>('/public/scorecard', { query: { month: month.format('YYYY-MM') } });
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <DatePicker picker='month' value={month} allowClear={false} onChange={(v) => v && setMonth(v)} disabledDate={(d) => d.isAfter(dayjs(), 'month')} />
        <Typography.Text type='secondary'>公众在小程序“城市管理成绩单”看到的内容；少于 {card.data?.minGroupSize ?? 5} 件的分组并入“其他”。</Typography.Text>
      </Space>
      {card.error ? <Alert type='error' showIcon message={messageOf(card.error)} /> : null}
      {card.data && (
        <>
          <RateCards total={card.data.total} />
          <Row gutter={12} style={{ marginTop: 12 }}>
            <Col span={12}>
              <Table<FigureRow> rowKey='key' size='small' title={() => '按类别'} dataSource={card.data.byCategory} pagination={false} columns={columnsFor('类别').slice(0, 6)} />
            </Col>
            <Col span={12}>
              <Table<FigureRow> rowKey='key' size='small' title={() => '按街道'} dataSource={card.data.byStreet} pagination={false} columns={columnsFor('街道').slice(0, 6)} />
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

export default function Figures() {
  return (
    <div>
      <h2 className='page-title'>数据统计</h2>
      <Card>
        <Tabs
          items={[
            { key: 'staff', label: '四率统计', children: <StaffFigures /> },
            { key: 'scorecard', label: '成绩单预览', children: <ScorecardPreview /> },
          ]}
        />
      </Card>
    </div>
  );
}
