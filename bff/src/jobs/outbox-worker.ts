import type { Logger } from '../logger';
import { SerialJob } from './serial-job';

/** A leased outbox row: the lease query has already counted this attempt. */
export interface LeasedRow {
  attempts: number;
}

/** When and whether a failed attempt is tried again. */
export interface RetryRule {
  /** Seconds to wait after the attempt numbered `attempts` failed. */
  backoffSeconds(attempts: number): number;
  /** The attempt after which a retryable failure is given up too; unlimited when absent. */
  maxAttempts?: number;
  retryable(err: unknown): boolean;
}

/**
 * What a feature supplies to the one outbox worker: how to lease due rows, how to send one, and what
 * to write when an attempt fails. `send` resolves to whether the row is settled (done for good).
 */
export interface Outbox<Row extends LeasedRow> {
  name: string;
  batch: number;
  /**
   * Leases up to `batch` due rows (FOR UPDATE SKIP LOCKED, next attempt pushed out), so N instances share
   * the queue. Lease and backoff times are the database's now(), not the app clock: one clock for every
   * instance however theirs drift, and a test clock set in the past cannot hide due work. Domain times
   * (deadlines, windows, expiry) come from the app clock.
   */
  lease(batch: number): Promise<Row[]>;
  send(row: Row): Promise<boolean>;
  retry: RetryRule;
  /** Records a failure to be retried after `delaySeconds`. */
  postpone(row: Row, error: string, delaySeconds: number): Promise<void>;
  /** Records a failure given up; resolves to whether that settled the row. */
  giveUp(row: Row, error: string): Promise<boolean>;
  /** The log line for a failed attempt: what identifies the row, and the message. */
  describeFailure(row: Row): { context: Record<string, unknown>; message: string };
  /** How an error is written into the row and the log. */
  errorText?(err: unknown): string;
}

export interface OutboxRun {
  leased: number;
  settled: number;
}

/**
 * Lease → attempt → settle, or back off, or give up → log: the loop every outbox (notices, case
 * delivery, payouts) runs. It never overlaps itself within an instance; across instances the lease does.
 */
export class OutboxWorker<Row extends LeasedRow> {
  private readonly job: SerialJob<OutboxRun>;

  constructor(
    private readonly outbox: Outbox<Row>,
    private readonly logger: Logger,
  ) {
    this.job = new SerialJob(outbox.name, () => this.dispatch(), logger);
  }

  /** One batch of what is due now. Concurrent calls share one run. */
  runOnce(): Promise<OutboxRun> {
    return this.job.run();
  }

  /** Batches until a short one, so a backlog does not wait a tick per batch. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { leased, settled } = await this.job.run();
      total += settled;
      if (leased < this.outbox.batch) return total;
    }
  }

  start(intervalMs: number) {
    this.job.start(intervalMs, () => this.drain());
  }

  stop() {
    return this.job.stop();
  }

  private async dispatch(): Promise<OutboxRun> {
    const { outbox } = this;
    const leased = await outbox.lease(outbox.batch);
    let settled = 0;
    for (const row of leased) {
      try {
        if (await outbox.send(row)) settled += 1;
      } catch (err) {
        const error = outbox.errorText ? outbox.errorText(err) : err instanceof Error ? err.message : String(err);
        const retryable = outbox.retry.retryable(err) && (outbox.retry.maxAttempts === undefined || row.attempts < outbox.retry.maxAttempts);
        if (retryable) await outbox.postpone(row, error, outbox.retry.backoffSeconds(row.attempts));
        else if (await outbox.giveUp(row, error)) settled += 1;
        const { context, message } = outbox.describeFailure(row);
        // A give-up the feature marks retryable (attempts ran out) is still a warning: it was expected to pass.
        this.logger[outbox.retry.retryable(err) ? 'warn' : 'error']({ ...context, attempts: row.attempts, retryable, error }, message);
      }
    }
    return { leased: leased.length, settled };
  }
}

/**
 * A feature's outbox (notices, case delivery, payouts): it supplies `outbox()` and its logger, and
 * gets the one worker's run-once, drain, timer and stop. The worker is made on first use, once the
 * subclass's own fields are set.
 */
export abstract class OutboxDispatcher<Row extends LeasedRow> {
  private worker?: OutboxWorker<Row>;

  protected abstract outbox(): Outbox<Row>;
  protected abstract log(): Logger;

  private get running(): OutboxWorker<Row> {
    return (this.worker ??= new OutboxWorker(this.outbox(), this.log()));
  }

  /** One batch of what is due now; resolves to how many rows it settled. Concurrent calls share one run. */
  async runOnce(): Promise<number> {
    return (await this.running.runOnce()).settled;
  }

  /** Batches until nothing is due, so a backlog is not held to one batch per tick. */
  drain(): Promise<number> {
    return this.running.drain();
  }

  start(intervalMs: number) {
    this.running.start(intervalMs);
  }

  stop() {
    return this.running.stop();
  }
}
