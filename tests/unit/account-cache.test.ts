import { AccountCache } from '../../bff/src/db/account-cache';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

/** A table the cache reads through: counts reads; `hold` keeps the next read open until released. */
function table() {
  const rows = new Map<string, { id: string; name: string }>([
    [A, { id: A, name: 'a1' }],
    [B, { id: B, name: 'b1' }],
  ]);
  let reads = 0;
  let gate: Promise<void> | null = null;
  let open = () => {};
  return {
    rows,
    get reads() {
      return reads;
    },
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release: () => open(),
    load: async (id: string) => {
      reads += 1;
      const row = rows.get(id) && { ...rows.get(id)! };
      if (gate) {
        const g = gate;
        gate = null;
        await g;
      }
      return row;
    },
  };
}

describe('AccountCache', () => {
  it('answers reads from memory while the feed is live, each caller its own copy', async () => {
    const t = table();
    const cache = new AccountCache(t.load, { live: true });
    const first = await cache.read(A, 'read');
    first!.name = 'changed by a caller';
    expect(await cache.read(A, 'read')).toEqual({ id: A, name: 'a1' });
    expect(t.reads).toBe(1);
  });

  it('reads afresh for a write, and after forget', async () => {
    const t = table();
    const cache = new AccountCache(t.load, { live: true });
    await cache.read(A, 'read');
    t.rows.set(A, { id: A, name: 'a2' });
    expect(await cache.read(A, 'write')).toEqual({ id: A, name: 'a2' });
    t.rows.set(A, { id: A, name: 'a3' });
    cache.forget(A);
    expect(await cache.read(A, 'read')).toEqual({ id: A, name: 'a3' });
    expect(t.reads).toBe(3);
  });

  it('trusts nothing while the feed is down: every read goes to the table and nothing is kept', async () => {
    const t = table();
    const feed = { live: false };
    const cache = new AccountCache(t.load, feed);
    await cache.read(A, 'read');
    await cache.read(A, 'read');
    expect(t.reads).toBe(2);
    expect(cache.size).toBe(0);
    feed.live = true;
    await cache.read(A, 'read');
    await cache.read(A, 'read');
    expect(t.reads).toBe(3);
  });

  it('does not keep a row whose read was in flight when a change was announced', async () => {
    const t = table();
    const cache = new AccountCache(t.load, { live: true });
    t.hold();
    const stale = cache.read(A, 'read'); // reads a1, then waits
    await Promise.resolve();
    t.rows.set(A, { id: A, name: 'a2' });
    cache.forget(A); // the change's notification arrives while that read is still out
    t.release();
    expect(await stale).toEqual({ id: A, name: 'a1' });
    expect(await cache.read(A, 'read')).toEqual({ id: A, name: 'a2' });
  });

  it('never remembers a missing account, and stays within its size', async () => {
    const t = table();
    const cache = new AccountCache(t.load, { live: true }, 1);
    expect(await cache.read('00000000-0000-4000-8000-0000000000ff', 'read')).toBeUndefined();
    expect(cache.size).toBe(0);
    await cache.read(A, 'read');
    await cache.read(B, 'read');
    expect(cache.size).toBe(1);
    await cache.read(B, 'read');
    expect(t.reads).toBe(3);
  });
});
