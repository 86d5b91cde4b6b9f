import { batchedLookup } from '../../bff/src/db/batched-lookup';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

/** A fake table: records each statement's ids; `rows` is what the table holds at the time of the read. */
function table(rows: Map<string, { id: string; name: string }>) {
  const statements: string[][] = [];
  const load = async (ids: string[]) => {
    statements.push([...ids].sort());
    return ids.flatMap((id) => (rows.has(id) ? [rows.get(id)!] : []));
  };
  return { statements, load };
}

describe('batchedLookup', () => {
  it('answers lookups asked in the same turn with one statement, each caller its own copy', async () => {
    const rows = new Map([
      [A, { id: A, name: 'a' }],
      [B, { id: B, name: 'b' }],
    ]);
    const t = table(rows);
    const find = batchedLookup(t.load);
    const [a1, a2, b, c] = await Promise.all([find(A), find(A), find(B), find(C)]);
    expect(t.statements).toEqual([[A, B, C]]);
    expect(a1).toEqual({ id: A, name: 'a' });
    expect(a2).toEqual(a1);
    expect(a2).not.toBe(a1);
    expect(b).toEqual({ id: B, name: 'b' });
    expect(c).toBeUndefined();
  });

  it('reads again for a lookup asked after the previous statement was sent: nothing is cached', async () => {
    const rows = new Map([[A, { id: A, name: 'before' }]]);
    const t = table(rows);
    const find = batchedLookup(t.load);
    expect(await find(A)).toEqual({ id: A, name: 'before' });
    rows.set(A, { id: A, name: 'after' });
    expect(await find(A)).toEqual({ id: A, name: 'after' });
    rows.delete(A);
    expect(await find(A)).toBeUndefined();
    expect(t.statements).toEqual([[A], [A], [A]]);
  });

  it('sends a full batch at once and starts another', async () => {
    const t = table(new Map());
    const find = batchedLookup(t.load, 2);
    await Promise.all([find(A), find(B), find(C)]);
    expect(t.statements).toEqual([[A, B], [C]]);
  });

  it('fails every caller of a failed statement, and the next lookup reads afresh', async () => {
    let fail = true;
    const find = batchedLookup(async (ids: string[]) => {
      if (fail) throw new Error('database down');
      return ids.map((id) => ({ id }));
    });
    await expect(Promise.all([find(A), find(B)])).rejects.toThrow('database down');
    const both = await Promise.allSettled([find(A), find(B)].map((p) => p.catch((e: Error) => e.message)));
    expect(both.map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual(['database down', 'database down']);
    fail = false;
    expect(await find(A)).toEqual({ id: A });
  });

  it('does not send a malformed id, which finds nothing', async () => {
    const t = table(new Map());
    const find = batchedLookup(t.load);
    expect(await find("x' or 1=1")).toBeUndefined();
    expect(t.statements).toEqual([]);
  });
});
