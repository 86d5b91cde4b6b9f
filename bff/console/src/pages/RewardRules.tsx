import { App as AntApp, Alert, Button, Card, Col, Form, InputNumber, Progress, Row, Statistic, Table, Typography } from 'antd';
import { REWARD_RULE_BOUNDS, type RewardFiguresDto, type RewardRules, type RewardRulesChangeDto, type RewardRulesHistoryDto } from '@cityloop/shared';
import { useEffect, useState } from 'react';
import { api, messageOf } from '../api';
import { useAuth } from '../auth';
import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

type Bound = { min: number; max: number };
/** Each rule: where it sits in RewardRules, its label, its bounds, and whether it is money (fen shown as yuan). */
const FIELDS: { path: string[]; label: string; bound: Bound; money?: boolean; unit?: string }[] = [
  { path: ['amountsFen', 'routine'], label: '一般类奖励', bound: REWARD_RULE_BOUNDS.amountFen, money: true },
  { path: ['amountsFen', 'standard'], label: '较大类奖励', bound: REWARD_RULE_BOUNDS.amountFen, money: true },
  { path: ['amountsFen', 'major'], label: '重大类奖励', bound: REWARD_RULE_BOUNDS.amountFen, money: true },
  { path: ['dailyCapFen'], label: '每人每日上限', bound: REWARD_RULE_BOUNDS.capFen, money: true },
  { path: ['monthlyCapFen'], label: '每人每月上限', bound: REWARD_RULE_BOUNDS.capFen, money: true },
  { path: ['monthlyBudgetFen'], label: '每月预算', bound: REWARD_RULE_BOUNDS.budgetFen, money: true },
  { path: ['claimMinFen'], label: '单次提现最低', bound: REWARD_RULE_BOUNDS.claimFen, money: true },
  { path: ['claimMaxFen'], label: '单次提现最高', bound: REWARD_RULE_BOUNDS.claimFen, money: true },
  { path: ['dedupeWindowHours'], label: '重复举报判定时长', bound: REWARD_RULE_BOUNDS.hours, unit: '小时' },
  { path: ['photoMaxAgeHours'], label: '照片拍摄早于举报（转人工）', bound: REWARD_RULE_BOUNDS.hours, unit: '小时' },
  { path: ['photoMaxDistanceMeters'], label: '照片拍摄地点偏离（转人工）', bound: REWARD_RULE_BOUNDS.meters, unit: '米' },
  { path: ['photoHashMaxDistance'], label: '相似照片判定（指纹位差）', bound: REWARD_RULE_BOUNDS.hashDistance, unit: '位' },
  { path: ['expiryDays'], label: '未提现奖励过期', bound: REWARD_RULE_BOUNDS.days, unit: '天' },
];

const get = (o: unknown, path: string[]) => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** A change from the audit log as "每月预算 ¥30,000.00 → ¥40,000.00". */
function describeChange(c: RewardRulesChangeDto): string[] {
  return FIELDS.filter((f) => get(c.before, f.path) !== get(c.after, f.path)).map((f) => {
    const show = (v: unknown) => (typeof v !== 'number' ? '—' : f.money ? yuan(v) : `${v}${f.unit ? ` ${f.unit}` : ''}`);
    return `${f.label}：${show(get(c.before, f.path))} → ${show(get(c.after, f.path))}`;
  });
}

export default function RewardRulesPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const rules = useApi<{ rules: RewardRules }>('/staff/rewards/rules');
  const figures = useApi<{ figures: RewardFiguresDto }>('/staff/rewards/figures');
  const history = useApi<RewardRulesHistoryDto>('/staff/rewards/rules/history', { query: { limit: 20 } });
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const editable = can('rewards.rules.edit');

  useEffect(() => {
    if (!rules.data) return;
    form.setFieldsValue(Object.fromEntries(FIELDS.map((f) => [f.path.join('.'), ((get(rules.data!.rules, f.path) as number) ?? 0) / (f.money ? 100 : 1)])));
  }, [rules.data, form]);

  const save = async () => {
    const values = (await form.validateFields()) as Record<string, number>;
    const next = structuredClone(rules.data!.rules) as unknown as Record<string, unknown>;
    for (const f of FIELDS) {
      const v = values[f.path.join('.')];
      const stored = f.money ? Math.round(v * 100) : v;
      if (f.path.length === 2) (next[f.path[0]] as Record<string, number>)[f.path[1]] = stored;
      else next[f.path[0]] = stored;
    }
    if ((next.claimMinFen as number) > (next.claimMaxFen as number)) return message.error('提现最低金额不能高于最高金额');
    setSaving(true);
    try {
      await api('/staff/rewards/rules', { method: 'PUT', body: next });
      message.success('奖励规则已保存，已记入审计日志');
      rules.reload();
      history.reload();
    } catch (err) {
      message.error(messageOf(err));
    } finally {
      setSaving(false);
    }
  };

  const f = figures.data?.figures;
  const usedPct = f && f.budgetFen > 0 ? Math.min(100, Math.round((f.budgetUsedFen * 100) / f.budgetFen)) : 0;
  return (
    <div>
      <h2 className='page-title'>奖励规则</h2>
      {rules.error ? <Alert type='error' showIcon message={messageOf(rules.error)} style={{ marginBottom: 12 }} /> : null}
      <Row gutter={16}>
        <Col span={15}>
          <Card
            title='金额、上限与时限'
            extra={
              editable ? (
                <Button type='primary' onClick={save} loading={saving} id='rules-save'>
                  保存
                </Button>
              ) : (
                <Typography.Text type='secondary'>仅管理员可修改</Typography.Text>
              )
            }
          >
            <Form form={form} layout='vertical' disabled={!editable}>
              <Row gutter={12}>
                {FIELDS.map((fd) => (
                  <Col span={8} key={fd.path.join('.')}>
                    <Form.Item
                      name={fd.path.join('.')}
                      label={fd.label}
                      rules={[
                        { required: true, message: '请填写' },
                        {
                          type: 'number',
                          min: fd.bound.min / (fd.money ? 100 : 1),
                          max: fd.bound.max / (fd.money ? 100 : 1),
                          message: `范围 ${fd.money ? `${yuan(fd.bound.min)}–${yuan(fd.bound.max)}` : `${fd.bound.min}–${fd.bound.max}`}`,
                        },
                      ]}
                    >
                      <InputNumber style={{ width: '100%' }} precision={fd.money ? 2 : 0} prefix={fd.money ? '¥' : undefined} addonAfter={fd.unit} />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Form>
          </Card>
        </Col>
        <Col span={9}>
          <Card title={`本月（${f?.month ?? '—'}）`}>
            <Statistic title='本月已用 / 预算' value={f ? `${yuan(f.budgetUsedFen)} / ${yuan(f.budgetFen)}` : '—'} valueStyle={{ fontSize: 20 }} />
            <Progress percent={usedPct} status={usedPct >= 90 ? 'exception' : 'normal'} />
            <Typography.Paragraph type='secondary' style={{ marginTop: 8 }}>
              待审核奖励 {f?.backlog.heldRewards ?? '—'} 条 · 待处理申诉 {f?.backlog.pendingAppeals ?? '—'} 条
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
      <Card title='修改记录（审计日志）' style={{ marginTop: 16 }}>
        <Table<RewardRulesChangeDto>
          rowKey='id'
          size='small'
          loading={history.loading}
          dataSource={history.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: history.error ? messageOf(history.error) : '尚无修改记录' }}
          columns={[
            { title: '时间', dataIndex: 'changedAt', width: 150, render: shTime },
            { title: '修改人', width: 120, render: (_: unknown, c) => c.changedBy.displayName ?? '—' },
            { title: '修改内容', render: (_: unknown, c) => describeChange(c).map((line) => <div key={line}>{line}</div>) },
          ]}
        />
      </Card>
    </div>
  );
}
