import { sql } from 'drizzle-orm';
import { findCategory, maskName, type RewardFiguresDto } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import { int, nullable, row, text } from '../../db/rows';
import { loadRewardRules } from './reward-rules';
import { decisionsRepository } from './rewards.repository';

const usedRow = row({ used: int });
const categoryRow = row({ category: text, n: int, amount: int });
const reporterRow = row({ user_id: text, nickname: nullable(text), n: int, amount: int });

/** The staff's monthly figures: budget used, rewards by category, top reporters (opt-in, masked), appeals backlog. */
export async function rewardFigures(db: Database, month: string): Promise<RewardFiguresDto> {
  const rules = await loadRewardRules(db);
  // The month's bounds in Asia/Shanghai, as instants.
  const start = sql`(${month + '-01'}::timestamp at time zone 'Asia/Shanghai')`;
  const end = sql`((${month + '-01'}::timestamp + interval '1 month') at time zone 'Asia/Shanghai')`;
  const range = (column: string) => sql`${sql.raw(column)} >= ${start} and ${sql.raw(column)} < ${end}`;
  const [[budget], byCategory, top, backlog] = await Promise.all([
    queryRows(db, sql`select coalesce(sum(amount_fen), 0) as used from reward_ledger where kind in ('accrual', 'reversal') and ${range('created_at')}`, usedRow),
    queryRows(
      db,
      sql`select r.category, count(*)::int as n, sum(l.amount_fen) as amount from reward_ledger l join reports r on r.id = l.report_id
          where l.kind = 'accrual' and ${range('l.created_at')} group by r.category order by amount desc`,
      categoryRow,
    ),
    queryRows(
      db,
      sql`select l.user_id, u.nickname, count(*)::int as n, sum(l.amount_fen) as amount from reward_ledger l join users u on u.id = l.user_id
          where l.kind = 'accrual' and u.leaderboard_opt_in and ${range('l.created_at')} group by l.user_id, u.nickname order by amount desc, n desc limit 10`,
      reporterRow,
    ),
    decisionsRepository(db).backlog(),
  ]);
  return {
    month,
    budgetFen: rules.monthlyBudgetFen,
    budgetUsedFen: budget.used,
    byCategory: byCategory.map((c) => ({ category: c.category, categoryName: findCategory(c.category)?.name ?? c.category, rewards: c.n, amountFen: c.amount })),
    topReporters: top.map((t, i) => ({ rank: i + 1, name: maskName(t.nickname, t.user_id), rewards: t.n, amountFen: t.amount })),
    backlog: { pendingAppeals: backlog.appeals, oldestPendingAppealAt: backlog.oldest ? backlog.oldest.toISOString() : null, heldRewards: backlog.held },
  };
}
