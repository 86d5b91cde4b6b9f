// The staff list suites' moves: a report row written straight to the table, and a walk through a paged list.
import { reports } from '../../bff/src/db/schema';
import { api, uniqueName, type ApiResponse, type TestApp } from './test-app';

/** A report written directly (no case system, no photos), for list and dashboard counts. */
export async function insertTestReport(t: TestApp, userId: string, values: Partial<typeof reports.$inferInsert> & { street: string }) {
  const [row] = await t.database.db
    .insert(reports)
    .values({
      userId,
      category: 'exposed_garbage',
      serviceCode: 'X',
      description: '测试举报内容',
      lat: 24.88,
      lng: 102.83,
      address: '测试路 1 号',
      idempotencyKey: uniqueName('k'),
      requestHash: 'h',
      ...values,
    })
    .returning();
  return row;
}

/** Pages through a staff list with `limit`, returning every item's id in order. */
export async function walkPages(t: TestApp, path: string, limit: number, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: ApiResponse = await api(t.baseUrl, `/api/v1${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((i: { id: string }) => i.id));
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}
