import { App as AntApp, Alert, Button, Card, Form, Image, Input, Modal, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import type { ReportDto, RewardFacts, RewardReviewQueueDto } from '@cityloop/shared';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, messageOf } from '../api';
import { useAuth } from '../auth';

import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

type HeldRewardDto = RewardReviewQueueDto['held'][number];
type RewardAppealItemDto = RewardReviewQueueDto['appeals'][number];

/** Why a reward was held, in words a reviewer checks against the photo: its age, its distance, a match. */
function heldEvidence(facts: Partial<RewardFacts> | Record<string, unknown>): string[] {
  const photos = ((facts as Partial<RewardFacts>).photos ?? []) as RewardFacts['photos'];
  const lines: string[] = [];
  photos.forEach((p, i) => {
    const parts: string[] = [];
    if (p.hoursOld !== null && p.hoursOld !== undefined && p.hoursOld > 72)
      parts.push(`拍摄于举报前 ${p.hoursOld >= 48 ? `${Math.round(p.hoursOld / 24)} 天` : `${Math.round(p.hoursOld)} 小时`}（EXIF 时间）`);
    if (p.metersFromReport !== null && p.metersFromReport !== undefined && p.metersFromReport > 500) parts.push(`拍摄地点距举报位置 ${Math.round(p.metersFromReport)} 米（GPS）`);
    if (p.seenOnEarlierReport) parts.push('与较早举报的照片相同');
    if (parts.length) lines.push(`照片 ${i + 1}：${parts.join('；')}`);
  });
  if ((facts as Partial<RewardFacts>).tier === 'major') lines.push('重大类别奖励，须人工确认');
  return lines;
}

/** One report's photos with their EXIF times; `label` names whose they are when two are compared. */
function ReportPhotos({ report, label }: { report: ReportDto; label?: string }) {
  return (
    <>
      {report.photos.map((p) => (
        <div key={p.id} style={{ textAlign: 'center' }} className={label ? 'photo-earlier' : undefined}>
          <Image src={p.thumbUrl} preview={{ src: p.url }} width={200} height={150} style={{ objectFit: 'cover' }} />
          <div style={{ fontSize: 12, color: '#666' }}>
            {label ? `${label}（${report.caseNumber ?? report.id.slice(0, 8)}）· ` : ''}拍摄：{p.takenAt ? shTime(p.takenAt) : '无 EXIF 时间'} · 举报：{shTime(report.createdAt)}
          </div>
        </div>
      ))}
    </>
  );
}

function EarlierReportPhotos({ reportId }: { reportId: string }) {
  const res = useApi<{ report: ReportDto }>(`/staff/reports/${reportId}`);
  if (res.error) return <Typography.Text type='secondary'>{messageOf(res.error)}</Typography.Text>;
  return res.data ? <ReportPhotos report={res.data.report} label='较早的举报' /> : <Spin size='small' />;
}

/**
 * The held report's photos, and beside them the earlier report's when the hold is a photo match,
 * for the reviewer to judge against the reason.
 */
function HeldPhotos({ reportId, facts }: { reportId: string; facts: Partial<RewardFacts> | Record<string, unknown> }) {
  const res = useApi<{ report: ReportDto }>(`/staff/reports/${reportId}`);
  if (res.error) return <Typography.Text type='secondary'>{messageOf(res.error)}</Typography.Text>;
  const r = res.data?.report;
  if (!r) return <Spin size='small' />;
  const photoFacts = ((facts as Partial<RewardFacts>).photos ?? []) as RewardFacts['photos'];
  const earlier = [...new Set(photoFacts.map((p) => p.earlierReportId).filter((id): id is string => Boolean(id)))];
  return (
    <Space wrap className='photo-pair'>
      <ReportPhotos report={r} />
      {earlier.map((id) => (
        <EarlierReportPhotos key={id} reportId={id} />
      ))}
      <div style={{ fontSize: 12, color: '#666', maxWidth: 360 }}>
        {r.categoryName} · {r.address}
        <br />
        {r.description}
      </div>
    </Space>
  );
}

function DecisionDialog(props: { title: string; approve: boolean; count: number; open: boolean; onCancel: () => void; onSubmit: (note: string) => Promise<void> }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      title={props.title}
      open={props.open}
      onCancel={props.onCancel}
      okText={props.approve ? '确认通过' : '确认驳回'}
      okButtonProps={{ danger: !props.approve, disabled: !note.trim(), id: 'decision-ok' }}
      confirmLoading={busy}
      onOk={async () => {
        setBusy(true);
        try {
          await props.onSubmit(note.trim());
          setNote('');
        } finally {
          setBusy(false);
        }
      }}
      destroyOnHidden
    >
      <Typography.Paragraph>
        共 {props.count} 条。审核意见会记入审计日志{props.approve ? '，通过后仍受每日、每月上限和预算约束' : ''}。
      </Typography.Paragraph>
      <Form layout='vertical'>
        <Form.Item label='审核意见' required>
          <Input.TextArea id='decision-note' rows={3} maxLength={500} showCount value={note} onChange={(e) => setNote(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function RewardReview() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const queue = useApi<RewardReviewQueueDto>('/staff/rewards/review');
  const [heldSelected, setHeldSelected] = useState<string[]>([]);
  const [appealSelected, setAppealSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<{ kind: 'held' | 'appeal'; approve: boolean; ids: string[] } | null>(null);
  const canDecide = can('rewards.review');
  const [params, setParams] = useSearchParams();

  const decide = async (note: string) => {
    if (!dialog) return;
    let done = 0;
    const failures: string[] = [];
    for (const id of dialog.ids) {
      try {
        const path = dialog.kind === 'held' ? `/staff/rewards/held/${id}/decision` : `/staff/rewards/appeals/${id}/decision`;
        await api(path, { body: { approve: dialog.approve, note } });
        done += 1;
      } catch (err) {
        failures.push(messageOf(err));
      }
    }
    if (done) message.success(`已处理 ${done} 条`);
    if (failures.length) message.error(`${failures.length} 条未处理：${failures[0]}`);
    setDialog(null);
    setHeldSelected([]);
    setAppealSelected([]);
    queue.reload();
  };

  const actions = (kind: 'held' | 'appeal', id: string) =>
    canDecide ? (
      <Space>
        <Button size='small' type='primary' onClick={() => setDialog({ kind, approve: true, ids: [id] })}>
          通过
        </Button>
        <Button size='small' danger onClick={() => setDialog({ kind, approve: false, ids: [id] })}>
          驳回
        </Button>
      </Space>
    ) : null;

  const held = queue.data?.held ?? [];
  const appeals = queue.data?.appeals ?? [];
  return (
    <div>
      <h2 className='page-title'>奖励审核</h2>
      {queue.error ? <Alert type='error' showIcon message={messageOf(queue.error)} style={{ marginBottom: 12 }} /> : null}
      {!canDecide && <Alert type='info' showIcon message='您的角色只能查看审核队列，不能作出审核决定。' style={{ marginBottom: 12 }} />}
      <Card>
        <Tabs
          activeKey={params.get('tab') === 'appeals' ? 'appeals' : 'held'}
          onChange={(key) => setParams(key === 'appeals' ? { tab: 'appeals' } : {}, { replace: true })}
          items={[
            {
              key: 'held',
              label: `待审核奖励（${held.length}）`,
              children: (
                <>
                  {canDecide && (
                    <Space style={{ marginBottom: 12 }}>
                      <Button disabled={!heldSelected.length} onClick={() => setDialog({ kind: 'held', approve: true, ids: heldSelected })}>
                        批量通过
                      </Button>
                      <Button danger disabled={!heldSelected.length} onClick={() => setDialog({ kind: 'held', approve: false, ids: heldSelected })}>
                        批量驳回
                      </Button>
                    </Space>
                  )}
                  <Table<HeldRewardDto>
                    id='held-table'
                    rowKey='reportId'
                    scroll={{ x: 1000 }}
                    size='middle'
                    loading={queue.loading}
                    dataSource={held}
                    pagination={{ pageSize: 20 }}
                    rowSelection={canDecide ? { selectedRowKeys: heldSelected, onChange: (keys) => setHeldSelected(keys as string[]) } : undefined}
                    expandable={can('reports.read') ? { expandedRowRender: (r) => <HeldPhotos reportId={r.reportId} facts={r.facts} />, rowExpandable: () => true } : undefined}
                    locale={{ emptyText: '没有待审核的奖励' }}
                    columns={[
                      { title: '举报', dataIndex: 'reportId', width: 120, render: (id: string) => (can('reports.read') ? <Link to={`/reports/${id}`}>{id.slice(0, 8)}</Link> : id.slice(0, 8)) },
                      { title: '类别', dataIndex: 'categoryName', width: 140 },
                      { title: '金额', dataIndex: 'amountFen', width: 100, render: yuan },
                      {
                        title: '暂缓原因',
                        render: (_: unknown, r) => (
                          <div>
                            <Tag color='orange'>{r.reasonName}</Tag>
                            {heldEvidence(r.facts).map((line) => (
                              <div key={line} style={{ fontSize: 12, color: '#666' }}>
                                {line}
                              </div>
                            ))}
                          </div>
                        ),
                      },
                      { title: '决定时间', dataIndex: 'decidedAt', width: 150, render: shTime },
                      { title: '操作', width: 140, render: (_: unknown, r) => actions('held', r.reportId) },
                    ]}
                  />
                </>
              ),
            },
            {
              key: 'appeals',
              label: `居民申诉（${appeals.length}）`,
              children: (
                <>
                  {canDecide && (
                    <Space style={{ marginBottom: 12 }}>
                      <Button disabled={!appealSelected.length} onClick={() => setDialog({ kind: 'appeal', approve: true, ids: appealSelected })}>
                        批量支持申诉
                      </Button>
                      <Button danger disabled={!appealSelected.length} onClick={() => setDialog({ kind: 'appeal', approve: false, ids: appealSelected })}>
                        批量驳回
                      </Button>
                    </Space>
                  )}
                  <Table<RewardAppealItemDto>
                    rowKey='id'
                    scroll={{ x: 1000 }}
                    size='middle'
                    loading={queue.loading}
                    dataSource={appeals}
                    pagination={{ pageSize: 20 }}
                    rowSelection={canDecide ? { selectedRowKeys: appealSelected, onChange: (keys) => setAppealSelected(keys as string[]) } : undefined}
                    locale={{ emptyText: '没有待处理的申诉' }}
                    columns={[
                      { title: '举报', dataIndex: 'reportId', width: 120, render: (id: string) => (can('reports.read') ? <Link to={`/reports/${id}`}>{id.slice(0, 8)}</Link> : id.slice(0, 8)) },
                      { title: '类别', dataIndex: 'categoryName', width: 140 },
                      { title: '原决定', width: 160, render: (_: unknown, r) => <Tag>{r.decision.reasonName}</Tag> },
                      { title: '申诉理由', dataIndex: 'reason' },
                      { title: '提交时间', dataIndex: 'filedAt', width: 150, render: shTime },
                      { title: '操作', width: 140, render: (_: unknown, r) => actions('appeal', r.id) },
                    ]}
                  />
                </>
              ),
            },
          ]}
        />
      </Card>
      <DecisionDialog
        open={dialog !== null}
        approve={dialog?.approve ?? true}
        count={dialog?.ids.length ?? 0}
        title={dialog ? `${dialog.approve ? '通过' : '驳回'}${dialog.kind === 'held' ? '暂缓奖励' : '申诉'}` : ''}
        onCancel={() => setDialog(null)}
        onSubmit={decide}
      />
    </div>
  );
}
