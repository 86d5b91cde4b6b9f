import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { date, int, json, oneOf, row as rowOf, text } from '../../db/rows';
import { notifications, users } from '../../db/schema';
import { NOTIFICATION_TOPICS, type NotificationTopic } from './notifications';
import { OutboxDispatcher, type Outbox } from '../../jobs/outbox-worker';
import type { Logger } from '../../logger';
import { TransientSendError, type SubscribeMessenger } from '../../ports/notify/subscribe-messenger';

const noticeRow = rowOf({
  id: text,
  user_id: text,
  topic: oneOf<NotificationTopic>(NOTIFICATION_TOPICS),
  page: text,
  data: json<Record<string, string>>(),
  attempts: int,
  openid: text,
  created_at: date,
});
type NoticeRow = ReturnType<typeof noticeRow>;

/** Every failure is retried (WeChat's refusals are mostly quota and tokens), 8 attempts at most. */
const NOTICE_RETRY = {
  maxAttempts: 8,
  /** 30 s, 1 min, 2 min … capped at 1 h. */
  backoffSeconds: (attempts: number) => Math.min(3600, 30 * 2 ** (attempts - 1)),
  retryable: () => true,
};

/**
 * Sends due subscribe messages through the outbox worker. Rows are leased (next_attempt_at pushed out)
 * with SKIP LOCKED before sending, so several BFF instances never send the same row at once; a crash
 * mid-send retries after the lease.
 */
export class NotificationDispatcher extends OutboxDispatcher<NoticeRow> {
  constructor(
    private readonly deps: {
      db: Database;
      messenger: SubscribeMessenger;
      templates: Record<NotificationTopic, string | undefined>;
      logger: Logger;
    },
  ) {
    super();
  }

  protected log() {
    return this.deps.logger;
  }

  protected outbox(): Outbox<NoticeRow> {
    const { db } = this.deps;
    return {
      name: 'notification dispatch',
      batch: 50,
      lease: async (batch) => {
        const leased = await queryRows(
          db,
          sql`
          update ${notifications} n set next_attempt_at = now() + interval '2 minutes', attempts = n.attempts + 1
          from ${users} u
          where n.id in (
            select id from ${notifications}
            where status = 'pending' and next_attempt_at <= now()
            order by next_attempt_at, created_at
            limit ${batch}
            for update skip locked
          ) and u.id = n.user_id
          returning n.id, n.user_id, n.topic, n.page, n.data, n.attempts, n.created_at, u.openid`,
          noticeRow,
        );
        // RETURNING has no order; send in the order the changes happened (suspended, then resumed).
        return leased.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      },
      send: (row) => this.send(row),
      retry: NOTICE_RETRY,
      errorText: (err) => (err instanceof TransientSendError ? err.message : String(err)),
      postpone: async (row, error, delaySeconds) => {
        await db
          .update(notifications)
          .set({ lastError: error, nextAttemptAt: sql`now() + make_interval(secs => ${delaySeconds})` })
          .where(eq(notifications.id, row.id));
      },
      giveUp: async (row, error) => {
        await this.finish(row.id, 'failed', error);
        return true;
      },
      describeFailure: (row) => ({ context: { notificationId: row.id }, message: 'subscribe message not sent' }),
    };
  }

  /** One notice: skipped without a template or a subscription, else sent. */
  private async send(row: NoticeRow): Promise<boolean> {
    const templateId = this.deps.templates[row.topic];
    if (!templateId) {
      await this.finish(row.id, 'skipped', 'no template configured for this topic');
      return true;
    }
    const outcome = await this.deps.messenger.send({ openid: row.openid, templateId, page: row.page, data: row.data });
    await this.finish(row.id, outcome === 'sent' ? 'sent' : 'skipped', outcome === 'sent' ? null : 'user has not subscribed');
    return true;
  }

  private async finish(id: string, status: 'sent' | 'skipped' | 'failed', lastError: string | null) {
    await this.deps.db
      .update(notifications)
      .set({ status, lastError, sentAt: status === 'sent' ? sql`now()` : null })
      .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
  }
}
