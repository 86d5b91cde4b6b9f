import { App as AntApp, Alert, Button, Card, Col, Descriptions, Form, Input, InputNumber, List, Modal, Row, Segmented, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import {
  parseScheduleText,
  STALL_FACILITIES,
  STALL_GOODS,
  STALL_KINDS,
  type StaffStallSpotDto,
  type StaffStallSpotListDto,
  type StallImportResultDto,
  type StallImportRowProblemDto,
} from '@cityloop/shared';
import { lazy, Suspense, useMemo, useState } from 'react';
import { ApiError, api, messageOf } from '../api';
import { shTime } from '../format';
import { readableWeek, scheduleToText } from '../schedule-text';
import { useApi } from '../useApi';

const MapView = lazy(() => import('../components/MapView'));

const options = (table: Record<string, string>) => Object.entries(table).map(([value, label]) => ({ value, label }));

function ScheduleEditor({ value, onChange }: { value?: string; onChange?: (v: string) => void }) {
  const parsed = useMemo(() => parseScheduleText(value ?? ''), [value]);
  return (
    <Row gutter={12}>
      <Col span={14}>
        <Input.TextArea id="schedule-text" rows={4} value={value} onChange={(e) => onChange?.(e.target.value)} placeholder="1-5 06:00-08:30,17:00-21:00; 6,7 18:00-02:00" className="mono" />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          格式：星期（1=周一，1-5、6,7、daily）+ 时段；season 起..止；closed 日期；日期 + 时段
        </Typography.Text>
      </Col>
      <Col span={10}>
        {parsed.schedule ? (
          <table style={{ fontSize: 12, lineHeight: '20px' }}>
            <tbody>
              {readableWeek(parsed.schedule).map((d) => (
                <tr key={d.day}>
                  <td style={{ paddingRight: 8, color: '#666' }}>{d.day}</td>
                  <td>{d.hours}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Alert type="warning" message={parsed.problems.slice(0, 3).join('；')} />
        )}
      </Col>
    </Row>
  );
}

function SpotDialog({ spot, near, onClose, onSaved }: { spot: StaffStallSpotDto | null; near?: StaffStallSpotDto; onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<{ lat: number; lng: number } | null>(spot ? { lat: spot.location.lat, lng: spot.location.lng } : null);
  const initial = spot
    ? { ...spot, scheduleText: scheduleToText(spot.schedule), managerName: spot.manager?.name, managerPhone: spot.manager?.phone }
    : { kind: 'night_market', radiusMeters: 80, capacity: 20, goods: [], facilities: [], scheduleText: '1-5 17:00-21:00; 6,7 10:00-21:00' };

  const save = async () => {
    const v = await form.validateFields();
    const parsed = parseScheduleText(v.scheduleText);
    if (!parsed.schedule) return message.error('营业时间格式有误');
    if (!picked) return message.error('请在地图上点选摊点位置');
    const body = {
      ...(spot ? {} : { code: v.code }),
      name: v.name,
      kind: v.kind,
      district: v.district,
      street: v.street ?? '',
      address: v.address,
      location: { lat: picked.lat, lng: picked.lng, coordSystem: 'wgs84', approximate: false },
      radiusMeters: v.radiusMeters,
      capacity: v.capacity,
      goods: v.goods,
      facilities: v.facilities ?? [],
      rules: v.rules ?? '',
      manager: v.managerName && v.managerPhone ? { name: v.managerName, phone: v.managerPhone } : null,
      schedule: parsed.schedule,
    };
    setBusy(true);
    try {
      if (spot) await api(`/staff/stall-spots/${spot.id}`, { method: 'PATCH', body });
      else await api('/staff/stall-spots', { body });
      message.success('摊点已保存');
      onSaved();
    } catch (err) {
      message.error(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open width={1000} title={spot ? `编辑摊点 · ${spot.name}` : '新建摊点'} onCancel={onClose} onOk={save} confirmLoading={busy} okText="保存" style={{ top: 24 }}>
      <Row gutter={16}>
        <Col span={12}>
          <Form form={form} layout="vertical" size="small" initialValues={initial}>
            <Row gutter={8}>
              <Col span={10}>
                <Form.Item name="code" label="编号" rules={[{ required: !spot, pattern: /^[A-Za-z0-9_-]{2,40}$/, message: '2–40 位字母、数字、- 或 _' }]}>
                  <Input disabled={Boolean(spot)} />
                </Form.Item>
              </Col>
              <Col span={14}>
                <Form.Item name="name" label="名称" rules={[{ required: true, message: '请填写名称' }]}>
                  <Input maxLength={60} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="kind" label="类型" rules={[{ required: true }]}>
                  <Select options={options(STALL_KINDS)} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="district" label="区县" rules={[{ required: true, message: '请填写区县' }]}>
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="street" label="街道">
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name="address" label="地址" rules={[{ required: true, message: '请填写地址' }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="goods" label="允许经营" rules={[{ required: true, message: '至少选一项' }]}>
                  <Select mode="multiple" options={options(STALL_GOODS)} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="facilities" label="配套设施">
                  <Select mode="multiple" options={options(STALL_FACILITIES)} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="radiusMeters" label="范围（米）" rules={[{ required: true }]}>
                  <InputNumber min={5} max={5000} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="capacity" label="摊位数" rules={[{ required: true }]}>
                  <InputNumber min={0} max={100000} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="managerName" label="管理人">
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="managerPhone" label="电话">
                  <Input maxLength={20} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
        </Col>
        <Col span={12}>
          <Typography.Text>位置（点击地图选点，WGS-84）：{picked ? `${picked.lat}, ${picked.lng}` : '未选'}</Typography.Text>
          <Suspense fallback={<div className="map-box" style={{ height: 300 }} />}>
            <MapView
              height={300}
              // Editing: at the spot, street level. New: near the latest spot, at city level.
              center={spot ? { lat: spot.location.lat, lng: spot.location.lng, zoom: 16 } : near ? { lat: near.location.lat, lng: near.location.lng, zoom: 13 } : undefined}
              points={spot ? [{ id: spot.id, lat: spot.location.lat, lng: spot.location.lng, label: spot.name }] : []}
              picked={picked}
              onPick={(lat, lng) => setPicked({ lat, lng })}
            />
          </Suspense>
        </Col>
      </Row>
      <Form form={form} component={false} layout="vertical">
        <Form.Item name="scheduleText" label="营业时间" style={{ marginTop: 8 }} rules={[{ required: true, message: '请填写营业时间' }]}>
          <ScheduleEditor />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type RowProblem = StallImportRowProblemDto;

function ImportCard({ onImported }: { onImported: () => void }) {
  const { message } = AntApp.useApp();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<RowProblem[] | null>(null);
  const [result, setResult] = useState<string | null>(null);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setProblems(null);
    setResult(null);
    const isGeo = /\.(geo)?json$/i.test(file.name);
    try {
      const r = await api<StallImportResultDto>('/staff/stall-spots/import', { query: { dryRun: dryRun || undefined }, raw: { contentType: isGeo ? 'application/geo+json' : 'text/csv', data: await file.text() } });
      const text = r.dryRun ? `试导入通过：${r.valid} 行均有效，尚未写入` : `已导入：新建 ${r.created} 个，更新 ${r.updated} 个`;
      setResult(text);
      if (!dryRun) {
        message.success(text);
        onImported();
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'IMPORT_INVALID') setProblems(((err.details as { rows?: RowProblem[] } | undefined)?.rows ?? []) as RowProblem[]);
      else message.error(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="批量导入（CSV 或 GeoJSON，全部有效才导入）" size="small" style={{ marginBottom: 16 }}>
      <Space wrap>
        <Upload
          accept=".csv,.json,.geojson"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setProblems(null);
            setResult(null);
            return false;
          }}
          onRemove={() => setFile(null)}
        >
          <Button id="import-file">选择文件</Button>
        </Upload>
        <Button onClick={() => void send(true)} disabled={!file} loading={busy} id="import-dry-run">
          试导入（检查）
        </Button>
        <Button type="primary" onClick={() => void send(false)} disabled={!file} loading={busy} id="import-run">
          正式导入
        </Button>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          按编号 code 匹配，已有的更新
        </Typography.Text>
      </Space>
      {result && <Alert id="import-result" style={{ marginTop: 12 }} type="success" showIcon message={result} />}
      {problems && (
        <Alert
          id="import-problems"
          style={{ marginTop: 12 }}
          type="error"
          showIcon
          message={`${problems.length} 行有错误，未导入任何数据`}
          description={
            <List
              size="small"
              dataSource={problems}
              renderItem={(p) => (
                <List.Item>
                  第 {p.row} 行{p.code ? `（${p.code}）` : ''}：{p.errors.join('；')}
                </List.Item>
              )}
            />
          }
        />
      )}
    </Card>
  );
}

function SuspendDialog({ spot, onClose, onDone }: { spot: StaffStallSpotDto; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={`暂停摊点 · ${spot.name}`}
      okText="暂停"
      okButtonProps={{ danger: true, disabled: !reason.trim() }}
      confirmLoading={busy}
      onCancel={onClose}
      onOk={async () => {
        setBusy(true);
        try {
          await api(`/staff/stall-spots/${spot.id}/suspend`, { body: { reason: reason.trim() } });
          message.success('已暂停，关注者将收到通知');
          onDone();
        } catch (err) {
          message.error(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type="secondary">暂停原因会展示给摊主和关注者。</Typography.Paragraph>
      <Input.TextArea rows={3} maxLength={200} showCount value={reason} onChange={(e) => setReason(e.target.value)} />
    </Modal>
  );
}

export default function Stalls() {
  const { message, modal } = AntApp.useApp();
  const [view, setView] = useState<'list' | 'map'>('list');
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
      <h2 className="page-title">摊点管理</h2>
      <ImportCard onImported={list.reload} />
      <Card
        title={
          <Space wrap style={{ padding: '8px 0' }}>
            <Segmented value={view} onChange={(v) => setView(v as 'list' | 'map')} options={[{ label: '列表', value: 'list' }, { label: '地图', value: 'map' }]} />
            <Input.Search placeholder="名称、编号或地址" allowClear onSearch={setQ} style={{ width: 240 }} />
            <Select allowClear placeholder="状态" style={{ width: 120 }} value={status} onChange={setStatus} options={[{ value: 'active', label: '正常' }, { value: 'suspended', label: '已暂停' }]} />
          </Space>
        }
        extra={
          <Button type="primary" onClick={() => setEditing('new')}>
            新建摊点
          </Button>
        }
      >
        {list.error ? <Alert type="error" showIcon message={messageOf(list.error)} style={{ marginBottom: 12 }} /> : null}
        {view === 'map' ? (
          <Suspense fallback={<div className="map-box" />}>
            <MapView points={spots.map((s) => ({ id: s.id, lat: s.location.lat, lng: s.location.lng, label: `${s.name}（${s.openStatus.label}）`, color: s.status === 'suspended' ? '#cf1322' : '#1d5fbf' }))} onSelect={(id) => setEditing(spots.find((s) => s.id === id) ?? null)} />
          </Suspense>
        ) : (
          <Table<StaffStallSpotDto>
            id="stalls-table"
            rowKey="id"
            scroll={{ x: 1050 }}
            size="middle"
            loading={list.loading}
            dataSource={spots}
            pagination={{ pageSize: 20 }}
            locale={{ emptyText: '没有摊点' }}
            expandable={{
              expandedRowRender: (s) => (
                <Descriptions size="small" column={3}>
                  <Descriptions.Item label="营业时间">{scheduleToText(s.schedule)}</Descriptions.Item>
                  <Descriptions.Item label="今日">{s.todayHours.join('，') || '休息'}</Descriptions.Item>
                  <Descriptions.Item label="位置">
                    {s.location.lat}, {s.location.lng}
                    {s.location.approximate ? '（约）' : ''}
                  </Descriptions.Item>
                  {s.suspension && <Descriptions.Item label="暂停原因">{s.suspension.reason}</Descriptions.Item>}
                </Descriptions>
              ),
            }}
            columns={[
              { title: '编号', dataIndex: 'code', width: 120, render: (v: string) => <span className="mono">{v}</span> },
              { title: '名称', dataIndex: 'name' },
              { title: '类型', dataIndex: 'kindName', width: 90 },
              { title: '区县 / 街道', width: 160, render: (_: unknown, s) => `${s.district}${s.street ? ` / ${s.street}` : ''}` },
              { title: '状态', width: 150, render: (_: unknown, s) => (s.status === 'suspended' ? <Tag color="red">已暂停</Tag> : <Tag color={s.openStatus.state === 'open' ? 'green' : 'default'}>{s.openStatus.label}</Tag>) },
              { title: '关注', dataIndex: 'followers', width: 70 },
              { title: '更新', dataIndex: 'updatedAt', width: 140, render: shTime },
              {
                title: '操作',
                width: 140,
                render: (_: unknown, s) => (
                  <Space>
                    <Button size="small" onClick={() => setEditing(s)}>
                      编辑
                    </Button>
                    {s.status === 'suspended' ? (
                      <Button size="small" onClick={() => resume(s)}>
                        恢复
                      </Button>
                    ) : (
                      <Button size="small" danger onClick={() => setSuspending(s)}>
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
