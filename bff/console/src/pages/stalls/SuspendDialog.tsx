import { App as AntApp, Input, Modal, Typography } from 'antd';
import { type StaffStallSpotDto } from '@cityloop/shared';
import { useState } from 'react';
import { api, messageOf } from '../../api';

export function SuspendDialog({ spot, onClose, onDone }: { spot: StaffStallSpotDto; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={`暂停摊点 · ${spot.name}`}
      okText='暂停'
      okButtonProps={{ danger: true, disabled: !reason.trim() }}
      confirmLoading={busy}
      onCancel={onClose}
      onOk={async () => {
        setBusy(true);
        try {
          await api(`/staff/stall-spots/${spot.id}/suspend`, { body: { reason: reason.trim() } });
          message.success('已暂停，关注者将收到通知');
          onDone();
        } catch (err) {
          message.error(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type='secondary'>暂停原因会展示给摊主和关注者。</Typography.Paragraph>
      <Input.TextArea rows={3} maxLength={200} showCount value={reason} onChange={(e) => setReason(e.target.value)} />
    </Modal>
  );
}
