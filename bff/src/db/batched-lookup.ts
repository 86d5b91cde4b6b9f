const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Waiter<Row> {
  resolve: (row: Row | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Reads rows by uuid primary key, coalescing the reads asked for in the same event-loop turn into one
 * `id = any(...)` statement: the auth guards read the account on every request (so that blocking,
 * erasure and role changes take effect at once), and under load many requests arrive together. Every
 * caller still gets a row read after it asked, never a cached one, and its own copy of it. A batch
 * that fails fails each of its callers; a malformed id is not sent and finds nothing.
 */
export function batchedLookup<Row extends { id: string }>(load: (ids: string[]) => Promise<Row[]>, maxBatch = 100): (id: string) => Promise<Row | undefined> {
  let open: Map<string, Waiter<Row>[]> | null = null;

  const flush = async (batch: Map<string, Waiter<Row>[]>) => {
    try {
      const rows = await load([...batch.keys()]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [id, waiters] of batch) {
        const row = byId.get(id);
        for (const w of waiters) w.resolve(row && { ...row });
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };

  return (id) =>
    new Promise<Row | undefined>((resolve, reject) => {
      if (!UUID.test(id)) return resolve(undefined);
      if (!open) {
        const batch = new Map<string, Waiter<Row>[]>();
        open = batch;
        // setImmediate, not a microtask: requests whose bytes arrived in the same poll phase join one batch.
        setImmediate(() => {
          if (open === batch) open = null;
          if (batch.size > 0) void flush(batch);
        });
      }
      const batch = open;
      const waiters = batch.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else batch.set(id, [{ resolve, reject }]);
      if (batch.size >= maxBatch) {
        open = null;
        const full = new Map(batch);
        batch.clear();
        void flush(full);
      }
    });
}
