import { sql, type SQL } from 'drizzle-orm';
import { FIGURE_DEFINITIONS, type FigureDimension } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';

/** The levels 满意率 counts as satisfied (非常满意, 满意, 基本满意); see `isSatisfiedRating`. */
const SATISFIED_LEVELS = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;

export interface FigureCountsQuery {
  /** Reports created at or after this instant… */
  start: Date;
  /** …and before this one. */
  end: Date;
  groupBy: FigureDimension | null;
  street?: string;
  category?: string;
  department?: string;
}

/** The numerators and denominators of one group; `key` is '' for the ungrouped total. */
export interface FigureCounts {
  key: string;
  reports: number;
  delivered: number;
  responded: number;
  registered: number;
  handled: number;
  closed: number;
  rated: number;
  satisfied: number;
}

type CountsRow = { [K in keyof FigureCounts]: K extends 'key' ? string : number | string };

/**
 * The group key per dimension. Fixed SQL chosen from a closed set, never built from input. Empty
 * street and missing department both become '' (the use case labels them).
 */
function groupKey(groupBy: FigureDimension | null): SQL {
  switch (groupBy) {
    case 'street':
      return sql`coalesce(r.street, '')`;
    case 'category':
      return sql`r.category`;
    case 'department':
      return sql`coalesce(r.department, '')`;
    case 'month':
      return sql`to_char(r.created_at at time zone 'Asia/Shanghai', 'YYYY-MM')`;
    case null:
      return sql`''`;
  }
}

export function figuresRepository(db: Database) {
  return {
    /**
     * One pass over the reports submitted in [start, end) (a range scan of `reports_created_idx`),
     * each joined to its latest rating round through `report_ratings_round_idx` (report_id, round):
     * the LATERAL subquery reads one index entry backwards per report. A latest rating excluded by
     * an upheld appeal leaves the report unrated, even if an earlier round was not excluded.
     * Without `groupBy` the answer is exactly one row (an aggregate without GROUP BY).
     */
    async counts(q: FigureCountsQuery): Promise<FigureCounts[]> {
      const key = groupKey(q.groupBy);
      const filters: SQL[] = [sql`r.created_at >= ${q.start.toISOString()}::timestamptz`, sql`r.created_at < ${q.end.toISOString()}::timestamptz`];
      if (q.street !== undefined) filters.push(sql`r.street = ${q.street}`);
      if (q.category !== undefined) filters.push(sql`r.category = ${q.category}`);
      if (q.department !== undefined) filters.push(sql`r.department = ${q.department}`);
      const registered = sql`r.registered_at is not null`;
      const rated = sql`lr.level is not null and lr.excluded_at is null`;
      const satisfiedLevels = sql.join(SATISFIED_LEVELS.map((level) => sql`${level}`), sql`, `);
      const rows = await queryRows<CountsRow>(
        db,
        sql`select ${key} as key,
              count(*)::int as reports,
              count(*) filter (where r.case_id is not null)::int as delivered,
              count(*) filter (where r.case_id is not null and r.responded_at is not null
                and r.responded_at - r.created_at <= make_interval(hours => ${FIGURE_DEFINITIONS.responseHours}))::int as responded,
              count(*) filter (where ${registered})::int as registered,
              count(*) filter (where ${registered} and (r.handled_at is not null or r.status = 'closed'))::int as handled,
              count(*) filter (where ${registered} and r.status = 'closed')::int as closed,
              count(*) filter (where ${rated})::int as rated,
              count(*) filter (where ${rated} and lr.level in (${satisfiedLevels}))::int as satisfied
            from reports r
            left join lateral (
              select rr.level, rr.excluded_at
              from report_ratings rr
              where rr.report_id = r.id
              order by rr.round desc
              limit 1
            ) lr on true
            where ${sql.join(filters, sql` and `)}
            ${q.groupBy ? sql`group by 1` : sql``}`,
      );
      return rows.map((row) => ({
        key: String(row.key ?? ''),
        reports: Number(row.reports),
        delivered: Number(row.delivered),
        responded: Number(row.responded),
        registered: Number(row.registered),
        handled: Number(row.handled),
        closed: Number(row.closed),
        rated: Number(row.rated),
        satisfied: Number(row.satisfied),
      }));
    },
  };
}
