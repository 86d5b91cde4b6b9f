import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { staffRepository } from '../../bff/src/features/staff/staff.repository';
import { createStaffAccount, StaffInputError } from '../../bff/src/features/staff/staff.usecases';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';
import { sql } from 'drizzle-orm';

describe('staff accounts', () => {
  let t: TestApp;
  const password = 'correct horse battery staple';
  let username: string;
  beforeAll(async () => {
    t = await startTestApp();
    username = uniqueName('zhang').toLowerCase();
    await createStaffAccount({ staff: staffRepository(t.database.db) }, { username, displayName: '张三', password, role: 'operator' });
  });
  afterAll(() => t.close());

  it('stores an scrypt hash, never the password', async () => {
    const row = await staffRepository(t.database.db).findByUsername(username);
    expect(row!.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(row!.passwordHash).not.toContain(password);
  });

  it('refuses weak or malformed account input', async () => {
    const deps = { staff: staffRepository(t.database.db) };
    await expect(createStaffAccount(deps, { username: 'ok-name', displayName: '', password: 'short', role: 'operator' })).rejects.toThrow(StaffInputError);
    await expect(createStaffAccount(deps, { username: 'Bad Name!', displayName: '', password, role: 'operator' })).rejects.toThrow(StaffInputError);
    await expect(createStaffAccount(deps, { username, displayName: '', password, role: 'operator' })).rejects.toThrow(/taken/);
  });

  it('logs in with username and password and passes the staff guard', async () => {
    const login = await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username: username.toUpperCase(), password } });
    expect(login.status).toBe(200);
    expect(login.body.staff).toEqual({ id: expect.any(String), username, displayName: '张三', role: 'operator', permissions: expect.arrayContaining(['stalls.manage', 'ratings.follow_up']) });
    expect(login.body.staff.permissions).not.toContain('rewards.rules.edit');
    expect(JSON.stringify(login.body)).not.toContain('scrypt');
    const me = await api(t.baseUrl, '/api/v1/staff/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.staff.username).toBe(username);
  });

  it.each([
    ['a wrong password', () => ({ username, password: 'wrong password!!' })],
    ['an unknown user', () => ({ username: 'nobody-here', password })],
  ])('%s → 401 STAFF_LOGIN_FAILED with the same answer', async (_label, body) => {
    const res = await api(t.baseUrl, '/api/v1/staff/auth/login', { json: body() });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'STAFF_LOGIN_FAILED', message: '用户名或密码错误' } });
  });

  it('validates the login body', async () => {
    const res = await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username: ['a'], password: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('keeps residents out of staff routes and staff out once disabled', async () => {
    const resident = await loginResident(t.baseUrl, uniqueName('resident'));
    const asResident = await api(t.baseUrl, '/api/v1/staff/me', { token: resident.token });
    expect(asResident.status).toBe(401);
    expect(asResident.body.error.code).toBe('TOKEN_INVALID');

    const login = await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password } });
    await t.database.db.execute(sql`update staff_accounts set disabled = true where username = ${username}`);
    const afterDisable = await api(t.baseUrl, '/api/v1/staff/me', { token: login.body.token });
    expect(afterDisable.status).toBe(401);
    const relogin = await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password } });
    expect(relogin.status).toBe(401);
    await t.database.db.execute(sql`update staff_accounts set disabled = false where username = ${username}`);
  });
});

describe('staff CLI', () => {
  const cli = path.resolve(__dirname, '../../bff/dist/cli/create-staff.js');
  const run = promisify(execFile);

  // The CLI is the built artifact users run; `npm test` builds the BFF first.
  it('creates an account with the password from STAFF_PASSWORD, refuses a taken name and a missing password', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-cli-'));
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
      STAFF_PASSWORD: 'a-long-enough-password',
      LOG_LEVEL: 'silent',
    };
    const username = uniqueName('cli').toLowerCase();
    const created = await run('node', [cli, '--username', username, '--display-name', '李四', '--role', 'admin'], { env });
    expect(created.stdout).toContain(`created admin account "${username}"`);
    expect(created.stdout).not.toContain('a-long-enough-password');
    await expect(run('node', [cli, '--username', username], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('taken') });
    await expect(run('node', [cli, '--username', 'x'], { env: { ...env, STAFF_PASSWORD: '' } })).rejects.toMatchObject({ code: 2 });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
