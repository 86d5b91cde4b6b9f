import { ENDED_REPORT_STATUSES, type ReportStatus } from '@cityloop/shared';

/**
 * Whether a case-system update should move a report's status. Updates are ordered by the case
 * system's own clock: one older than the newest applied only joins the timeline (FixMyStreet does the
 * same), so a late-arriving "dispatched" can never undo "closed".
 */
export function shouldApplyStatus(current: { status: ReportStatus; lastCaseUpdateAt: Date | null }, update: { updatedAt: Date }): boolean {
  if (!current.lastCaseUpdateAt) return true;
  return update.updatedAt.getTime() >= current.lastCaseUpdateAt.getTime();
}

/** Cases still being worked on are polled; finished ones are not. */
export function isSettled(status: ReportStatus): boolean {
  return ENDED_REPORT_STATUSES.includes(status);
}
