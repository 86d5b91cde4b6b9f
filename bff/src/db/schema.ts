import { sql } from 'drizzle-orm';
import { ENDED_REPORT_STATUSES, OPEN_REPORT_STATUSES, STAFF_ROLES, type StallSchedule } from '@cityloop/shared';
import { bigint, bigserial, boolean, check, customType, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** A status group from shared/ as SQL literals, for partial indexes and the queries that must match them. */
export const statusListSql = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');
export const OPEN_STATUS_SQL = statusListSql(OPEN_REPORT_STATUSES);
export const ENDED_STATUS_SQL = statusListSql(ENDED_REPORT_STATUSES);

/** All timestamps are `timestamptz` and written in UTC. */
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Residents, keyed by their WeChat openid. openid and session_key never leave the server. */
export const users = pgTable('users', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  openid: text('openid').notNull().unique(),
  unionid: text('unionid'),
  /** Kept server-side for later decryption of phone numbers; never presented. */
  sessionKey: text('session_key'),
  nickname: text('nickname'),
  blockedAt: timestamp('blocked_at', { withTimezone: true }),
  blockedReason: text('blocked_reason'),
  /** Set by staff: staff members and full-time inspectors (信息采集员) earn no rewards. */
  rewardExclusion: text('reward_exclusion', { enum: ['staff', 'inspector'] }),
  /** Opt-in to appear, masked, on the staff's top-reporters figure. */
  leaderboardOptIn: boolean('leaderboard_opt_in').notNull().default(false),
  /** Set when the resident erased the account (PIPL art. 47): the row stays as an empty tombstone for the ledger and figures. */
  erasedAt: timestamp('erased_at', { withTimezone: true }),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Bureau staff. Created only by the CLI; there is no default account. */
export const staffAccounts = pgTable(
  'staff_accounts',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull(),
    /** `scrypt$N$r$p$salt$hash`, all base64url. */
    passwordHash: text('password_hash').notNull(),
    /** One of STAFF_ROLES; what each may do is the permission table in shared/src/permissions.ts. */
    role: text('role', { enum: STAFF_ROLES }).notNull().default('viewer'),
    disabled: boolean('disabled').notNull().default(false),
    /** Consecutive failed logins; reset by a successful login or an admin unlock. */
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    /** While in the future, every login is refused, the right password too. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [check('staff_accounts_role_check', sql.raw(`"staff_accounts"."role" in (${STAFF_ROLES.map((r) => `'${r}'`).join(', ')})`))],
);

/** PostgreSQL range types, carried as their text literals, e.g. `[360,1320)`, `{[20605,20727)}`. */
const int4range = customType<{ data: string; driverData: string }>({ dataType: () => 'int4range' });
const int4multirange = customType<{ data: string; driverData: string }>({ dataType: () => 'int4multirange' });

/**
 * Legal selling points (引摊入市). Coordinates are WGS-84; `coord_approximate` marks points placed by
 * hand from a street name rather than surveyed. The GiST index on ll_to_earth() serves nearest-first
 * (KNN `<->`) and radius (`earth_box`) queries.
 */
export const stallSpots = pgTable(
  'stall_spots',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
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
    goods: text('goods')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    facilities: text('facilities')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    rules: text('rules').notNull().default(''),
    managerName: text('manager_name'),
    managerPhone: text('manager_phone'),
    photos: text('photos')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    schedule: jsonb('schedule').$type<StallSchedule>().notNull(),
    status: text('status', { enum: ['active', 'suspended'] })
      .notNull()
      .default('active'),
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

/**
 * When each spot can be open, derived from its schedule on every write (`openHoursIndex` in shared/):
 * one row per opening span of the week (`week`, minutes from Monday 00:00 Shanghai, merged, overnight
 * spans split at Sunday midnight), with the days a window may open on (`days`: seasons and dated
 * exceptions, or every day) and a copy of the spot's position. The GiST index serves "open now,
 * nearest first" as one KNN scan that skips spots closed at the instant; it is a superset (a closed
 * date, out of season), so the schedule rules confirm each row.
 */
export const stallSpotOpenHours = pgTable(
  'stall_spot_open_hours',
  {
    spotId: uuid('spot_id')
      .notNull()
      .references(() => stallSpots.id, { onDelete: 'cascade' }),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    week: int4range('week').notNull(),
    days: int4multirange('days').notNull(),
  },
  (t) => [
    // Time first: the tree is split by opening span before place, so an instant when nothing nearby is
    // open prunes at the top (measured at 100,000 spots on PostgreSQL 15: 155 ms → 0.07 ms for no rows),
    // and nearest-first still walks by distance within the spans open now (11 → 13 ms for 500 rows).
    index('stall_spot_open_hours_open_knn_idx').using('gist', t.week, t.days, sql`ll_to_earth(${t.lat}, ${t.lng})`),
    index('stall_spot_open_hours_spot_idx').on(t.spotId),
  ],
);

export const stallSpotFollows = pgTable(
  'stall_spot_follows',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    spotId: uuid('spot_id')
      .notNull()
      .references(() => stallSpots.id, { onDelete: 'cascade' }),
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
  (t) => [
    index('audit_log_entity_idx').on(t.entityType, t.entityId, t.createdAt),
    // The staff audit-log page: newest first, by actor or by action.
    index('audit_log_created_idx').on(t.createdAt, t.id),
    index('audit_log_actor_idx').on(t.actorId, t.createdAt, t.id),
    index('audit_log_action_idx').on(t.action, t.createdAt, t.id),
  ],
);

/**
 * Outbox of WeChat subscribe messages. Rows are written in the same transaction as the change that
 * causes them; a dispatcher sends them with retries, so a WeChat outage delays notices, never loses them.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    page: text('page').notNull(),
    data: jsonb('data').$type<Record<string, string>>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'skipped', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * Reports (随手拍). Coordinates are WGS-84. `last_case_update_at` is the case system's time of the
 * newest update applied: older updates still join the timeline but never move the status back.
 */
export const reports = pgTable(
  'reports',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    category: text('category').notNull(),
    serviceCode: text('service_code').notNull(),
    description: text('description').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    /** What the resident typed, or the geocoded address when they typed nothing ('' when that failed too). */
    address: text('address').notNull(),
    /** The reverse geocoder's address for the point at submit time, null when it could not answer. */
    geocodedAddress: text('geocoded_address'),
    street: text('street'),
    status: text('status').notNull().default('submitted'),
    caseId: text('case_id').unique(),
    /**
     * Set when the case system took the report (2xx) without giving a case number (Open311 blackbox, or
     * batch before its token resolves): delivered, not to be posted again; the number is looked up later.
     */
    deliveredWithoutIdAt: timestamp('delivered_without_id_at', { withTimezone: true }),
    /** The batch service's token to exchange for the case number (Open311 tokens/{token}). */
    caseToken: text('case_token'),
    /** When the case number was last looked up: lookups rotate through the waiting reports, oldest first. */
    caseLookupAt: timestamp('case_lookup_at', { withTimezone: true }),
    department: text('department'),
    expectedAt: timestamp('expected_at', { withTimezone: true }),
    afterPhotos: text('after_photos')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    lastCaseUpdateAt: timestamp('last_case_update_at', { withTimezone: true }),
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    /** Milestones, each set once by the first update that reaches it; the figures read them, not the timeline. */
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    registeredAt: timestamp('registered_at', { withTimezone: true }),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    handledAt: timestamp('handled_at', { withTimezone: true }),
    /** The latest closure; a rework clears nothing, the next closure moves it on. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closingNote: text('closing_note'),
    reworkRequestedAt: timestamp('rework_requested_at', { withTimezone: true }),
    reworkReason: text('rework_reason'),
    ratingReminderSentAt: timestamp('rating_reminder_sent_at', { withTimezone: true }),
    fixedAskedAt: timestamp('fixed_asked_at', { withTimezone: true }),
    fixedAnswer: text('fixed_answer', { enum: ['fixed', 'not_fixed'] }),
    fixedAnsweredAt: timestamp('fixed_answered_at', { withTimezone: true }),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('reports_user_idempotency_idx').on(t.userId, t.idempotencyKey),
    index('reports_user_created_idx').on(t.userId, t.createdAt),
    // The few reports whose case number is still to be looked up, in the order the lookups take them.
    index('reports_case_lookup_idx')
      .on(sql`${t.caseLookupAt} asc nulls first`, t.deliveredWithoutIdAt)
      .where(sql`case_id is null and delivered_without_id_at is not null`),
    index('reports_earth_idx').using('gist', sql`ll_to_earth(${t.lat}, ${t.lng})`),
    // The map's open reports around the pin: a KNN scan over open reports only, so the closed ones a
    // busy street piles up over the years are never walked (keep the list equal to OPEN_REPORT_STATUSES).
    index('reports_open_earth_idx')
      .using('gist', sql`ll_to_earth(${t.lat}, ${t.lng})`)
      .where(sql.raw(`"reports"."status" in (${OPEN_STATUS_SQL})`)),
    index('reports_created_idx').on(t.createdAt),
    // The staff report list (GET /staff/reports): keyset pages per filter, and case-number prefix search.
    index('reports_status_created_idx').on(t.status, t.createdAt, t.id),
    index('reports_category_created_idx').on(t.category, t.createdAt, t.id),
    index('reports_street_created_idx').on(t.street, t.createdAt, t.id),
    index('reports_updated_idx').on(t.updatedAt, t.id),
    index('reports_created_id_idx').on(t.createdAt, t.id),
    index('reports_case_id_prefix_idx').using('btree', t.caseId.op('text_pattern_ops')),
    index('reports_closed_idx')
      .on(t.closedAt)
      .where(sql`${t.closedAt} is not null`),
    index('reports_dispatched_open_idx')
      .on(t.dispatchedAt)
      .where(sql`${t.fixedAskedAt} is null and ${t.status} not in (${sql.raw(ENDED_STATUS_SQL)})`),
    check('reports_fixed_answer_check', sql`${t.fixedAnswer} in ('fixed', 'not_fixed')`),
    check('reports_status_check', sql`${t.status} in ('submitted', 'received', 'accepted', 'rejected', 'duplicate', 'dispatched', 'handled', 'closed', 'reopened')`),
  ],
);

/**
 * 我也遇到了: a resident follows someone else's open report instead of filing a duplicate. A follow is
 * not a report: it earns nothing and is not counted in the figures; it brings the report's status notices.
 */
export const reportFollows = pgTable(
  'report_follows',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.reportId] }),
    index('report_follows_report_idx').on(t.reportId),
    // GET /me/report-follows: newest first, keyset-paged on (created_at, report_id).
    index('report_follows_user_created_idx').on(t.userId, t.createdAt, t.reportId),
  ],
);

/** Uploaded photos: only the EXIF-free renditions are stored; capture time and GPS are kept as columns. */
export const photos = pgTable(
  'photos',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
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
  (t) => [index('photos_owner_idx').on(t.ownerId, t.createdAt), index('photos_report_idx').on(t.reportId), index('photos_phash_idx').on(t.phash)],
);

/** The timeline: our own `submitted` step and every case-system update, each applied once. */
export const reportEvents = pgTable(
  'report_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id),
    status: text('status').notNull(),
    note: text('note'),
    updateId: text('update_id'),
    mediaUrls: text('media_urls')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('report_events_report_idx').on(t.reportId, t.occurredAt), uniqueIndex('report_events_update_idx').on(t.reportId, t.updateId)],
);

/** Deliveries to the case system, written in the report's transaction; the dispatcher retries with backoff. */
/**
 * One row per scheduled job and period (e.g. housekeeping, the hour starting at 10:00 UTC). The
 * instance whose insert wins runs that period; the others see the row and skip, so N instances run a
 * periodic job once per period. A run that crashed leaves finished_at null; the next period catches up.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    instance: text('instance').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    outcome: jsonb('outcome'),
  },
  (t) => [primaryKey({ columns: [t.job, t.periodStart] })],
);

export const caseOutbox = pgTable(
  'case_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id),
    kind: text('kind', { enum: ['create', 'rework', 'bad_rating'] }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: ['pending', 'done', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('case_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Reward rules, one row, edited by staff (every change audit-logged). Absent ⇒ the shared defaults. */
export const rewardRules = pgTable(
  'reward_rules',
  {
    id: integer('id').primaryKey().default(1),
    rules: jsonb('rules').$type<Record<string, unknown>>().notNull(),
    updatedBy: uuid('updated_by'),
    updatedAt: updatedAt(),
  },
  (t) => [check('reward_rules_single_row', sql`${t.id} = 1`)],
);

/** One decision per report, with the facts it was made on and a reason the resident can read. */
export const rewardDecisions = pgTable(
  'reward_decisions',
  {
    reportId: uuid('report_id')
      .primaryKey()
      .references(() => reports.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    outcome: text('outcome', { enum: ['accrued', 'held', 'none', 'reversed'] }).notNull(),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason').notNull(),
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull().default({}),
    reviewedBy: uuid('reviewed_by'),
    reviewNote: text('review_note'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('reward_decisions_outcome_check', sql`${t.outcome} in ('accrued', 'held', 'none', 'reversed')`),
    check('reward_decisions_amount_check', sql`${t.amountFen} >= 0`),
    index('reward_decisions_user_idx').on(t.userId, t.decidedAt),
    index('reward_decisions_held_idx')
      .on(t.decidedAt)
      .where(sql`${t.outcome} = 'held'`),
    // The staff list's rewardState=reversed filter (held has the index above): rare states are looked up first.
    index('reward_decisions_reversed_idx')
      .on(t.reportId)
      .where(sql`${t.outcome} = 'reversed'`),
  ],
);

/**
 * The reward ledger: append-only (a trigger refuses UPDATE and DELETE) and chained per user. Each
 * row names the previous row (`prev_seq`, `prev_balance_fen`) through a foreign key, and
 * `(user_id, seq)` is unique, so two writers cannot both extend the same balance; checks make
 * `balance = previous + amount` and forbid a claim or expiry that takes the balance below zero.
 * Accrual and reversal are unique per report, claim/payout/payout_failed unique per claim.
 * The constraints are added in the migration's hand-written part (drizzle-kit cannot express them).
 */
export const rewardLedger = pgTable(
  'reward_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    seq: integer('seq').notNull(),
    prevSeq: integer('prev_seq'),
    kind: text('kind', { enum: ['accrual', 'reversal', 'claim', 'payout', 'payout_failed', 'expiry', 'adjustment'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    prevBalanceFen: bigint('prev_balance_fen', { mode: 'number' }).notNull(),
    balanceFen: bigint('balance_fen', { mode: 'number' }).notNull(),
    reportId: uuid('report_id').references(() => reports.id),
    claimId: uuid('claim_id'),
    reason: text('reason'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reward_ledger_user_seq_idx').on(t.userId, t.seq),
    uniqueIndex('reward_ledger_chain_target_idx').on(t.userId, t.seq, t.balanceFen),
    uniqueIndex('reward_ledger_report_kind_idx')
      .on(t.reportId, t.kind)
      .where(sql`${t.kind} in ('accrual', 'reversal')`),
    uniqueIndex('reward_ledger_claim_kind_idx')
      .on(t.claimId, t.kind)
      .where(sql`${t.claimId} is not null`),
    index('reward_ledger_created_idx')
      .on(t.createdAt)
      .where(sql`${t.kind} in ('accrual', 'reversal')`),
    check('reward_ledger_kind_check', sql`${t.kind} in ('accrual', 'reversal', 'claim', 'payout', 'payout_failed', 'expiry', 'adjustment')`),
    check('reward_ledger_arithmetic_check', sql`${t.balanceFen} = ${t.prevBalanceFen} + ${t.amountFen}`),
    check('reward_ledger_chain_check', sql`(${t.seq} = 1 and ${t.prevSeq} is null and ${t.prevBalanceFen} = 0) or (${t.seq} > 1 and ${t.prevSeq} = ${t.seq} - 1)`),
    check('reward_ledger_no_overdraw_check', sql`${t.kind} not in ('claim', 'expiry') or ${t.balanceFen} >= 0`),
    check(
      'reward_ledger_sign_check',
      sql`(${t.kind} = 'accrual' and ${t.amountFen} > 0) or (${t.kind} = 'reversal' and ${t.amountFen} < 0) or (${t.kind} = 'claim' and ${t.amountFen} < 0)
        or (${t.kind} = 'payout' and ${t.amountFen} = 0) or (${t.kind} = 'payout_failed' and ${t.amountFen} > 0) or (${t.kind} = 'expiry' and ${t.amountFen} < 0)
        or (${t.kind} = 'adjustment' and ${t.amountFen} <> 0)`,
    ),
    check(
      'reward_ledger_refs_check',
      sql`(${t.kind} not in ('accrual', 'reversal') or ${t.reportId} is not null) and (${t.kind} not in ('claim', 'payout', 'payout_failed') or ${t.claimId} is not null)`,
    ),
  ],
);

/** Staff-made payout batches for the manual method: exported as CSV, then marked paid or failed. */
export const payoutBatches = pgTable('payout_batches', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  createdBy: uuid('created_by').notNull(),
  claimCount: integer('claim_count').notNull(),
  totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
  createdAt: createdAt(),
});

/** A resident's claim (提现). Its ledger `claim` row is written in the same transaction. */
export const rewardClaims = pgTable(
  'reward_claims',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    amountFen: integer('amount_fen').notNull(),
    method: text('method', { enum: ['manual', 'wechatpay'] }).notNull(),
    status: text('status', { enum: ['pending', 'processing', 'paid', 'failed'] })
      .notNull()
      .default('pending'),
    /** The merchant's bill number sent to the payment provider: stable across retries, so a retry never pays twice. */
    outBillNo: text('out_bill_no').notNull().unique(),
    providerBillNo: text('provider_bill_no'),
    batchId: uuid('batch_id').references(() => payoutBatches.id),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    failureReason: text('failure_reason'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('reward_claims_user_idempotency_idx').on(t.userId, t.idempotencyKey),
    index('reward_claims_user_idx').on(t.userId, t.createdAt),
    index('reward_claims_batch_idx').on(t.batchId, t.status),
    index('reward_claims_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'processing') and ${t.method} = 'wechatpay'`),
    check('reward_claims_amount_check', sql`${t.amountFen} > 0`),
    check('reward_claims_status_check', sql`${t.status} in ('pending', 'processing', 'paid', 'failed')`),
  ],
);

/** A resident's appeal against a "no reward" or held decision: once per report. */
export const rewardAppeals = pgTable(
  'reward_appeals',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    reportId: uuid('report_id')
      .notNull()
      .unique()
      .references(() => reports.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'upheld', 'rejected'] })
      .notNull()
      .default('pending'),
    decidedBy: uuid('decided_by'),
    decisionNote: text('decision_note'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('reward_appeals_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check('reward_appeals_status_check', sql`${t.status} in ('pending', 'upheld', 'rejected')`),
  ],
);

/** 满意度评价: one rating per case round (round 2 only after a rework the resident asked for). */
export const reportRatings = pgTable(
  'report_ratings',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    round: integer('round').notNull(),
    level: text('level').notNull(),
    speed: integer('speed'),
    result: integer('result'),
    attitude: integer('attitude'),
    comment: text('comment'),
    /** Set when a staff appeal is upheld: the rating stays, the figures leave it out. */
    excludedAt: timestamp('excluded_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('report_ratings_round_idx').on(t.reportId, t.round),
    check('report_ratings_round_check', sql`${t.round} in (1, 2)`),
    check('report_ratings_level_check', sql`${t.level} in ('very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied')`),
    check('report_ratings_dimensions_check', sql`coalesce(${t.speed}, 1) between 1 and 5 and coalesce(${t.result}, 1) between 1 and 5 and coalesce(${t.attitude}, 1) between 1 and 5`),
    check('report_ratings_bad_comment_check', sql`${t.level} not in ('dissatisfied', 'very_dissatisfied') or length(${t.comment}) > 0`),
  ],
);

const figureCounts = () => ({
  reports: integer('reports').notNull(),
  delivered: integer('delivered').notNull(),
  responded: integer('responded').notNull(),
  registered: integer('registered').notNull(),
  handled: integer('handled').notNull(),
  closed: integer('closed').notNull(),
  rated: integer('rated').notNull(),
  satisfied: integer('satisfied').notNull(),
});

/**
 * The figures' rollup per Shanghai calendar day of submission × street × category × department (null
 * street and department kept apart from ''): the counts the figures sum. Kept by triggers on reports
 * and report_ratings in the transaction of every change, through `report_figures_delta` (migration
 * 0009, which also defines `report_figures_rebuild()`), so a period reads a few rows a day, not every report.
 */
export const reportFiguresDaily = pgTable(
  'report_figures_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    street: text('street'),
    category: text('category').notNull(),
    department: text('department'),
    ...figureCounts(),
  },
  (t) => [unique('report_figures_daily_key').on(t.day, t.street, t.category, t.department).nullsNotDistinct()],
);

/** The same rollup per Shanghai calendar month (`month` is its first day): a year reads 12 of these, not 366 days. */
export const reportFiguresMonthly = pgTable(
  'report_figures_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    street: text('street'),
    category: text('category').notNull(),
    department: text('department'),
    ...figureCounts(),
  },
  (t) => [unique('report_figures_monthly_key').on(t.month, t.street, t.category, t.department).nullsNotDistinct()],
);

/**
 * Changes to the rollups not yet folded into them: the triggers only ever insert here, so concurrent
 * reports of one street × category × department never queue for a rollup row's lock. Every so often a
 * writer folds the rows into the rollups (`report_figures_fold()`, one folder at a time); the figures
 * read these rows beside the rollups', so they are exact whenever the fold last ran.
 */
export const reportFiguresDelta = pgTable('report_figures_delta', {
  day: date('day', { mode: 'string' }).notNull(),
  street: text('street'),
  category: text('category').notNull(),
  department: text('department'),
  ...figureCounts(),
});

/**
 * The level 满意率 reads per rated report: its latest round's, when no upheld appeal excluded it (no row:
 * not rated). Kept by the trigger on report_ratings, so the reports trigger reads one row, not the rounds.
 */
export const reportFigureRatings = pgTable('report_figure_ratings', {
  reportId: uuid('report_id').primaryKey(),
  level: text('level').notNull(),
});

/** The follow-up a 差评 opens for the handling unit, with its deadline. */
export const ratingFollowUps = pgTable(
  'rating_follow_ups',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    ratingId: uuid('rating_id')
      .notNull()
      .unique()
      .references(() => reportRatings.id),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id),
    status: text('status', { enum: ['open', 'done'] })
      .notNull()
      .default('open'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    note: text('note'),
    closedBy: uuid('closed_by'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('rating_follow_ups_open_idx')
      .on(t.dueAt)
      .where(sql`${t.status} = 'open'`),
    index('rating_follow_ups_report_idx').on(t.reportId),
  ],
);

/** Staff appeals against a rating they consider mistaken or malicious: reviewed, audit-logged, never deleting. */
export const ratingAppeals = pgTable(
  'rating_appeals',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    ratingId: uuid('rating_id')
      .notNull()
      .unique()
      .references(() => reportRatings.id),
    filedBy: uuid('filed_by').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'upheld', 'dismissed'] })
      .notNull()
      .default('pending'),
    decidedBy: uuid('decided_by'),
    decisionNote: text('decision_note'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [check('rating_appeals_status_check', sql`${t.status} in ('pending', 'upheld', 'dismissed')`)],
);

export const schema = {
  users,
  staffAccounts,
  stallSpots,
  stallSpotFollows,
  auditLog,
  notifications,
  reports,
  reportFollows,
  photos,
  reportEvents,
  caseOutbox,
  jobRuns,
  rewardRules,
  rewardDecisions,
  rewardLedger,
  payoutBatches,
  rewardClaims,
  rewardAppeals,
  reportRatings,
  ratingFollowUps,
  ratingAppeals,
};
