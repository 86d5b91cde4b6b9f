import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { notifications, users } from '../../db/schema';
import type { NotificationTopic } from './notifications';
import { SerialJob } from '../../jobs/serial-job';
import type { Logger } from '../../logger';
import { TransientSendError, type SubscribeMessenger } from '../../ports/notify/subscribe-messenger';

const MAX_ATTEMPTS = 8;
/** 30 s, 1 min, 2 min … capped at 1 h. */
const backoffSeconds = (attempts: number) => Math.min(3600, 30 * 2 ** (attempts - 1));

/**
 * Sends due notices. Rows are leased (next_attempt_at pushed out) with SKIP LOCKED before sending, so
 * several BFF instances never send the same row at once; a crash mid-send retries after the lease.
 */
export class NotificationDispatcher {
  private readonly job: SerialJob<{ leased: number; settled: number }>;

  constructor(
    private readonly deps: {
      db: Database;
      messenger: SubscribeMessenger;
      templates: Record<NotificationTopic, string | undefined>;
      logger: Logger;
    },
  ) {
    this.job = new SerialJob('notification dispatch', () => this.dispatch(NotificationDispatcher.BATCH), deps.logger);
  }

  private static readonly BATCH = 50;

  /** Sends one batch of what is due now; returns how many rows it settled. Concurrent calls share one run. */
  async runOnce(): Promise<number> {
    return (await this.job.run()).settled;
  }

  /** Sends batches until nothing is due, so a backlog is not held to one batch per tick. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { leased, settled } = await this.job.run();
      total += settled;
      if (leased < NotificationDispatcher.BATCH) return total;
    }
  }

  start(intervalMs: number) {
    this.job.start(intervalMs, () => this.drain());
  }

  stop() {
    return this.job.stop();
  }

  private async dispatch(batch: number): Promise<{ leased: number; settled: number }> {
    const { db } = this.deps;
    const leased = await queryRows<{ id: string; user_id: string; topic: NotificationTopic; page: string; data: Record<string, string>; attempts: number; openid: string; created_at: string }>(db, sql`
      update ${notifications} n set next_attempt_at = now() + interval '2 minutes', attempts = n.attempts + 1
      from ${users} u
      where n.id in (
        select id from ${notifications}
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at, created_at
        limit ${batch}
        for update skip locked
      ) and u.id = n.user_id
      returning n.id, n.user_id, n.topic, n.page, n.data, n.attempts, n.created_at, u.openid`);
    // RETURNING has no order; send in the order the changes happened (suspended, then resumed).
    leased.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
    let settled = 0;
    for (const row of leased) {
      const templateId = this.deps.templates[row.topic];
      if (!templateId) {
        await this.finish(row.id, 'skipped', 'no template configured for this topic');
        settled += 1;
        continue;
      }
      try {
        const outcome = await this.deps.messenger.send({ openid: row.openid, templateId, page: row.page, data: row.data });
        await this.finish(row.id, outcome === 'sent' ? 'sent' : 'skipped', outcome === 'sent' ? null : 'user has not subscribed');
        settled += 1;
      } catch (err) {
        const message = err instanceof TransientSendError ? err.message : String(err);
        if (row.attempts >= MAX_ATTEMPTS) {
          await this.finish(row.id, 'failed', message);
          settled += 1;
        } else {
          await db
            .update(notifications)
            .set({ lastError: message, nextAttemptAt: sql`now() + make_interval(secs => ${backoffSeconds(row.attempts)})` })
            .where(eq(notifications.id, row.id));
        }
        this.deps.logger.warn({ notificationId: row.id, attempts: row.attempts, error: message }, 'subscribe message not sent');
      }
    }
    return { leased: leased.length, settled };
  }

  private async finish(id: string, status: 'sent' | 'skipped' | 'failed', lastError: string | null) {
    await this.deps.db
      .update(notifications)
      .set({ status, lastError, sentAt: status === 'sent' ? sql`now()` : null })
      .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
  }
}
