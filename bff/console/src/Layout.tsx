import { Button, Dropdown, Form, Input, Layout, Menu, Modal, Space, Typography, App as AntApp } from 'antd';
import { STAFF_ROLE_NAMES } from '@cityloop/shared';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { api, messageOf } from './api';
import { PAGES } from './App';
import { useAuth } from './auth';
import { ErrorBoundary } from './ErrorBoundary';
import { newPasswordRules, PASSWORD_LENGTH_HINT } from './password';

const { Header, Sider, Content } = Layout;

/** Which menu entry a path belongs to: the longest page path that prefixes it. */
function selectedKey(pathname: string): string {
  const match = PAGES.map((p) => p.path)
    .filter((p) => (p === '/' ? pathname === '/' : pathname === p || pathname.startsWith(`${p}/`)))
    .sort((a, b) => b.length - a.length)[0];
  return match ?? '/';
}

function PasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const { message } = AntApp.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api('/staff/me/password', { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } });
      message.success('密码已修改');
      form.resetFields();
      onClose();
    } catch (err) {
      message.error(messageOf(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal title='修改密码' open={open} onOk={submit} onCancel={onClose} confirmLoading={saving} okText='确认修改' destroyOnHidden>
      <Form form={form} layout='vertical' preserve={false}>
        <Form.Item name='currentPassword' label='当前密码' rules={[{ required: true, message: '请输入当前密码' }]}>
          <Input.Password autoComplete='current-password' />
        </Form.Item>
        <Form.Item name='newPassword' label='新密码' rules={newPasswordRules('请输入新密码', `新密码${PASSWORD_LENGTH_HINT}`)}>
          <Input.Password autoComplete='new-password' />
        </Form.Item>
        <Form.Item
          name='confirm'
          label='再次输入新密码'
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致'))) }),
          ]}
        >
          <Input.Password autoComplete='new-password' />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ConsoleLayout() {
  const { staff, can, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const items = PAGES.filter((p) => (p.path === '/people' ? can('staff.manage') || can('residents.manage') : !p.permission || can(p.permission))).map((p) => ({
    key: p.path,
    label: p.label,
    icon: p.icon,
  }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider width={176} theme='dark' breakpoint='lg' collapsedWidth={64} onBreakpoint={setCollapsed} style={{ position: 'sticky', top: 0, height: '100vh', overflowY: 'auto' }}>
        <div style={{ color: '#fff', fontSize: 16, fontWeight: 600, padding: '18px 16px', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'clip' }}>{collapsed ? '城管' : '城管工作台'}</div>
        <Menu theme='dark' mode='inline' selectedKeys={[selectedKey(location.pathname)]} items={items} onClick={(e) => navigate(e.key)} />
      </Sider>
      <Layout>
        <Header style={{ background: '#fff', padding: '0 20px', display: 'flex', justifyContent: 'space-between', alignItems: 'center', borderBottom: '1px solid #e8e8e8' }}>
          <Typography.Text type='secondary'>CityLoop 城市随手拍 · 工作人员后台</Typography.Text>
          <Space>
            <Dropdown
              menu={{
                items: [
                  { key: 'password', label: '修改密码' },
                  { key: 'logout', label: '退出登录' },
                ],
                onClick: (e) => {
                  if (e.key === 'password') setPasswordOpen(true);
                  else {
                    // Leave first, so the next person to sign in starts at 工作台, not on this page.
                    navigate('/login', { replace: true });
                    logout();
                  }
                },
              }}
            >
              <Button type='text' id='staff-menu'>
                {staff?.displayName || staff?.username}（{staff ? STAFF_ROLE_NAMES[staff.role] : ''}）
              </Button>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ margin: 16, minWidth: 0 }}>
          <ErrorBoundary resetKey={location.pathname}>
            <Outlet />
          </ErrorBoundary>
        </Content>
      </Layout>
      <PasswordDialog open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}
