/** Shapes that travel over `/api/v1`. Times are ISO-8601 UTC strings; clients show them in Asia/Shanghai. */

import type { StaffPermission, StaffRole } from './permissions';

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
  time: string;
}

export const API_PREFIX = '/api/v1';
