import { EventEmitter } from 'node:events';
import type { Database, DatabaseHandle } from '../../db/client';
import { AccountCache } from '../../db/account-cache';
import { batchedLookup } from '../../db/batched-lookup';
import type { ChangeFeed } from '../../db/change-feed';
import type { Logger } from '../../logger';
import { staffRepository, type StaffRow } from '../staff/staff.repository';
import { usersRepository, type UserRow } from './users.repository';

/** The channel migration 0013's triggers notify: "users:<id>" or "staff_accounts:<id>". */
export const ACCOUNT_CHANGES_CHANNEL = 'cityloop_account_changes';

/** Where the auth guards read the account behind a token (see AccountCache for the rules). */
export interface AccountSources {
  residents: AccountCache<UserRow>;
  staff: AccountCache<StaffRow>;
}

/** Both caches, reading through one batched statement per table, trusting memory only while `feed` is live. */
export function accountSources(db: Database, feed: Pick<ChangeFeed, 'live'>): AccountSources {
  const users = usersRepository(db);
  const staff = staffRepository(db);
  return {
    residents: new AccountCache(
      batchedLookup((ids) => users.findByIds(ids)),
      feed,
    ),
    staff: new AccountCache(
      batchedLookup((ids) => staff.findByIds(ids)),
      feed,
    ),
  };
}

export interface WatchedAccountSources extends AccountSources {
  /** Emits 'change' { table, id } after each notified change is applied, 'lost' and 'live' as the feed goes and comes (tests wait on them). */
  changes: EventEmitter;
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * The account caches of this instance, kept true by the database's change feed: each notified change
 * forgets that account; a lost feed forgets everything (and nothing is remembered until it is back).
 */
export async function watchedAccountSources(database: DatabaseHandle, logger: Logger): Promise<WatchedAccountSources> {
  // The caches ask the feed whether it is live; the feed is opened after them (its handlers need them).
  const opened: { feed?: ChangeFeed } = {};
  const changes = new EventEmitter();
  const sources = accountSources(database.db, {
    get live() {
      return opened.feed?.live ?? false;
    },
  });
  const feed = await database.listen(ACCOUNT_CHANGES_CHANNEL, {
    onMessage: (payload) => {
      const [table, id] = payload.split(':');
      if (table === 'users' && id) sources.residents.forget(id);
      else if (table === 'staff_accounts' && id) sources.staff.forget(id);
      changes.emit('change', { table, id });
    },
    onLost: () => {
      sources.residents.forgetAll();
      sources.staff.forgetAll();
      logger.warn('account change feed lost: accounts are read from the database until it is back');
      changes.emit('lost');
    },
    onLive: () => changes.emit('live'),
  });
  opened.feed = feed;
  return {
    ...sources,
    changes,
    get live() {
      return feed.live;
    },
    close: () => feed.close(),
  };
}
