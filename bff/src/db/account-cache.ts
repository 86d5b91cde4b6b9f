import type { ChangeFeed } from './change-feed';

/**
 * Accounts the auth guards read on every request, remembered per instance while the database's
 * change feed (LISTEN/NOTIFY, see migration 0013) is live: a trigger on the accounts table notifies
 * every instance of each change, and this instance forgets that account before it can serve the
 * old row again. While the feed is down nothing is served from memory.
 *
 * A read that was in flight when any change arrived is not remembered (`epoch`), so a row read
 * before a commit can never outlive the notification of that commit. Requests that write read
 * afresh (`read(id, 'write')`), and the writer's own instance forgets the account when the write
 * is done (`forget`), so an instance's own changes never wait for the notification.
 */
export class AccountCache<Row extends { id: string }> {
  private readonly rows = new Map<string, Row>();
  private epoch = 0;

  constructor(
    private readonly load: (id: string) => Promise<Row | undefined>,
    private readonly feed: Pick<ChangeFeed, 'live'>,
    private readonly maxEntries = 50_000,
  ) {}

  async read(id: string, purpose: 'read' | 'write'): Promise<Row | undefined> {
    if (purpose === 'read' && this.feed.live) {
      const known = this.rows.get(id);
      if (known) return { ...known };
    }
    const epoch = this.epoch;
    const row = await this.load(id);
    if (row && this.feed.live && epoch === this.epoch) {
      if (!this.rows.has(id) && this.rows.size >= this.maxEntries) this.rows.delete(this.rows.keys().next().value!);
      this.rows.set(id, { ...row });
    }
    return row;
  }

  forget(id: string): void {
    this.epoch += 1;
    this.rows.delete(id);
  }

  forgetAll(): void {
    this.epoch += 1;
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }
}
