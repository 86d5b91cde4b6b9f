import { AccountBookOutlined, AuditOutlined, BarChartOutlined, CommentOutlined, DashboardOutlined, EnvironmentOutlined, FileSearchOutlined, SettingOutlined, TeamOutlined } from '@ant-design/icons';
import { Spin } from 'antd';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { StaffPermission } from '@cityloop/shared';
import { setSignedOutHandler } from './api';
import { useAuth } from './auth';
import { ConsoleLayout } from './Layout';
import { LoginPage } from './pages/Login';

// Every page but 登录 is its own chunk, loaded when first opened (the first load stays small).
const Dashboard = lazy(() => import('./pages/Dashboard'));
const Reports = lazy(() => import('./pages/Reports'));
const ReportDetail = lazy(() => import('./pages/ReportDetail'));
const RewardReview = lazy(() => import('./pages/RewardReview'));
const Payouts = lazy(() => import('./pages/Payouts'));
const RewardRules = lazy(() => import('./pages/RewardRules'));
const Ratings = lazy(() => import('./pages/Ratings'));
const Stalls = lazy(() => import('./pages/Stalls'));
const Figures = lazy(() => import('./pages/Figures'));
const People = lazy(() => import('./pages/People'));

/** The console's pages: path, menu label, and the permission that shows it (null: every signed-in member). */
export const PAGES: { path: string; label: string; icon: ReactNode; permission: StaffPermission | null; element: ReactNode }[] = [
  { path: '/', label: '工作台', icon: <DashboardOutlined />, permission: null, element: <Dashboard /> },
  { path: '/reports', label: '举报', icon: <FileSearchOutlined />, permission: 'reports.read', element: <Reports /> },
  { path: '/rewards/review', label: '奖励审核', icon: <AuditOutlined />, permission: 'rewards.read', element: <RewardReview /> },
  { path: '/rewards/payouts', label: '提现发放', icon: <AccountBookOutlined />, permission: 'payouts.prepare', element: <Payouts /> },
  { path: '/rewards/rules', label: '奖励规则', icon: <SettingOutlined />, permission: 'rewards.read', element: <RewardRules /> },
  { path: '/ratings', label: '差评回访', icon: <CommentOutlined />, permission: 'ratings.read', element: <Ratings /> },
  { path: '/stalls', label: '摊点管理', icon: <EnvironmentOutlined />, permission: 'stalls.manage', element: <Stalls /> },
  { path: '/figures', label: '数据统计', icon: <BarChartOutlined />, permission: 'figures.read', element: <Figures /> },
  { path: '/people', label: '人员与权限', icon: <TeamOutlined />, permission: null, element: <People /> },
];

function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
    </div>
  );
}

function RequireStaff({ children }: { children: ReactNode }) {
  const { staff, checking, leftOnPurpose, signedOutReason } = useAuth();
  const location = useLocation();
  if (checking) return <Loading />;
  if (!staff) return <Navigate to='/login' replace state={leftOnPurpose ? {} : { from: location.pathname + location.search, reason: signedOutReason ?? undefined }} />;
  return <>{children}</>;
}

export function App() {
  const { logout, can } = useAuth();

  useEffect(() => {
    // Expired or revoked: RequireStaff sends the member to 登录 with the reason, and back here after.
    setSignedOutHandler((code) => logout(false, code));
  }, [logout]);

  return (
    <Routes>
      <Route path='/login' element={<LoginPage />} />
      <Route
        element={
          <RequireStaff>
            <ConsoleLayout />
          </RequireStaff>
        }
      >
        {PAGES.map((p) => (
          <Route key={p.path} path={p.path} element={<Suspense fallback={<Loading />}>{!p.permission || can(p.permission) ? p.element : <Navigate to='/' replace />}</Suspense>} />
        ))}
        <Route path='/reports/:id' element={<Suspense fallback={<Loading />}>{can('reports.read') ? <ReportDetail /> : <Navigate to='/' replace />}</Suspense>} />
        <Route path='*' element={<Navigate to='/' replace />} />
      </Route>
    </Routes>
  );
}
