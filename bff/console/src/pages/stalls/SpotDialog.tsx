import { App as AntApp, Alert, Col, Form, Input, InputNumber, Modal, Row, Select, Typography } from 'antd';
import { parseScheduleText, STALL_FACILITIES, STALL_GOODS, STALL_KINDS, type StaffStallSpotDto } from '@cityloop/shared';
import { Suspense, useMemo, useState } from 'react';
import { api, messageOf } from '../../api';
import { MapView } from '../../components/LazyMapView';
import { readableWeek, scheduleToText } from '../../schedule-text';

const options = (table: Record<string, string>) => Object.entries(table).map(([value, label]) => ({ value, label }));

function ScheduleEditor({ value, onChange }: { value?: string; onChange?: (v: string) => void }) {
  const parsed = useMemo(() => parseScheduleText(value ?? ''), [value]);
  return (
    <Row gutter={12}>
      <Col span={14}>
        <Input.TextArea id='schedule-text' rows={4} value={value} onChange={(e) => onChange?.(e.target.value)} placeholder='1-5 06:00-08:30,17:00-21:00; 6,7 18:00-02:00' className='mono' />
        <Typography.Text type='secondary' style={{ fontSize: 12 }}>
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
          <Alert type='warning' message={parsed.problems.slice(0, 3).join('；')} />
        )}
      </Col>
    </Row>
  );
}

export function SpotDialog({ spot, near, onClose, onSaved }: { spot: StaffStallSpotDto | null; near?: StaffStallSpotDto; onClose: () => void; onSaved: () => void }) {
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
    <Modal open width={1000} title={spot ? `编辑摊点 · ${spot.name}` : '新建摊点'} onCancel={onClose} onOk={save} confirmLoading={busy} okText='保存' style={{ top: 24 }}>
      <Row gutter={16}>
        <Col span={12}>
          <Form form={form} layout='vertical' size='small' initialValues={initial}>
            <Row gutter={8}>
              <Col span={10}>
                <Form.Item name='code' label='编号' rules={[{ required: !spot, pattern: /^[A-Za-z0-9_-]{2,40}$/, message: '2–40 位字母、数字、- 或 _' }]}>
                  <Input disabled={Boolean(spot)} />
                </Form.Item>
              </Col>
              <Col span={14}>
                <Form.Item name='name' label='名称' rules={[{ required: true, message: '请填写名称' }]}>
                  <Input maxLength={60} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name='kind' label='类型' rules={[{ required: true }]}>
                  <Select options={options(STALL_KINDS)} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name='district' label='区县' rules={[{ required: true, message: '请填写区县' }]}>
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name='street' label='街道'>
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name='address' label='地址' rules={[{ required: true, message: '请填写地址' }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name='goods' label='允许经营' rules={[{ required: true, message: '至少选一项' }]}>
                  <Select mode='multiple' options={options(STALL_GOODS)} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name='facilities' label='配套设施'>
                  <Select mode='multiple' options={options(STALL_FACILITIES)} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name='radiusMeters' label='范围（米）' rules={[{ required: true }]}>
                  <InputNumber min={5} max={5000} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name='capacity' label='摊位数' rules={[{ required: true }]}>
                  <InputNumber min={0} max={100000} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name='managerName' label='管理人'>
                  <Input maxLength={40} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name='managerPhone' label='电话'>
                  <Input maxLength={20} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
        </Col>
        <Col span={12}>
          <Typography.Text>位置（点击地图选点，WGS-84）：{picked ? `${picked.lat}, ${picked.lng}` : '未选'}</Typography.Text>
          <Suspense fallback={<div className='map-box' style={{ height: 300 }} />}>
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
      <Form form={form} component={false} layout='vertical'>
        <Form.Item name='scheduleText' label='营业时间' style={{ marginTop: 8 }} rules={[{ required: true, message: '请填写营业时间' }]}>
          <ScheduleEditor />
        </Form.Item>
      </Form>
    </Modal>
  );
}
