import { sql } from 'drizzle-orm';
import { boolean, check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** All timestamps are `timestamptz` and written in UTC. */
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Residents, keyed by their WeChat openid. openid and session_key never leave the server. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  openid: text('openid').notNull().unique(),
  unionid: text('unionid'),
  /** Kept server-side for later decryption of phone numbers; never presented. */
  sessionKey: text('session_key'),
  nickname: text('nickname'),
  blockedAt: timestamp('blocked_at', { withTimezone: true }),
  blockedReason: text('blocked_reason'),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Bureau staff. Created only by the CLI; there is no default account. */
export const staffAccounts = pgTable('staff_accounts', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** `scrypt$N$r$p$salt$hash`, all base64url. */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['staff', 'admin'] }).notNull().default('staff'),
  disabled: boolean('disabled').notNull().default(false),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [check('staff_accounts_role_check', sql`${t.role} in ('staff', 'admin')`)]);

export const schema = { users, staffAccounts };
