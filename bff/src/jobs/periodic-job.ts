import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client';
import { row as rowOf, text } from '../db/rows';
import type { Logger } from '../logger';
import { SerialJob } from './serial-job';

/**
 * A job that runs once per period across every instance sharing the database: each instance ticks,
 * and the one whose insert into job_runs wins runs the period; the rest skip it. Periods are aligned
 * to the epoch (an hourly job's period starts on the hour), so instances agree without talking.
 */
export class PeriodicJob<T> {
  private readonly job: SerialJob<{ ran: boolean; outcome?: T }>;

  constructor(
    private readonly deps: { db: Database; logger: Logger; now: () => Date; instance: string },
    readonly name: string,
    private readonly periodMs: number,
    private readonly work: () => Promise<T>,
  ) {
    this.job = new SerialJob(name, () => this.runPeriod(), deps.logger);
  }

  /** Runs this period's work unless an instance (this one included) already claimed it. */
  runOnce(): Promise<{ ran: boolean; outcome?: T }> {
    return this.job.run();
  }

  /** Ticks a few times per period, so a period is claimed soon after it starts whichever instance is up. */
  start() {
    this.job.start(Math.max(1000, Math.floor(this.periodMs / 4)));
  }

  stop() {
    return this.job.stop();
  }

  private async runPeriod(): Promise<{ ran: boolean; outcome?: T }> {
    const { db } = this.deps;
    const periodStart = new Date(Math.floor(this.deps.now().getTime() / this.periodMs) * this.periodMs);
    const claimed = await queryRows(
      db,
      sql`insert into job_runs (job, period_start, instance) values (${this.name}, ${periodStart.toISOString()}, ${this.deps.instance})
          on conflict (job, period_start) do nothing returning job`,
      rowOf({ job: text }),
    );
    if (claimed.length === 0) return { ran: false };
    const outcome = await this.work();
    await db.execute(sql`update job_runs set finished_at = now(), outcome = ${JSON.stringify(outcome ?? null)}::jsonb where job = ${this.name} and period_start = ${periodStart.toISOString()}`);
    return { ran: true, outcome };
  }
}
