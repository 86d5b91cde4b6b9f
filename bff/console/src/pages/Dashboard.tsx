import { Alert, Card, Col, Row, Statistic, Typography } from 'antd';
import type { StaffDashboardDto, StaffPermission } from '@cityloop/shared';
import { useNavigate } from 'react-router';
import { messageOf } from '../api';
import { useAuth } from '../auth';
import { useApi } from '../useApi';

export default function Dashboard() {
  const { can, staff } = useAuth();
  const navigate = useNavigate();
  const dash = useApi<{ dashboard: StaffDashboardDto }>('/staff/dashboard');
  const d = dash.data?.dashboard;
  const tiles: { key: string; title: string; value: number | undefined; to: string; permission: StaffPermission; extra?: string; danger?: boolean }[] = [
    { key: 'reports', title: '今日新举报', value: d?.newReportsToday, to: `/reports?from=${d?.day ?? ''}&to=${d?.day ?? ''}`, permission: 'reports.read' },
    { key: 'held', title: '待审核奖励', value: d?.rewardsAwaitingReview, to: '/rewards/review', permission: 'rewards.read' },
    { key: 'appeals', title: '待处理申诉', value: d?.rewardAppealsPending, to: '/rewards/review?tab=appeals', permission: 'rewards.read' },
    {
      key: 'ratings',
      title: '差评待回访',
      value: d?.badRatingFollowUps.open,
      to: '/ratings',
      permission: 'ratings.read',
      extra: d ? `${d.badRatingFollowUps.dueSoonDays} 天内到期 ${d.badRatingFollowUps.dueSoon} · 已逾期 ${d.badRatingFollowUps.overdue}` : undefined,
      danger: Boolean(d?.badRatingFollowUps.overdue),
    },
    { key: 'payouts', title: '发放批次待确认', value: d?.payoutBatchesAwaitingConfirmation, to: '/rewards/payouts', permission: 'payouts.confirm' },
  ];
  return (
    <div>
      <h2 className='page-title'>工作台</h2>
      <Typography.Paragraph type='secondary'>
        {staff?.displayName || staff?.username}，您好。以下为 {d?.day ?? '今日'}（北京时间）的待办，点击进入对应队列。
      </Typography.Paragraph>
      {dash.error ? <Alert type='error' showIcon message={messageOf(dash.error)} style={{ marginBottom: 12 }} /> : null}
      <Row gutter={[16, 16]}>
        {tiles
          .filter((t) => can(t.permission))
          .map((t) => (
            <Col xs={12} lg={8} xxl={4} key={t.key}>
              <Card hoverable onClick={() => navigate(t.to)} id={`tile-${t.key}`} loading={dash.loading && !d}>
                <Statistic title={t.title} value={t.value ?? '—'} valueStyle={t.danger ? { color: '#cf1322' } : undefined} />
                <div style={{ fontSize: 12, color: t.danger ? '#cf1322' : '#888', minHeight: 18 }}>{t.extra ?? ''}</div>
              </Card>
            </Col>
          ))}
      </Row>
    </div>
  );
}
