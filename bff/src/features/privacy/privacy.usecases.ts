import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { findCategory, formatYuan, type MyDataExportDto } from '@cityloop/shared';
import { inTransaction, type Database } from '../../db/client';
import {
  auditLog,
  notifications,
  photos,
  reportFollows,
  reportRatings,
  reports,
  rewardAppeals,
  rewardClaims,
  rewardDecisions,
  rewardLedger,
  stallSpotFollows,
  stallSpots,
  users,
} from '../../db/schema';
import { AppError } from '../../http/errors';
import type { Logger } from '../../logger';
import type { PhotoStorage } from '../../ports/storage/photo-storage';
import { recordAudit } from '../audit/audit';
import { getReport, type ReportDeps } from '../reports/reports.usecases';
import { appendLedgerEntry, ledgerBalance, lockUserLedger } from '../rewards/ledger';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * 个人信息保护法 art. 45: everything held about the resident, as they could read it in the app.
 * Excluded on purpose: the openid and session_key (WeChat's identifiers, never presented to anyone).
 */
export async function exportMyData(deps: ReportDeps, userId: string): Promise<MyDataExportDto> {
  const { db } = deps;
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || user.erasedAt) throw new AppError('TOKEN_INVALID');
  const [reportRows, ratings, ledger, claims, decisions, appeals, follows, reportFollowRows, notices] = await Promise.all([
    db.select({ id: reports.id }).from(reports).where(eq(reports.userId, userId)).orderBy(desc(reports.createdAt)),
    db.select().from(reportRatings).where(eq(reportRatings.userId, userId)).orderBy(asc(reportRatings.createdAt)),
    db.select().from(rewardLedger).where(eq(rewardLedger.userId, userId)).orderBy(asc(rewardLedger.seq)),
    db.select().from(rewardClaims).where(eq(rewardClaims.userId, userId)).orderBy(asc(rewardClaims.createdAt)),
    db.select().from(rewardDecisions).where(eq(rewardDecisions.userId, userId)),
    db.select().from(rewardAppeals).where(eq(rewardAppeals.userId, userId)),
    db
      .select({ spotId: stallSpotFollows.spotId, name: stallSpots.name, followedAt: stallSpotFollows.createdAt })
      .from(stallSpotFollows)
      .innerJoin(stallSpots, eq(stallSpots.id, stallSpotFollows.spotId))
      .where(eq(stallSpotFollows.userId, userId)),
    db
      .select({ reportId: reportFollows.reportId, category: reports.category, address: reports.address, followedAt: reportFollows.createdAt })
      .from(reportFollows)
      .innerJoin(reports, eq(reports.id, reportFollows.reportId))
      .where(eq(reportFollows.userId, userId))
      .orderBy(asc(reportFollows.createdAt)),
    db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(asc(notifications.createdAt)),
  ]);
  const reportDetails = [];
  for (const { id } of reportRows) reportDetails.push(await getReport(deps, { userId }, id, 'gcj02'));
  return {
    exportedAt: deps.now().toISOString(),
    profile: {
      id: user.id,
      nickname: user.nickname,
      createdAt: user.createdAt.toISOString(),
      lastLoginAt: user.lastLoginAt.toISOString(),
      blocked: user.blockedAt !== null,
      blockedReason: user.blockedReason,
      rewardExclusion: user.rewardExclusion,
      leaderboardOptIn: user.leaderboardOptIn,
    },
    reports: reportDetails,
    ratings: ratings.map((r) => ({
      reportId: r.reportId,
      round: r.round,
      level: r.level,
      speed: r.speed,
      result: r.result,
      attitude: r.attitude,
      comment: r.comment,
      createdAt: r.createdAt.toISOString(),
    })),
    rewards: {
      ledger: ledger.map((e) => ({
        seq: e.seq,
        kind: e.kind,
        amountFen: Number(e.amountFen),
        balanceFen: Number(e.balanceFen),
        reportId: e.reportId,
        claimId: e.claimId,
        reason: e.reason,
        createdAt: e.createdAt.toISOString(),
      })),
      claims: claims.map((c) => ({ id: c.id, amountFen: Number(c.amountFen), method: c.method, status: c.status, createdAt: c.createdAt.toISOString() })),
      decisions: decisions.map((d) => ({ reportId: d.reportId, outcome: d.outcome, amountFen: Number(d.amountFen), reason: d.reason, decidedAt: d.decidedAt.toISOString() })),
      appeals: appeals.map((a) => ({ reportId: a.reportId, reason: a.reason, status: a.status, decisionNote: a.decisionNote, createdAt: a.createdAt.toISOString() })),
    },
    stallSpotFollows: follows.map((f) => ({ spotId: f.spotId, name: f.name, followedAt: f.followedAt.toISOString() })),
    reportFollows: reportFollowRows.map((f) => ({ reportId: f.reportId, categoryName: findCategory(f.category)?.name ?? f.category, address: f.address, followedAt: f.followedAt.toISOString() })),
    notifications: notices.map((n) => ({ topic: n.topic, data: n.data, status: n.status, createdAt: n.createdAt.toISOString(), sentAt: iso(n.sentAt) })),
  };
}

export interface EraseOptions {
  /** The resident confirmed that a remaining balance is given up. */
  forfeitBalance: boolean;
}

/**
 * 个人信息保护法 art. 47: erase the account. What goes and what stays:
 * - personal fields, the openid and session_key go, so the same WeChat identity signs in as a new user;
 * - photos go (rows and stored objects); what the resident wrote (descriptions, comments, reasons) goes;
 * - reports stay for the city's figures, detached: they point at the empty row that replaces the user;
 * - ledger rows stay (money records are kept) and point at the same empty row;
 * - money still moving refuses the erasure; a balance is erased only once the resident gives it up.
 * The row itself stays as a tombstone because ledger, reports and claims reference it.
 */
export async function eraseMyAccount(deps: { db: Database; storage: PhotoStorage; logger: Logger; now: () => Date }, userId: string, options: EraseOptions) {
  const storageKeys: string[] = [];
  const summary = await inTransaction(deps.db, async (tx) => {
    await lockUserLedger(tx, userId);
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user || user.erasedAt) throw new AppError('TOKEN_INVALID');
    const moving = await tx
      .select({ id: rewardClaims.id })
      .from(rewardClaims)
      .where(and(eq(rewardClaims.userId, userId), inArray(rewardClaims.status, ['pending', 'processing'])));
    if (moving.length) throw new AppError('ACCOUNT_PAYOUT_IN_PROGRESS', undefined, { claims: moving.length });
    const { balanceFen } = await ledgerBalance(tx, userId);
    if (balanceFen > 0 && !options.forfeitBalance) {
      throw new AppError('ACCOUNT_HAS_BALANCE', `您还有 ${formatYuan(balanceFen)} 奖励余额。请先提现，或确认放弃余额后再注销`, { balanceFen });
    }
    if (balanceFen > 0) await appendLedgerEntry(tx, userId, { kind: 'adjustment', amountFen: -balanceFen, note: 'forfeited on account erasure' });

    const photoRows = await tx.delete(photos).where(eq(photos.ownerId, userId)).returning({ displayKey: photos.displayKey, thumbKey: photos.thumbKey });
    for (const p of photoRows) storageKeys.push(p.displayKey, p.thumbKey);
    const anonymised = await tx
      .update(reports)
      .set({ description: '', reworkReason: null, updatedAt: sql`now()` })
      .where(eq(reports.userId, userId))
      .returning({ id: reports.id });
    await tx
      .update(reportRatings)
      .set({ comment: null })
      .where(and(eq(reportRatings.userId, userId), isNotNull(reportRatings.comment)));
    await tx.update(rewardAppeals).set({ reason: '' }).where(eq(rewardAppeals.userId, userId));
    await tx.delete(notifications).where(eq(notifications.userId, userId));
    await tx.delete(stallSpotFollows).where(eq(stallSpotFollows.userId, userId));
    await tx.delete(reportFollows).where(eq(reportFollows.userId, userId));
    // The audit trail keeps who did what and when; the resident's own words in it go.
    await tx
      .update(auditLog)
      .set({ details: {} })
      .where(and(eq(auditLog.actorKind, 'resident'), eq(auditLog.actorId, userId)));
    await tx
      .update(users)
      .set({ openid: `erased:${userId}`, unionid: null, sessionKey: null, nickname: null, blockedReason: null, leaderboardOptIn: false, erasedAt: deps.now(), updatedAt: sql`now()` })
      .where(eq(users.id, userId));
    const result = { reports: anonymised.length, photos: photoRows.length, forfeitedFen: Math.max(balanceFen, 0) };
    await recordAudit(tx, { actorKind: 'resident', actorId: userId, action: 'user.erase', entityType: 'user', entityId: userId, details: result });
    return result;
  });
  // After the commit: a failed object delete leaves an orphan nobody can reach (links are checked
  // against the photo rows, which are gone), never a half-erased account.
  for (const key of storageKeys) {
    await deps.storage.delete(key).catch((err) => deps.logger.warn({ err }, 'photo object not deleted on erasure'));
  }
  return summary;
}
