import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth';
import { shTime } from '../format';

export function LoginPage() {
  const { login, staff } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as { from?: string; reason?: string };
  const [error, setError] = useState<ReactNode>(null);
  const [busy, setBusy] = useState(false);
  if (staff) return <Navigate to={state.from ?? '/'} replace />;

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
      navigate(state.from ?? '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'STAFF_ACCOUNT_LOCKED') {
        const until = (err.details as { lockedUntil?: string } | undefined)?.lockedUntil;
        setError(
          <>
            密码错误次数过多，账号已锁定
            {until ? (
              <>
                至 <span style={{ whiteSpace: 'nowrap' }}>{shTime(until)}</span>
              </>
            ) : (
              ''
            )}
            。请到时再试，或联系管理员解锁。
          </>,
        );
      } else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg, #0f3d7a 0%, #1d5fbf 100%)' }}>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ marginTop: 0, textAlign: 'center' }}>
          城管工作台
        </Typography.Title>
        <Typography.Paragraph type='secondary' style={{ textAlign: 'center' }}>
          CityLoop 城市随手拍 · 工作人员登录
        </Typography.Paragraph>
        {state.reason === 'TOKEN_EXPIRED' && <Alert style={{ marginBottom: 16 }} type='warning' showIcon message='登录已过期，请重新登录' />}
        {state.reason && state.reason !== 'TOKEN_EXPIRED' && <Alert style={{ marginBottom: 16 }} type='warning' showIcon message='登录状态无效，请重新登录' />}
        {error && <Alert id='login-error' style={{ marginBottom: 16 }} type='error' showIcon message={error} />}
        <Form layout='vertical' onFinish={submit} requiredMark={false}>
          <Form.Item name='username' label='用户名' rules={[{ required: true, message: '请输入用户名' }]}>
            <Input id='login-username' autoComplete='username' autoFocus />
          </Form.Item>
          <Form.Item name='password' label='密码' rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password id='login-password' autoComplete='current-password' />
          </Form.Item>
          <Button type='primary' htmlType='submit' block loading={busy} id='login-submit'>
            登录
          </Button>
        </Form>
        <Typography.Paragraph type='secondary' style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
          首次使用请联系管理员开通账号。连续 5 次密码错误账号将锁定 15 分钟。
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
