import { sql } from 'drizzle-orm';
import type { StallSchedule } from '@cityloop/shared';
import { bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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

/**
 * Reports (随手拍). Coordinates are WGS-84. `last_case_update_at` is the case system's time of the
 * newest update applied: older updates still join the timeline but never move the status back.
 */
export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    userId: uuid('user_id').notNull().references(() => users.id),
    category: text('category').notNull(),
    serviceCode: text('service_code').notNull(),
    description: text('description').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    address: text('address').notNull(),
    status: text('status').notNull().default('submitted'),
    caseId: text('case_id').unique(),
    department: text('department'),
    expectedAt: timestamp('expected_at', { withTimezone: true }),
    afterPhotos: text('after_photos').array().notNull().default(sql`'{}'::text[]`),
    lastCaseUpdateAt: timestamp('last_case_update_at', { withTimezone: true }),
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('reports_user_idempotency_idx').on(t.userId, t.idempotencyKey),
    index('reports_user_created_idx').on(t.userId, t.createdAt),
    index('reports_earth_idx').using('gist', sql`ll_to_earth(${t.lat}, ${t.lng})`),
    check('reports_status_check', sql`${t.status} in ('submitted', 'received', 'accepted', 'rejected', 'duplicate', 'dispatched', 'handled', 'closed', 'reopened')`),
  ],
);

/** Uploaded photos: only the EXIF-free renditions are stored; capture time and GPS are kept as columns. */
export const photos = pgTable(
  'photos',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    ownerId: uuid('owner_id').notNull().references(() => users.id),
    reportId: uuid('report_id').references(() => reports.id),
    position: integer('position'),
    displayKey: text('display_key').notNull(),
    thumbKey: text('thumb_key').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    sourceType: text('source_type').notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true }),
    gpsLat: doublePrecision('gps_lat'),
    gpsLng: doublePrecision('gps_lng'),
    /** 64-bit difference hash, 16 hex characters: near-identical photos differ in few bits. */
    phash: text('phash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('photos_owner_idx').on(t.ownerId, t.createdAt), index('photos_report_idx').on(t.reportId)],
);

/** The timeline: our own `submitted` step and every case-system update, each applied once. */
export const reportEvents = pgTable(
  'report_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: uuid('report_id').notNull().references(() => reports.id),
    status: text('status').notNull(),
    note: text('note'),
    updateId: text('update_id'),
    mediaUrls: text('media_urls').array().notNull().default(sql`'{}'::text[]`),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('report_events_report_idx').on(t.reportId, t.occurredAt), uniqueIndex('report_events_update_idx').on(t.reportId, t.updateId)],
);

/** Deliveries to the case system, written in the report's transaction; the dispatcher retries with backoff. */
export const caseOutbox = pgTable(
  'case_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: uuid('report_id').notNull().references(() => reports.id),
    kind: text('kind', { enum: ['create', 'rework'] }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('case_outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`)],
);

export const schema = { users, staffAccounts, stallSpots, stallSpotFollows, auditLog, notifications, reports, photos, reportEvents, caseOutbox };
