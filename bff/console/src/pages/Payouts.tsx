import { App as AntApp, Alert, Button, Card, Input, Modal, Radio, Space, Table, Tag, Typography, Upload } from 'antd';
import type { PayoutBatchCreatedDto, PayoutBatchDto, PayoutBatchListDto, PayoutBatchResultsDto } from '@cityloop/shared';
import { useEffect, useState } from 'react';
import { api, ApiError, messageOf } from '../api';
import { useAuth } from '../auth';
import { csvRecords, downloadText } from '../csv';
import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

interface ClaimRow {
  claimId: string;
  name: string;
  userId: string;
  amountFen: number;
  status: string;
  claimedAt: string;
  result: 'paid' | 'failed' | null;
  reason: string;
}

function ConfirmDialog({ batch, onClose, onDone }: { batch: PayoutBatchDto; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<ClaimRow[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<string>(`/staff/rewards/payout-batches/${batch.id}/csv`, { as: 'text' })
      .then((text) =>
        setRows(
          csvRecords(text).map((r) => ({
            claimId: r.claim_id,
            name: r.name,
            userId: r.user_id,
            amountFen: Number(r.amount_fen),
            status: r.status,
            claimedAt: r.claimed_at,
            result: r.status === 'processing' ? null : (r.status as 'paid' | 'failed'),
            reason: '',
          })),
        ),
      )
      .catch((err) => setError(messageOf(err)));
  }, [batch.id]);
  const pending = (rows ?? []).filter((r) => r.status === 'processing');
  const set = (claimId: string, patch: Partial<ClaimRow>) => setRows((rs) => (rs ?? []).map((r) => (r.claimId === claimId ? { ...r, ...patch } : r)));

  /** A result file: claim_id plus result (paid / failed, or 成功 / 失败) and an optional reason. */
  const applyResultFile = async (file: File) => {
    const records = csvRecords(await file.text());
    let matched = 0;
    for (const r of records) {
      const raw = (r.result ?? r.status ?? '').toLowerCase();
      const result = raw === 'paid' || raw === '成功' || raw === '已发放' ? 'paid' : raw === 'failed' || raw === '失败' ? 'failed' : null;
      if (r.claim_id && result && pending.some((p) => p.claimId === r.claim_id)) {
        set(r.claim_id, { result, reason: r.reason ?? r.failure_reason ?? '' });
        matched += 1;
      }
    }
    message.info(`结果文件匹配 ${matched} 条`);
    return false;
  };

  const submit = async () => {
    const marked = pending.filter((r) => r.result);
    const missingReason = marked.find((r) => r.result === 'failed' && !r.reason.trim());
    if (missingReason) return message.error('标记为失败的请填写原因');
    setBusy(true);
    try {
      const res = await api<PayoutBatchResultsDto>(`/staff/rewards/payout-batches/${batch.id}/results`, {
        body: {
          paid: marked.filter((r) => r.result === 'paid').map((r) => r.claimId),
          failed: marked.filter((r) => r.result === 'failed').map((r) => ({ claimId: r.claimId, reason: r.reason.trim() })),
        },
      });
      message.success(`已登记 ${res.settled} 条发放结果`);
      onDone();
    } catch (err) {
      message.error(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`确认发放结果 · 批次 ${batch.id.slice(0, 8)}`}
      open
      width={920}
      onCancel={onClose}
      onOk={submit}
      okText='提交结果'
      okButtonProps={{ id: 'results-submit', disabled: !pending.some((r) => r.result) }}
      confirmLoading={busy}
    >
      {error && <Alert type='error' showIcon message={error} />}
      <Space style={{ marginBottom: 12 }}>
        <Button onClick={() => setRows((rs) => (rs ?? []).map((r) => (r.status === 'processing' ? { ...r, result: 'paid' } : r)))} id='mark-all-paid'>
          全部标记为已发放
        </Button>
        <Upload accept='.csv,text/csv' showUploadList={false} beforeUpload={(f) => void applyResultFile(f) as unknown as boolean}>
          <Button>上传结果 CSV</Button>
        </Upload>
        <Typography.Text type='secondary'>结果文件列：claim_id, result（paid/failed）, reason</Typography.Text>
      </Space>
      <Table<ClaimRow>
        rowKey='claimId'
        size='small'
        loading={rows === null && !error}
        dataSource={rows ?? []}
        pagination={false}
        scroll={{ x: 760, y: 360 }}
        columns={[
          { title: '申请', dataIndex: 'claimId', width: 100, render: (v: string) => <span className='mono'>{v.slice(0, 8)}</span> },
          { title: '收款人', dataIndex: 'name', width: 100 },
          { title: '金额', dataIndex: 'amountFen', width: 90, render: yuan },
          { title: '申请时间', dataIndex: 'claimedAt', width: 140, render: shTime },
          {
            title: '结果',
            render: (_: unknown, r) =>
              r.status !== 'processing' ? (
                <Tag color={r.status === 'paid' ? 'green' : 'red'}>{r.status === 'paid' ? '已发放' : '发放失败'}</Tag>
              ) : (
                <Space>
                  <Radio.Group size='small' value={r.result} onChange={(e) => set(r.claimId, { result: e.target.value })}>
                    <Radio.Button value='paid'>已发放</Radio.Button>
                    <Radio.Button value='failed'>失败</Radio.Button>
                  </Radio.Group>
                  {r.result === 'failed' && <Input size='small' style={{ width: 180 }} placeholder='失败原因' value={r.reason} onChange={(e) => set(r.claimId, { reason: e.target.value })} />}
                </Space>
              ),
          },
        ]}
      />
    </Modal>
  );
}

export default function Payouts() {
  const { can, staff } = useAuth();
  const { message, modal } = AntApp.useApp();
  const batches = useApi<PayoutBatchListDto>(can('payouts.confirm') ? '/staff/rewards/payout-batches' : null, { query: { limit: 50 } });
  const [confirming, setConfirming] = useState<PayoutBatchDto | null>(null);
  const [creating, setCreating] = useState(false);

  const create = () =>
    modal.confirm({
      title: '生成发放批次',
      content: '将所有待发放的提现申请（人工发放）编入一个新批次，并标记为发放中。批次须由另一名工作人员确认发放结果。',
      okText: '生成批次',
      onOk: async () => {
        setCreating(true);
        try {
          const { batch } = await api<{ batch: PayoutBatchCreatedDto }>('/staff/rewards/payout-batches', { method: 'POST' });
          message.success(`已生成批次：${batch.claimCount} 笔，共 ${yuan(batch.totalFen)}`);
          batches.reload();
        } catch (err) {
          // Nothing waiting is news, not a failure.
          if (err instanceof ApiError && err.code === 'PAYOUT_NOTHING_TO_BATCH') message.info(messageOf(err));
          else message.error(messageOf(err));
        } finally {
          setCreating(false);
        }
      },
    });

  const downloadCsv = async (id: string) => {
    try {
      downloadText(`payout-${id}.csv`, await api<string>(`/staff/rewards/payout-batches/${id}/csv`, { as: 'text' }));
    } catch (err) {
      message.error(messageOf(err));
    }
  };

  return (
    <div>
      <h2 className='page-title'>提现发放</h2>
      <Alert
        style={{ marginBottom: 12 }}
        type='info'
        showIcon
        message='管审分离：生成批次的人不能确认该批次的发放结果，须由另一名财务或管理员确认。CSV 只含申请号、用户编号和脱敏姓名，不含 openid。'
      />
      <Card
        title='发放批次'
        extra={
          can('payouts.prepare') && (
            <Button type='primary' onClick={create} loading={creating} id='create-batch'>
              生成发放批次
            </Button>
          )
        }
      >
        {batches.error ? <Alert type='error' showIcon message={messageOf(batches.error)} /> : null}
        <Table<PayoutBatchDto>
          id='batch-table'
          rowKey='id'
          scroll={{ x: 950 }}
          size='middle'
          loading={batches.loading}
          dataSource={batches.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: '还没有发放批次' }}
          columns={[
            { title: '批次', dataIndex: 'id', width: 110, render: (v: string) => <span className='mono'>{v.slice(0, 8)}</span> },
            { title: '生成人', width: 120, render: (_: unknown, b) => b.createdBy.displayName ?? '—' },
            { title: '笔数', dataIndex: 'claimCount', width: 70 },
            { title: '金额', dataIndex: 'totalFen', width: 110, render: yuan },
            { title: '生成时间', dataIndex: 'createdAt', width: 150, render: shTime },
            {
              title: '状态',
              width: 210,
              render: (_: unknown, b) => (
                <Space size={4} wrap>
                  <Tag color={b.state === 'settled' ? 'green' : 'gold'}>{b.state === 'settled' ? '已完成' : '待确认'}</Tag>
                  <span style={{ fontSize: 12, color: '#666' }}>
                    发放中 {b.claims.processing} · 成功 {b.claims.paid} · 失败 {b.claims.failed}
                  </span>
                </Space>
              ),
            },
            {
              title: '操作',
              render: (_: unknown, b) => (
                <Space>
                  {can('payouts.prepare') && (
                    <Button size='small' onClick={() => void downloadCsv(b.id)}>
                      下载 CSV
                    </Button>
                  )}
                  {b.state === 'awaiting_confirmation' &&
                    can('payouts.confirm') &&
                    (b.createdBy.id === staff?.id ? (
                      <Typography.Text type='secondary' style={{ fontSize: 12 }}>
                        须由他人确认
                      </Typography.Text>
                    ) : (
                      <Button size='small' type='primary' className='confirm-batch' onClick={() => setConfirming(b)}>
                        确认结果
                      </Button>
                    ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {confirming && (
        <ConfirmDialog
          batch={confirming}
          onClose={() => setConfirming(null)}
          onDone={() => {
            setConfirming(null);
            batches.reload();
          }}
        />
      )}
    </div>
  );
}
