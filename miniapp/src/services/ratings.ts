import type { ReportRatingStateDto, SubmitRatingBody } from '@cityloop/shared';
import { request } from './request';

/** Fired by the rating page after a successful submit: (reportId, rating state). */
export const RATING_CHANGED_EVENT = 'cityloop:rating-changed';

/** Also the page WeChat opens from the "please rate" subscribe message. */
export function ratePageUrl(reportId: string): string {
  return `/packages/report/rate/index?id=${encodeURIComponent(reportId)}`;
}

const reportPath = (reportId: string, action: string) => `/reports/${encodeURIComponent(reportId)}/${action}`;

export async function submitRating(reportId: string, body: SubmitRatingBody): Promise<ReportRatingStateDto> {
  const { rating } = await request<{ rating: ReportRatingStateDto }>({ path: reportPath(reportId, 'rating'), method: 'POST', data: body });
  return rating;
}

/** 申请重办: once per case, after a 差评 on a closed case. */
export async function requestRework(reportId: string, reason: string): Promise<ReportRatingStateDto> {
  const { rating } = await request<{ rating: ReportRatingStateDto }>({ path: reportPath(reportId, 'rework'), method: 'POST', data: { reason } });
  return rating;
}

/** "问题解决了吗？": a "no" on a closed case also asks for rework. */
export async function answerFixedQuestion(reportId: string, fixed: boolean): Promise<ReportRatingStateDto> {
  const { rating } = await request<{ rating: ReportRatingStateDto }>({ path: reportPath(reportId, 'fixed'), method: 'POST', data: { fixed } });
  return rating;
}
