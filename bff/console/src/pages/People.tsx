import { App as AntApp, Alert, Button, Card, DatePicker, Descriptions, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { STAFF_ROLE_NAMES, STAFF_ROLES, staffPasswordTooShort, type AuditLogDto, type AuditLogEntryDto, type StaffAccountDto, type StaffResidentDto, type StaffRole } from '@cityloop/shared';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, messageOf } from '../api';
import { useAuth } from '../auth';
import { newPasswordRules, PASSWORD_LENGTH_HINT } from '../password';
import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

const roleOptions = STAFF_ROLES.map((r) => ({ value: r, label: STAFF_ROLE_NAMES[r] }));

function AccountDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title='新建工作人员账号'
      okText='创建'
      confirmLoading={busy}
      onCancel={onClose}
      okButtonProps={{ id: 'account-create-ok' }}
      onOk={async () => {
        const v = await form.validateFields();
        setBusy(true);
        try {
          await api('/staff/accounts', { body: { username: v.username.trim(), displayName: v.displayName?.trim() ?? '', password: v.password, role: v.role } });
          message.success('账号已创建，请把初始密码当面交给本人，并提醒其登录后修改');
          onSaved();
        } catch (err) {
          message.error(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout='vertical' initialValues={{ role: 'viewer' }}>
        <Form.Item name='username' label='用户名' rules={[{ required: true, message: '请填写用户名' }]}>
          <Input id='account-username' autoComplete='off' />
        </Form.Item>
        <Form.Item name='displayName' label='姓名'>
          <Input id='account-display-name' maxLength={50} />
        </Form.Item>
        <Form.Item name='role' label='角色' rules={[{ required: true }]}>
          <Select id='account-role' options={roleOptions} />
        </Form.Item>
        <Form.Item name='password' label='初始密码' rules={newPasswordRules('请填写初始密码', PASSWORD_LENGTH_HINT)}>
          <Input.Password id='account-password' autoComplete='new-password' />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Accounts() {
  const { staff } = useAuth();
  const { message, modal } = AntApp.useApp();
  const list = useApi<{ items: StaffAccountDto[] }>('/staff/accounts');
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<StaffAccountDto | null>(null);
  const [newPassword, setNewPassword] = useState('');

  const patch = async (a: StaffAccountDto, body: Partial<{ role: StaffRole; disabled: boolean }>) => {
    try {
      await api(`/staff/accounts/${a.id}`, { method: 'PATCH', body });
      message.success('已保存');
      list.reload();
    } catch (err) {
      message.error(messageOf(err));
    }
  };
  const unlock = async (a: StaffAccountDto) => {
    try {
      await api(`/staff/accounts/${a.id}/unlock`, { method: 'POST' });
      message.success('已解锁');
      list.reload();
    } catch (err) {
      message.error(messageOf(err));
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type='primary' onClick={() => setCreating(true)} id='account-create'>
          新建账号
        </Button>
        <Typography.Text type='secondary'>角色变更即时生效；不能停用或降级自己的账号。</Typography.Text>
      </Space>
      {list.error ? <Alert type='error' showIcon message={messageOf(list.error)} /> : null}
      <Table<StaffAccountDto>
        rowKey='id'
        scroll={{ x: 1000 }}
        size='middle'
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: '用户名', dataIndex: 'username', width: 140 },
          { title: '姓名', dataIndex: 'displayName', width: 120 },
          {
            title: '角色',
            width: 140,
            render: (_: unknown, a) => <Select size='small' style={{ width: 110 }} value={a.role} options={roleOptions} disabled={a.id === staff?.id} onChange={(role) => void patch(a, { role })} />,
          },
          {
            title: '状态',
            width: 200,
            render: (_: unknown, a) => (
              <Space size={4}>
                {a.disabled ? <Tag>已停用</Tag> : <Tag color='green'>正常</Tag>}
                {a.lockedUntil && <Tag color='red'>锁定至 {shTime(a.lockedUntil)}</Tag>}
              </Space>
            ),
          },
          { title: '最近登录', dataIndex: 'lastLoginAt', width: 150, render: shTime },
          {
            title: '操作',
            render: (_: unknown, a) => (
              <Space>
                {a.lockedUntil && (
                  <Button size='small' onClick={() => void unlock(a)}>
                    解锁
                  </Button>
                )}
                <Button size='small' onClick={() => setResetting(a)}>
                  重置密码
                </Button>
                {a.id !== staff?.id && (
                  <Button
                    size='small'
                    danger={!a.disabled}
                    onClick={() =>
                      modal.confirm({ title: `${a.disabled ? '启用' : '停用'}账号 ${a.username}？`, okText: a.disabled ? '启用' : '停用', onOk: () => patch(a, { disabled: !a.disabled }) })
                    }
                  >
                    {a.disabled ? '启用' : '停用'}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {creating && (
        <AccountDialog
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            list.reload();
          }}
        />
      )}
      <Modal
        open={resetting !== null}
        title={`重置密码 · ${resetting?.username ?? ''}`}
        okText='重置'
        okButtonProps={{ disabled: staffPasswordTooShort(newPassword) }}
        onCancel={() => setResetting(null)}
        onOk={async () => {
          try {
            await api(`/staff/accounts/${resetting!.id}/password`, { body: { newPassword } });
            message.success('密码已重置，请当面交给本人并提醒其登录后修改');
            setResetting(null);
            setNewPassword('');
          } catch (err) {
            message.error(messageOf(err));
          }
        }}
        destroyOnHidden
      >
        <Input.Password placeholder={`新密码（${PASSWORD_LENGTH_HINT}）`} value={newPassword} onChange={(e) => setNewPassword(e.target.value)} autoComplete='new-password' />
      </Modal>
    </>
  );
}

function Residents() {
  const { message } = AntApp.useApp();
  const [id, setId] = useState('');
  const [user, setUser] = useState<StaffResidentDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const find = async (value: string) => {
    setError(null);
    setUser(null);
    const v = value.trim();
    if (!v) return;
    try {
      const isUuid = /^[0-9a-f-]{36}$/i.test(v);
      const r = isUuid ? await api<{ user: StaffResidentDto }>(`/staff/users/${v}`) : await api<{ user: StaffResidentDto }>('/staff/users/lookup', { query: { caseNumber: v } });
      setUser(r.user);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const refresh = () => user && void find(user.id);

  const block = async (blocked: boolean) => {
    try {
      await api(`/staff/users/${user!.id}/block`, { method: 'PUT', body: blocked ? { blocked, reason: reason.trim() || undefined } : { blocked } });
      message.success(blocked ? '已限制该用户提交' : '已解除限制');
      refresh();
    } catch (err) {
      message.error(messageOf(err));
    }
  };
  const exclude = async (exclusion: 'staff' | 'inspector' | null) => {
    try {
      await api(`/staff/users/${user!.id}/reward-exclusion`, { method: 'PUT', body: { exclusion } });
      message.success('已保存');
      refresh();
    } catch (err) {
      message.error(messageOf(err));
    }
  };

  return (
    <>
      <Input.Search placeholder='用户编号，或案件编号' enterButton='查找' style={{ width: 420, marginBottom: 12 }} value={id} onChange={(e) => setId(e.target.value)} onSearch={(v) => void find(v)} />
      {error && <Alert type='error' showIcon message={error} />}
      {user && (
        <Card size='small'>
          <Descriptions size='small' column={3} bordered>
            <Descriptions.Item label='用户'>{user.maskedNickname}</Descriptions.Item>
            <Descriptions.Item label='编号'>
              <span className='mono'>{user.id}</span>
            </Descriptions.Item>
            <Descriptions.Item label='注册'>{shTime(user.createdAt)}</Descriptions.Item>
            <Descriptions.Item label='举报数'>{user.reportCount}</Descriptions.Item>
            <Descriptions.Item label='奖励余额'>{yuan(user.balanceFen)}</Descriptions.Item>
            <Descriptions.Item label='最近登录'>{shTime(user.lastLoginAt)}</Descriptions.Item>
            <Descriptions.Item label='状态'>
              {user.erased ? <Tag>已注销</Tag> : user.blocked ? <Tag color='red'>已限制：{user.blockedReason ?? '—'}</Tag> : <Tag color='green'>正常</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label='不计奖励' span={2}>
              <Select
                size='small'
                style={{ width: 200 }}
                value={user.rewardExclusion ?? 'none'}
                disabled={user.erased}
                onChange={(v) => void exclude(v === 'none' ? null : (v as 'staff' | 'inspector'))}
                options={[
                  { value: 'none', label: '否' },
                  { value: 'staff', label: '工作人员' },
                  { value: 'inspector', label: '专职巡查员（信息采集员）' },
                ]}
              />
            </Descriptions.Item>
          </Descriptions>
          {!user.erased && (
            <Space style={{ marginTop: 12 }}>
              {user.blocked ? (
                <Button onClick={() => void block(false)}>解除限制</Button>
              ) : (
                <>
                  <Input placeholder='限制原因' value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: 260 }} maxLength={200} />
                  <Button danger onClick={() => void block(true)}>
                    限制提交
                  </Button>
                </>
              )}
              <Typography.Text type='secondary'>被限制的用户仍可登录、查看和注销，不能提交举报、评价或提现。</Typography.Text>
            </Space>
          )}
        </Card>
      )}
    </>
  );
}

function AuditLog() {
  const [filters, setFilters] = useState<{ action?: string; actorKind?: string; entityId?: string; range?: [Dayjs, Dayjs] }>({});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const query = {
    action: filters.action,
    actorKind: filters.actorKind,
    entityId: filters.entityId,
    from: filters.range?.[0].format('YYYY-MM-DD'),
    to: filters.range?.[1].format('YYYY-MM-DD'),
    cursor: cursors[cursors.length - 1] ?? undefined,
    limit: 50,
  };
  const log = useApi<AuditLogDto>('/staff/audit-log', { query });
  const setFilter = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setCursors([null]);
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search placeholder='操作，如 payout_batch.create' allowClear style={{ width: 240 }} onSearch={(v) => setFilter({ action: v || undefined })} />
        <Select
          allowClear
          placeholder='操作者'
          style={{ width: 120 }}
          onChange={(v) => setFilter({ actorKind: v })}
          options={[
            { value: 'staff', label: '工作人员' },
            { value: 'resident', label: '居民' },
            { value: 'system', label: '系统' },
          ]}
        />
        <Input.Search placeholder='对象编号' allowClear style={{ width: 220 }} onSearch={(v) => setFilter({ entityId: v || undefined })} />
        <DatePicker.RangePicker onChange={(v) => setFilter({ range: v && v[0] && v[1] ? [v[0], v[1]] : undefined })} />
      </Space>
      {log.error ? <Alert type='error' showIcon message={messageOf(log.error)} /> : null}
      <Table<AuditLogEntryDto>
        rowKey='id'
        scroll={{ x: 1000 }}
        size='small'
        loading={log.loading}
        dataSource={log.data?.items ?? []}
        pagination={false}
        columns={[
          { title: '时间', dataIndex: 'createdAt', width: 140, render: shTime },
          { title: '操作者', width: 130, render: (_: unknown, e) => (e.actorKind === 'staff' ? (e.actorName ?? '工作人员') : e.actorKind === 'resident' ? '居民' : '系统') },
          { title: '操作', dataIndex: 'action', width: 190, render: (v: string) => <span className='mono'>{v}</span> },
          {
            title: '对象',
            width: 200,
            render: (_: unknown, e) => (
              <span className='mono'>
                {e.entityType}
                {e.entityId ? ` ${e.entityId.slice(0, 8)}` : ''}
              </span>
            ),
          },
          {
            title: '详情',
            render: (_: unknown, e) => (
              <span className='mono' style={{ wordBreak: 'break-all' }}>
                {JSON.stringify(e.details)}
              </span>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          上一页
        </Button>
        <Button disabled={!log.data?.nextCursor} onClick={() => setCursors((c) => [...c, log.data!.nextCursor])}>
          下一页
        </Button>
      </Space>
    </>
  );
}

export default function People() {
  const { can } = useAuth();
  const tabs = [
    can('staff.manage') && { key: 'accounts', label: '工作人员账号', children: <Accounts /> },
    can('residents.manage') && { key: 'residents', label: '居民查找', children: <Residents /> },
    can('audit.read') && { key: 'audit', label: '审计日志', children: <AuditLog /> },
  ].filter(Boolean) as { key: string; label: string; children: JSX.Element }[];
  return (
    <div>
      <h2 className='page-title'>人员与权限</h2>
      <Card>{tabs.length ? <Tabs items={tabs} /> : <Alert type='info' message='您的角色没有可用的功能' />}</Card>
    </div>
  );
}
