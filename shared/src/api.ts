/** Shapes that travel over `/api/v1`. Times are ISO-8601 UTC strings; clients show them in Asia/Shanghai. */

export type UserRole = 'resident';
export type StaffRole = 'staff' | 'admin';

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
