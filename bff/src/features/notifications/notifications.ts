import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { row, text } from '../../db/rows';
import { notifications, reportFollows, stallSpotFollows, users } from '../../db/schema';
import type { Logger } from '../../logger';
import { cutText } from '@cityloop/shared';

const idRow = row({ id: text });

/** Topics we notify about, each mapped to a WeChat subscribe-message template by configuration. */
/** The rating reminder and "is it fixed?" reuse the report-status template's fields (thing1, phrase2, thing3, time4). */
export const NOTIFICATION_TOPICS = ['stall_spot_changed', 'report_status_changed', 'report_rating_reminder', 'report_fixed_question'] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

/** WeChat caps `thing` fields at 20 characters; cut whole characters, never half an emoji. */
export const thing = (text: string) => cutText(text, 20);

export type NoticeLog = Pick<Logger, 'error'>;

/**
 * Runs a notice write in a savepoint of the caller's transaction. The change a notice announces is
 * the record and must commit even when its notice cannot be written: that failure is logged (the
 * database's error code only, never the statement's values) and the notice is dropped.
 */
async function secondary<T>(tx: Database, log: NoticeLog, what: Record<string, unknown>, fallback: T, write: (sp: Database) => Promise<T>): Promise<T> {
  try {
    return await tx.transaction((sp) => write(sp as unknown as Database));
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    log.error({ ...what, dbCode: e.cause?.code ?? e.code ?? null }, 'notice not written');
    return fallback;
  }
}

/** Queues one notice per follower of a spot, inside the caller's transaction; returns how many (0 if it could not). */
export async function enqueueForSpotFollowers(tx: Database, log: NoticeLog, spotId: string, notice: { page: string; data: Record<string, string> }): Promise<number> {
  return secondary(tx, log, { topic: 'stall_spot_changed', spotId }, 0, async (sp) => {
    const inserted = await queryRows(
      sp,
      sql`
      insert into ${notifications} (user_id, topic, page, data)
      select user_id, 'stall_spot_changed', ${notice.page}, ${JSON.stringify(notice.data)}::jsonb
      from ${stallSpotFollows} where spot_id = ${spotId}
      returning id`,
      idRow,
    );
    return inserted.length;
  });
}

/**
 * Queues a report's status notice for each of its followers (我也遇到了), inside the caller's
 * transaction; returns how many (0 if it could not). Erased accounts are told nothing more.
 */
export async function enqueueForReportFollowers(tx: Database, log: NoticeLog, reportId: string, notice: { page: string; data: Record<string, string> }): Promise<number> {
  return secondary(tx, log, { topic: 'report_status_changed', reportId, followers: true }, 0, async (sp) => {
    const inserted = await queryRows(
      sp,
      sql`
      insert into ${notifications} (user_id, topic, page, data)
      select f.user_id, 'report_status_changed', ${notice.page}, ${JSON.stringify(notice.data)}::jsonb
      from ${reportFollows} f join ${users} u on u.id = f.user_id
      where f.report_id = ${reportId} and u.erased_at is null
      returning id`,
      idRow,
    );
    return inserted.length;
  });
}

/** Queues one notice for one user (a report's reporter), inside the caller's transaction; returns whether it was written. */
export async function enqueueForUser(tx: Database, log: NoticeLog, userId: string, topic: NotificationTopic, notice: { page: string; data: Record<string, string> }): Promise<boolean> {
  return secondary(tx, log, { topic, userId }, false, async (sp) => {
    // An erased account keeps its reports (for the figures) but is told nothing more.
    const inserted = await queryRows(
      sp,
      sql`
      insert into ${notifications} (user_id, topic, page, data)
      select id, ${topic}, ${notice.page}, ${JSON.stringify(notice.data)}::jsonb from ${users} where id = ${userId} and erased_at is null
      returning id`,
      idRow,
    );
    return inserted.length > 0;
  });
}
