import { useCallback, useEffect, useRef } from 'react';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import type { ReportDto } from '@cityloop/shared';
import { toApiError } from '../../services/request';
import { reportDetailUrl, submitReport } from '../../services/reports';
import { isOfflineError } from '../../services/report-draft';
import { draftBlocker, draftBody, newDraft, newIdempotencyKey } from '../../utils/draft-rules';
import { recordCategoryUse } from '../../utils/reports';
import type { DraftStore } from './store';
import { discardPhotoFiles, toast, type UploadOutcome } from './usePhotos';

const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';
/** While 待发送, also retry on a timer: WeChat reports network changes, not a server coming back. */
const PENDING_RETRY_MS = 30_000;

export const PENDING_TEXT = '网络不可用，已保存草稿，恢复网络后自动提交';

interface PhotoActions {
  uploadOne: (localId: string) => Promise<UploadOutcome>;
  cancelAll: () => void;
}

/** Submitting, 待发送 with automatic resubmission (network back, page shown, timer), and 清空草稿. */
export function useSubmit(store: DraftStore, photos: PhotoActions, pending: boolean) {
  const { uploadOne, cancelAll } = photos;
  const visible = useRef(true);
  /** 清空草稿 is being confirmed: nothing may be sent meanwhile, even if the network comes back. */
  const discarding = useRef(false);

  const finishSubmitted = useCallback(
    (report: ReportDto, trigger: 'tap' | 'auto') => {
      recordCategoryUse(report.category);
      discardPhotoFiles(store.get().draft.photos);
      store.dispatch({ type: 'submitted', fresh: newDraft() });
      if (trigger === 'tap' || visible.current) {
        if (trigger === 'auto') toast('待发送的举报已提交');
        Taro.navigateTo({ url: reportDetailUrl(report.id) }).catch(() => store.dispatch({ type: 'autoSubmitted', report }));
      } else {
        store.dispatch({ type: 'autoSubmitted', report });
      }
    },
    [store],
  );

  const goPending = useCallback(
    (trigger: 'tap' | 'auto') => {
      store.dispatch({ type: 'markedPending' });
      if (trigger === 'tap') toast(PENDING_TEXT);
    },
    [store],
  );

  const runSubmit = useCallback(
    async (trigger: 'tap' | 'auto') => {
      if (store.get().submitting) return;
      const blocker = draftBlocker(store.get().draft);
      if (blocker) {
        if (trigger === 'tap') toast(blocker);
        return;
      }
      store.dispatch({ type: 'submitStarted', byTap: trigger === 'tap' });
      try {
        // Photos that were waiting for the network go first; the report needs their ids.
        const outcomes = await Promise.all(
          store
            .get()
            .draft.photos.filter((p) => !p.photo)
            .map((p) => uploadOne(p.localId)),
        );
        if (outcomes.indexOf('network') >= 0) {
          goPending(trigger);
          return;
        }
        const stillBlocked = draftBlocker(store.get().draft);
        if (outcomes.indexOf('failed') >= 0 || stillBlocked) {
          store.dispatch({ type: 'submitRefused', text: stillBlocked ?? '有照片上传失败，请点击照片重试或删除' });
          return;
        }
        const body = draftBody(store.get().draft);
        const sent = store.dispatch({ type: 'bodySent', bodyJson: JSON.stringify(body), freshKey: newIdempotencyKey() });
        const report = await submitReport(body, sent.draft.idempotencyKey);
        finishSubmitted(report, trigger);
      } catch (err) {
        const error = toApiError(err);
        if (isOfflineError(error)) goPending(trigger);
        else if (error.status === 409) store.dispatch({ type: 'keyConflict', freshKey: newIdempotencyKey() });
        else store.dispatch({ type: 'submitRefused', text: error.message });
      } finally {
        store.dispatch({ type: 'submitEnded' });
      }
    },
    [store, uploadOne, goPending, finishSubmitted],
  );

  /**
   * The tap on 提交. WeChat only shows the subscribe prompt when it is requested synchronously in a
   * tap handler, so it is asked here before anything is awaited; the answer does not block submitting.
   */
  const submitTap = useCallback(() => {
    let asked: Promise<unknown> = Promise.resolve();
    const s = store.get();
    if (IS_WEAPP && REPORT_TEMPLATE_ID && !draftBlocker(s.draft) && !s.submitting) {
      try {
        asked = Taro.requestSubscribeMessage({ tmplIds: [REPORT_TEMPLATE_ID] } as Taro.requestSubscribeMessage.Option).catch(() => undefined);
      } catch {
        // old base library without the API: the report still goes out, just without WeChat notices
      }
    }
    asked.then(() => runSubmit('tap'));
  }, [store, runSubmit]);

  /** Leaves 待发送 so the resident can edit; a changed body will then get a new key. */
  const editPending = useCallback(() => store.dispatch({ type: 'pendingEdited' }), [store]);

  /** Network back, page shown, or the timer: send what is waiting. Safe to call any time. */
  const resume = useCallback(() => {
    if (discarding.current) return;
    const d = store.get().draft;
    if (d.pending) {
      runSubmit('auto').catch(() => undefined);
      return;
    }
    d.photos
      .filter((p) => p.status === 'waiting')
      .forEach((p) => {
        uploadOne(p.localId).catch(() => undefined);
      });
  }, [store, runSubmit, uploadOne]);

  const discard = useCallback(() => {
    if (store.get().submitting) return;
    discarding.current = true;
    Taro.showModal({ title: '清空草稿', content: '照片和填写的内容都会删除，确定吗？', confirmText: '清空', confirmColor: '#cf1322' }).then(
      (res) => {
        discarding.current = false;
        if (!res.confirm || store.get().submitting) {
          resume(); // what came back while the question was open
          return;
        }
        cancelAll();
        discardPhotoFiles(store.get().draft.photos);
        store.dispatch({ type: 'discarded', fresh: newDraft() });
      },
      () => {
        discarding.current = false;
      },
    );
  }, [store, resume, cancelAll]);

  useDidShow(() => {
    visible.current = true;
  });
  useDidHide(() => {
    visible.current = false;
  });

  useEffect(() => {
    if (IS_H5) {
      const onOnline = () => resume();
      window.addEventListener('online', onOnline);
      return () => window.removeEventListener('online', onOnline);
    }
    const onChange = (res: { isConnected: boolean }) => {
      if (res.isConnected) resume();
    };
    try {
      Taro.onNetworkStatusChange(onChange);
    } catch {
      return undefined;
    }
    return () => {
      try {
        Taro.offNetworkStatusChange(onChange);
      } catch {
        // base library before 2.9.3: the listener stays, and only calls resume
      }
    };
  }, [resume]);

  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(() => {
      if (visible.current) resume();
    }, PENDING_RETRY_MS);
    return () => clearInterval(timer);
  }, [pending, resume]);

  return { submitTap, editPending, resume, discard };
}
