import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { PENDING_TEXT, type ReportForm } from '../../../hooks/useReportDraft';
import { MY_REPORTS_URL } from '../../../services/reports';

/** The draft's state line, why it cannot go yet, 提交, and the links under it. */
export function SubmitCard({ form: r }: { form: ReportForm }) {
  const { draft, actions } = r;
  const draftStatus = r.submitting
    ? '正在提交…'
    : draft.pending
      ? `待发送：${PENDING_TEXT}`
      : draft.photos.some((p) => p.status === 'waiting')
        ? '有照片等待网络，恢复后自动上传；草稿已保存'
        : draft.category || draft.description || draft.address || draft.photos.length
          ? '草稿已自动保存'
          : '';

  return (
    <View className='card report__submit-card'>
      {draftStatus && (
        <Text id='report-draft-status' className={draft.pending ? 'report__draft-status report__draft-status--pending' : 'report__draft-status'}>
          {draftStatus}
        </Text>
      )}
      {r.blocker && !draft.pending && (
        <Text id='report-submit-reason' className='report__reason'>
          {r.blocker}
        </Text>
      )}
      <Button
        id='report-submit'
        className='report__submit'
        // `undefined`, not `false`: H5 would otherwise render disabled="false", which CSS and tests read as disabled.
        disabled={r.blocker || r.submitting ? true : undefined}
        onClick={actions.submitTap}
      >
        {r.submitting ? '正在提交…' : draft.pending ? '立即重试' : '提交'}
      </Button>
      <View className='report__footer'>
        {draft.pending && !r.submitting && (
          <Text id='report-edit-pending' className='report__link' onClick={actions.editPending}>
            修改内容
          </Text>
        )}
        {!r.submitting && draftStatus && (
          <Text id='report-discard' className='report__link report__link--muted' onClick={actions.discard}>
            清空草稿
          </Text>
        )}
        <Text id='report-mine-link' className='report__link' onClick={() => Taro.navigateTo({ url: MY_REPORTS_URL }).catch(() => undefined)}>
          我的举报
        </Text>
      </View>
    </View>
  );
}
