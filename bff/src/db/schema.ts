import { sql } from 'drizzle-orm';
import type { StallSchedule } from '@cityloop/shared';
import { bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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

/**
 * Legal selling points (引摊入市). Coordinates are WGS-84; `coord_approximate` marks points placed by
 * hand from a street name rather than surveyed. The GiST index on ll_to_earth() serves nearest-first
 * (KNN `<->`) and radius (`earth_box`) queries.
 */
export const stallSpots = pgTable(
  'stall_spots',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Stable external code used by imports to update rather than duplicate (e.g. KM-CG-01). */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    district: text('district').notNull(),
    street: text('street').notNull().default(''),
    address: text('address').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    coordApproximate: boolean('coord_approximate').notNull().default(false),
    radiusM: integer('radius_m').notNull().default(80),
    capacity: integer('capacity').notNull().default(0),
    goods: text('goods').array().notNull().default(sql`'{}'::text[]`),
    facilities: text('facilities').array().notNull().default(sql`'{}'::text[]`),
    rules: text('rules').notNull().default(''),
    managerName: text('manager_name'),
    managerPhone: text('manager_phone'),
    photos: text('photos').array().notNull().default(sql`'{}'::text[]`),
    schedule: jsonb('schedule').$type<StallSchedule>().notNull(),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    suspendedReason: text('suspended_reason'),
    suspendedUntil: timestamp('suspended_until', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('stall_spots_earth_idx').using('gist', sql`ll_to_earth(${t.lat}, ${t.lng})`),
    check('stall_spots_lat_check', sql`${t.lat} between -90 and 90`),
    check('stall_spots_lng_check', sql`${t.lng} between -180 and 180`),
    check('stall_spots_radius_check', sql`${t.radiusM} between 5 and 5000`),
    check('stall_spots_capacity_check', sql`${t.capacity} >= 0`),
    check('stall_spots_status_check', sql`${t.status} in ('active', 'suspended')`),
    check('stall_spots_kind_check', sql`${t.kind} in ('convenience_market', 'night_market', 'time_slot', 'seasonal_market', 'stall_cluster', 'guidance_point')`),
  ],
);

export const stallSpotFollows = pgTable(
  'stall_spot_follows',
  {
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    spotId: uuid('spot_id').notNull().references(() => stallSpots.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.spotId] }), index('stall_spot_follows_spot_idx').on(t.spotId)],
);

/** Who changed what and when. Append-only: nothing updates or deletes rows here. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorKind: text('actor_kind', { enum: ['staff', 'resident', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entityType, t.entityId, t.createdAt)],
);

/**
 * Outbox of WeChat subscribe messages. Rows are written in the same transaction as the change that
 * causes them; a dispatcher sends them with retries, so a WeChat outage delays notices, never loses them.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    page: text('page').notNull(),
    data: jsonb('data').$type<Record<string, string>>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'skipped', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`)],
);

export const schema = { users, staffAccounts, stallSpots, stallSpotFollows, auditLog, notifications };
