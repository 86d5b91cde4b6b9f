import { App as AntApp, Alert, Button, Card, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { isBadRating, type StaffRatingItemDto, type StaffRatingListDto } from '@cityloop/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, messageOf } from '../api';
import { useAuth } from '../auth';
import { shTime } from '../format';
import { useApi } from '../useApi';

function NoteDialog(props: { title: string; label: string; okText: string; onCancel: () => void; onSubmit: (text: string) => Promise<void> }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={props.title}
      okText={props.okText}
      onCancel={props.onCancel}
      confirmLoading={busy}
      okButtonProps={{ disabled: !text.trim(), id: 'note-ok' }}
      onOk={async () => {
        setBusy(true);
        try {
          await props.onSubmit(text.trim());
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type='secondary'>{props.label}</Typography.Paragraph>
      <Input.TextArea id='note-text' rows={4} maxLength={500} showCount value={text} onChange={(e) => setText(e.target.value)} />
    </Modal>
  );
}

const APPEAL_STATUS: Record<'pending' | 'upheld' | 'dismissed', string> = { pending: '申诉待决定', upheld: '申诉成立', dismissed: '申诉驳回' };

const DIALOGS = {
  close: { title: '办结差评回访', label: '请写明回访情况和处理结果（记入审计日志）。', ok: '办结', done: '回访已办结' },
  appeal: { title: '对评价提出申诉', label: '认为评价有误或恶意时可申诉，须由另一名审核员决定；成立的申诉不计入满意率。', ok: '提交申诉', done: '申诉已提交，须由另一名审核员决定' },
  uphold: { title: '申诉成立', label: '成立后该评价不计入满意率（评价本身保留，居民仍可看到）。请写明核实情况。', ok: '确认成立', done: '申诉成立，该评价不计入统计' },
  dismiss: { title: '驳回申诉', label: '驳回后评价照常计入满意率。请写明理由。', ok: '确认驳回', done: '申诉已驳回' },
} as const;

export default function Ratings() {
  const { can, staff } = useAuth();
  const { message } = AntApp.useApp();
  const [filter, setFilter] = useState<'bad' | 'all'>('bad');
  const list = useApi<StaffRatingListDto>('/staff/ratings', { query: { bad: filter === 'bad', limit: 200 } });
  const [dialog, setDialog] = useState<{ kind: 'close' | 'appeal' | 'uphold' | 'dismiss'; rating: StaffRatingItemDto } | null>(null);

  // Bad ratings first, then open follow-ups by deadline (overdue first), then newest.
  const items = [...(list.data?.items ?? [])].sort((a, b) => {
    const bad = Number(isBadRating(b.level)) - Number(isBadRating(a.level));
    if (bad) return bad;
    const openA = a.followUp?.status === 'open' ? a.followUp.dueAt : '9999';
    const openB = b.followUp?.status === 'open' ? b.followUp.dueAt : '9999';
    return openA === openB ? b.at.localeCompare(a.at) : openA.localeCompare(openB);
  });

  const submit = async (text: string) => {
    if (!dialog) return;
    try {
      const { kind, rating } = dialog;
      if (kind === 'close') await api(`/staff/ratings/${rating.id}/follow-up`, { body: { note: text } });
      else if (kind === 'appeal') await api(`/staff/ratings/${rating.id}/appeals`, { body: { reason: text } });
      else await api(`/staff/rating-appeals/${rating.appeal!.id}/decision`, { body: { uphold: kind === 'uphold', note: text } });
      message.success(DIALOGS[kind].done);
      setDialog(null);
      list.reload();
    } catch (err) {
      message.error(messageOf(err));
    }
  };

  return (
    <div>
      <h2 className='page-title'>差评回访</h2>
      <Card>
        <Space style={{ marginBottom: 12 }}>
          <Segmented
            value={filter}
            onChange={(v) => setFilter(v as 'bad' | 'all')}
            options={[
              { label: '只看差评', value: 'bad' },
              { label: '全部评价', value: 'all' },
            ]}
          />
          <Typography.Text type='secondary'>评价人匿名显示。差评须在期限内回访并办结，逾期标红。</Typography.Text>
        </Space>
        {list.error ? <Alert type='error' showIcon message={messageOf(list.error)} /> : null}
        <Table<StaffRatingItemDto>
          id='ratings-table'
          rowKey='id'
          scroll={{ x: 1050 }}
          size='middle'
          loading={list.loading}
          dataSource={items}
          pagination={{ pageSize: 20 }}
          rowClassName={(r) => (r.followUp?.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: '没有评价' }}
          columns={[
            {
              title: '案件',
              width: 150,
              render: (_: unknown, r) => (can('reports.read') ? <Link to={`/reports/${r.reportId}`}>{r.caseNumber ?? r.reportId.slice(0, 8)}</Link> : (r.caseNumber ?? '—')),
            },
            { title: '类别', dataIndex: 'categoryName', width: 130 },
            {
              title: '评价',
              width: 130,
              render: (_: unknown, r) => (
                <Tag color={isBadRating(r.level) ? 'red' : 'green'}>
                  {r.levelName}
                  {r.round > 1 ? ` · 第${r.round}轮` : ''}
                </Tag>
              ),
            },
            { title: '意见', dataIndex: 'comment', render: (v: string | null) => v || '—' },
            {
              title: '回访期限',
              width: 170,
              render: (_: unknown, r) =>
                r.followUp ? (
                  r.followUp.status === 'done' ? (
                    <Tag color='green'>已办结</Tag>
                  ) : (
                    <span style={{ color: r.followUp.overdue ? '#cf1322' : undefined }}>
                      {shTime(r.followUp.dueAt)}
                      {r.followUp.overdue ? '（已逾期）' : ''}
                    </span>
                  )
                ) : (
                  '—'
                ),
            },
            { title: '评价时间', dataIndex: 'at', width: 150, render: shTime },
            {
              title: '操作',
              width: 190,
              render: (_: unknown, r) => (
                <Space>
                  {r.followUp?.status === 'open' && can('ratings.follow_up') && (
                    <Button size='small' type='primary' className='close-follow-up' onClick={() => setDialog({ kind: 'close', rating: r })}>
                      办结回访
                    </Button>
                  )}
                  {!r.appeal && can('ratings.appeal.file') && (
                    <Button size='small' onClick={() => setDialog({ kind: 'appeal', rating: r })}>
                      申诉
                    </Button>
                  )}
                  {r.appeal && <Tag title={r.appeal.reason}>{APPEAL_STATUS[r.appeal.status]}</Tag>}
                  {/* 管审分离: the member who filed the appeal does not see the decision buttons (the BFF refuses them anyway). */}
                  {r.appeal?.status === 'pending' && r.appeal.filedBy !== staff?.id && can('ratings.appeal.decide') && (
                    <>
                      <Button size='small' className='appeal-uphold' onClick={() => setDialog({ kind: 'uphold', rating: r })}>
                        申诉成立
                      </Button>
                      <Button size='small' className='appeal-dismiss' onClick={() => setDialog({ kind: 'dismiss', rating: r })}>
                        驳回
                      </Button>
                    </>
                  )}
                  {r.excludedFromFigures && <Tag color='default'>不计入统计</Tag>}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {dialog && (
        <NoteDialog
          title={DIALOGS[dialog.kind].title}
          label={dialog.kind === 'uphold' || dialog.kind === 'dismiss' ? `申诉理由：${dialog.rating.appeal?.reason ?? ''}。${DIALOGS[dialog.kind].label}` : DIALOGS[dialog.kind].label}
          okText={DIALOGS[dialog.kind].ok}
          onCancel={() => setDialog(null)}
          onSubmit={submit}
        />
      )}
    </div>
  );
}
