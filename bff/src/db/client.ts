import fs from 'node:fs';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { listenOnServer, type ChangeFeed, type ChangeFeedHandlers } from './change-feed';
import type { RowParser } from './rows';
import { schema } from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseTarget = { kind: 'pglite'; dataDir: string } | { kind: 'pglite-memory' } | { kind: 'postgres'; url: string };

export interface DatabaseHandle {
  db: Database;
  driver: 'pglite' | 'postgres';
  /** Round-trip time of `select 1`, or throws when the database is unreachable. */
  ping(): Promise<number>;
  close(): Promise<void>;
  /** PostgreSQL server only: applies pending migrations, one instance at a time. */
  migrateLocked?(): Promise<void>;
  /** Subscribes to a NOTIFY channel (see change-feed.ts). */
  listen(channel: string, handlers: ChangeFeedHandlers): Promise<ChangeFeed>;
}

const MIGRATIONS_FOLDER = path.resolve(__dirname, '../../drizzle');

/**
 * Opens the database and applies pending migrations. PGlite (embedded PostgreSQL in WASM) is the
 * zero-install default; a DATABASE_URL selects a PostgreSQL server through `pg`. The same schema,
 * migrations and queries serve both.
 */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  const handle = target.kind === 'postgres' ? await openPostgres(target.url) : await openPglite(target);
  try {
    await migrateDatabase(handle);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return handle;
}

async function openPglite(target: { kind: 'pglite'; dataDir: string } | { kind: 'pglite-memory' }): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { cube } = await import('@electric-sql/pglite/contrib/cube');
  const { earthdistance } = await import('@electric-sql/pglite/contrib/earthdistance');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (target.kind === 'pglite') fs.mkdirSync(target.dataDir, { recursive: true });
  const client = new PGlite(target.kind === 'pglite' ? target.dataDir : 'memory://', { extensions: { cube, earthdistance } });
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    ping: () => timed(() => db.execute(sql`select 1`)),
    close: () => client.close(),
    // One embedded session: its own notifications arrive as its statements complete; never lost.
    listen: async (channel, handlers) => {
      const unsubscribe = await client.listen(channel, (payload) => handlers.onMessage(payload));
      let live = true;
      return {
        get live() {
          return live;
        },
        close: async () => {
          live = false;
          if (!client.closed) await unsubscribe();
        },
      };
    },
  };
}

async function openPostgres(url: string): Promise<DatabaseHandle> {
  const { Pool } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    ping: () => timed(() => db.execute(sql`select 1`)),
    close: () => pool.end(),
    listen: (channel, handlers) => listenOnServer(url, channel, handlers),
    // Instances booting together would apply the same migration twice: one at a time, under a
    // session advisory lock held on one client; the others then find it applied.
    migrateLocked: async () => {
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migrate(drizzle(client) as never, { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        client.release();
      }
    },
  };
}

async function migrateDatabase(handle: DatabaseHandle) {
  if (handle.driver === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    await handle.migrateLocked!();
  }
}

/** Any fixed bigint; names the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK_KEY = '7163101023585988464'; // "cityloop" as 8 bytes

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return Math.round((performance.now() - start) * 100) / 100;
}

/** Runs `fn` in one transaction, handing it the transaction as a Database so repositories work unchanged. */
export function inTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => fn(tx as unknown as Database));
}

/**
 * Runs raw SQL and returns its rows, each converted and checked by `parse` (see ./rows), so the
 * declared types hold on PGlite and on a PostgreSQL server alike (bigint arrives as text there).
 */
export async function queryRows<T>(db: Database, query: SQL, parse: RowParser<T>): Promise<T[]>;
/** @deprecated Unchecked cast: the declared types may lie. Pass a row parser instead. */
export async function queryRows<T = Record<string, unknown>>(db: Database, query: SQL): Promise<T[]>;
export async function queryRows<T>(db: Database, query: SQL, parse?: RowParser<T>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: Record<string, unknown>[] };
  return parse ? result.rows.map(parse) : (result.rows as T[]);
}

/** PostgreSQL's unique_violation (23505), however the driver wraps it (drizzle puts it in `cause`). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
