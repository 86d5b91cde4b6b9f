/** Shapes that travel over `/api/v1`. Times are ISO-8601 UTC strings; clients show them in Asia/Shanghai. */

import type { StaffPermission, StaffRole } from './permissions';
import type { ReportDto } from './reports';

export type UserRole = 'resident';

export interface UserDto {
  id: string;
  nickname: string | null;
  role: UserRole;
  /** Blocked residents may sign in and read, but every write is refused. */
  blocked: boolean;
  createdAt: string;
}

export interface StaffDto {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  /** What this role may do (shared/src/permissions.ts), so the console can hide the rest. */
  permissions: StaffPermission[];
}

/** A staff account as admins manage it (GET /staff/accounts). */
export interface StaffAccountDto extends StaffDto {
  disabled: boolean;
  /** Set while the account is locked after repeated failed logins. */
  lockedUntil: string | null;
  failedLoginCount: number;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface LoginResponse {
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
  user: UserDto;
}

export interface StaffLoginResponse {
  token: string;
  expiresIn: number;
  staff: StaffDto;
}

export interface HealthDto {
  status: 'ok' | 'degraded';
  version: string;
  database: { status: 'up' | 'down'; driver: 'pglite' | 'postgres'; latencyMs: number | null };
  /** Work queues' load: uploads being processed and waiting (past maxWaiting they get 503). */
  queues: { photos: { running: number; waiting: number; concurrency: number; maxWaiting: number } };
  time: string;
}

export const API_PREFIX = '/api/v1';

/**
 * GET /me/data-export (个人信息保护法 art. 45): everything held about the resident. Reports are the same
 * shape as GET /reports/{id}, with photo links valid for an hour. The openid is never part of it.
 */
export interface MyDataExportDto {
  exportedAt: string;
  profile: {
    id: string;
    nickname: string | null;
    createdAt: string;
    lastLoginAt: string;
    blocked: boolean;
    blockedReason: string | null;
    rewardExclusion: string | null;
    leaderboardOptIn: boolean;
  };
  reports: ReportDto[];
  ratings: { reportId: string; round: number; level: string; speed: number | null; result: number | null; attitude: number | null; comment: string | null; createdAt: string }[];
  rewards: {
    ledger: { seq: number; kind: string; amountFen: number; balanceFen: number; reportId: string | null; claimId: string | null; reason: string | null; createdAt: string }[];
    claims: { id: string; amountFen: number; method: string; status: string; createdAt: string }[];
    decisions: { reportId: string; outcome: string; amountFen: number; reason: string; decidedAt: string }[];
    appeals: { reportId: string; reason: string; status: string; decisionNote: string | null; createdAt: string }[];
  };
  stallSpotFollows: { spotId: string; name: string; followedAt: string }[];
  /** Reports I said 我也遇到了 to (someone else's; nothing about their reporter). */
  reportFollows: { reportId: string; categoryName: string; address: string; followedAt: string }[];
  notifications: { topic: string; data: Record<string, string>; status: string; createdAt: string; sentAt: string | null }[];
}

/** DELETE /me: `confirm` must be true; `forfeitBalance` gives up a remaining reward balance. */
export interface EraseAccountBody {
  confirm: true;
  forfeitBalance?: boolean;
}

export interface EraseAccountResponse {
  erased: true;
  reports: number;
  photos: number;
  forfeitedFen: number;
}
