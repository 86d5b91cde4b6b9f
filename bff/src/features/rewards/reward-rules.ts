import { eq } from 'drizzle-orm';
import { DEFAULT_REWARD_RULES, REWARD_RULE_BOUNDS as B, type RewardRules } from '@cityloop/shared';
import { z } from 'zod';
import { inTransaction, type Database } from '../../db/client';
import { rewardRules } from '../../db/schema';
import { recordAudit } from '../audit/audit';

const int = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

/** Every field bounded: a typo in a staff edit cannot open the till. */
export const rewardRulesSchema = z
  .object({
    amountsFen: z.object({ routine: int(B.amountFen), standard: int(B.amountFen), major: int(B.amountFen) }).strict(),
    dailyCapFen: int(B.capFen),
    monthlyCapFen: int(B.capFen),
    monthlyBudgetFen: int(B.budgetFen),
    dedupeWindowHours: int(B.hours),
    photoHashMaxDistance: int(B.hashDistance),
    photoMaxAgeHours: int(B.hours),
    photoMaxDistanceMeters: int(B.meters),
    claimMinFen: int(B.claimFen),
    claimMaxFen: int(B.claimFen),
    expiryDays: int(B.days),
  })
  .strict()
  .refine((r) => r.claimMinFen <= r.claimMaxFen, { message: 'claimMinFen must not exceed claimMaxFen', path: ['claimMinFen'] });

/** The rules in force: the stored row over the shared defaults (a key added later gets its default). */
export async function loadRewardRules(db: Database): Promise<RewardRules> {
  const [row] = await db.select({ rules: rewardRules.rules }).from(rewardRules).where(eq(rewardRules.id, 1));
  if (!row) return DEFAULT_REWARD_RULES;
  const stored = row.rules as Partial<RewardRules>;
  const merged = { ...DEFAULT_REWARD_RULES, ...stored, amountsFen: { ...DEFAULT_REWARD_RULES.amountsFen, ...stored.amountsFen } };
  const parsed = rewardRulesSchema.safeParse(merged);
  // A row that no longer validates (bounds tightened in code) falls back to the defaults rather than paying oddly.
  return parsed.success ? parsed.data : DEFAULT_REWARD_RULES;
}

export async function saveRewardRules(db: Database, staffId: string, rules: RewardRules, now: Date): Promise<RewardRules> {
  return inTransaction(db, async (tx) => {
    const before = await loadRewardRules(tx);
    const row = { id: 1, rules: rules as unknown as Record<string, unknown>, updatedBy: staffId, updatedAt: now };
    await tx
      .insert(rewardRules)
      .values(row)
      .onConflictDoUpdate({ target: rewardRules.id, set: { rules: row.rules, updatedBy: staffId, updatedAt: now } });
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'reward_rules.update', entityType: 'reward_rules', entityId: '1', details: { before, after: rules } });
    return rules;
  });
}
