import { LIMITS, permissionsOf, staffPasswordTooShort, type StaffAccountDto, type StaffDto, type StaffRole } from '@cityloop/shared';
import { inTransaction, type Database } from '../../db/client';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import type { TokenService } from '../auth/tokens';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password';
import { staffRepository, type StaffRepository, type StaffRow } from './staff.repository';

export interface StaffDeps {
  staff: StaffRepository;
  tokens: TokenService;
  db: Database;
  now: () => Date;
  lockout: { threshold: number; minutes: number };
}

/** The lockout answer names when to try again, so the console can say so. */
function lockedError(until: Date): AppError {
  return new AppError('STAFF_ACCOUNT_LOCKED', undefined, { lockedUntil: until.toISOString() });
}

/**
 * Password login with a per-account lockout: `threshold` consecutive failures lock the account for
 * `minutes`, from whatever addresses they came, and while locked the right password is refused too.
 * The per-address limiter in front of this bounds guessing across many accounts.
 */
export async function loginStaff(deps: StaffDeps, username: string, password: string): Promise<{ token: string; staff: StaffRow }> {
  const account = await deps.staff.findByUsername(username);
  if (account?.lockedUntil && account.lockedUntil > deps.now()) throw lockedError(account.lockedUntil);
  // Always pay for one hash, so a wrong username answers as slowly as a wrong password.
  const ok = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
  if (!account || account.disabled) throw new AppError('STAFF_LOGIN_FAILED');
  if (!ok) {
    const failed = await deps.staff.recordFailedLogin(account.id, deps.lockout.threshold, deps.lockout.minutes, deps.now());
    if (failed.lockedUntil) {
      await recordAudit(deps.db, {
        actorKind: 'system',
        actorId: null,
        action: 'staff.lock',
        entityType: 'staff_account',
        entityId: account.id,
        details: { failedLogins: failed.failedLoginCount, lockedUntil: failed.lockedUntil.toISOString() },
      });
      throw lockedError(failed.lockedUntil);
    }
    throw new AppError('STAFF_LOGIN_FAILED');
  }
  // Guesses in flight when the lock landed must not succeed after it: the reset only applies while unlocked.
  if (!(await deps.staff.recordSuccessfulLogin(account.id, deps.now()))) {
    const current = await deps.staff.findById(account.id);
    throw lockedError(current?.lockedUntil ?? deps.now());
  }
  return { token: deps.tokens.issue(account.id, 'staff', account.role), staff: account };
}

export class StaffInputError extends Error {}

function staffInputProblem(input: { username: string; password: string }): string | null {
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(input.username)) {
    return 'username: 3-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit';
  }
  return passwordProblem(input.password);
}

function passwordProblem(password: string): string | null {
  return staffPasswordTooShort(password) ? `password: at least ${LIMITS.staffPasswordMinLength} characters` : null;
}

const NEW_PASSWORD_TOO_SHORT = `新密码至少 ${LIMITS.staffPasswordMinLength} 个字符`;

/** The CLI's way in (the first admin); admins then use POST /staff/accounts. There is never a default account. */
export async function createStaffAccount(deps: Pick<StaffDeps, 'staff'>, input: { username: string; displayName: string; password: string; role: StaffRole }): Promise<StaffRow> {
  const problem = staffInputProblem(input);
  if (problem) throw new StaffInputError(problem);
  if (await deps.staff.findByUsername(input.username)) throw new StaffInputError(`username "${input.username}" is taken`);
  return deps.staff.create({
    username: input.username,
    displayName: input.displayName || input.username,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
}

/** An admin creates an account over HTTP; the new member changes the initial password after signing in. */
export async function createStaffByAdmin(deps: Pick<StaffDeps, 'db'>, adminId: string, input: { username: string; displayName: string; password: string; role: StaffRole }) {
  const problem = staffInputProblem(input);
  if (problem) throw new AppError('VALIDATION_FAILED', problem);
  const passwordHash = await hashPassword(input.password);
  return inTransaction(deps.db, async (tx) => {
    const staff = staffRepository(tx);
    if (await staff.findByUsername(input.username)) throw new AppError('STAFF_USERNAME_TAKEN', undefined, { username: input.username });
    const row = await staff.create({ username: input.username, displayName: input.displayName || input.username, role: input.role, passwordHash });
    await recordAudit(tx, { actorKind: 'staff', actorId: adminId, action: 'staff.create', entityType: 'staff_account', entityId: row.id, details: { username: row.username, role: row.role } });
    return row;
  });
}

/** Role and disabled flag; an admin cannot demote or disable themself, so a bureau never locks out its last admin by accident. */
export async function updateStaffByAdmin(deps: Pick<StaffDeps, 'db'>, adminId: string, staffId: string, patch: { role?: StaffRole; disabled?: boolean; displayName?: string }) {
  if (staffId === adminId && (patch.disabled === true || (patch.role && patch.role !== 'admin'))) {
    throw new AppError('FORBIDDEN', '不能停用自己或取消自己的管理员角色');
  }
  return inTransaction(deps.db, async (tx) => {
    const staff = staffRepository(tx);
    const before = await staff.findById(staffId);
    if (!before) throw new AppError('NOT_FOUND', '工作人员账号不存在');
    const row = await staff.update(staffId, patch);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: adminId,
      action: 'staff.update',
      entityType: 'staff_account',
      entityId: staffId,
      details: { before: { role: before.role, disabled: before.disabled, displayName: before.displayName }, after: patch },
    });
    return row;
  });
}

export async function unlockStaffByAdmin(deps: Pick<StaffDeps, 'db'>, adminId: string, staffId: string) {
  return inTransaction(deps.db, async (tx) => {
    const staff = staffRepository(tx);
    const before = await staff.findById(staffId);
    if (!before) throw new AppError('NOT_FOUND', '工作人员账号不存在');
    const row = await staff.unlock(staffId);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: adminId,
      action: 'staff.unlock',
      entityType: 'staff_account',
      entityId: staffId,
      details: { failedLogins: before.failedLoginCount, lockedUntil: before.lockedUntil?.toISOString() ?? null },
    });
    return row;
  });
}

/**
 * An admin sets a new initial password for another member (who forgot theirs); the lock and failure
 * count are cleared too. Their own password goes through 修改密码, which asks for the current one.
 */
export async function resetStaffPasswordByAdmin(deps: Pick<StaffDeps, 'db'>, adminId: string, staffId: string, newPassword: string) {
  if (staffId === adminId) throw new AppError('FORBIDDEN', '请通过“修改密码”更改自己的密码');
  if (passwordProblem(newPassword)) throw new AppError('VALIDATION_FAILED', NEW_PASSWORD_TOO_SHORT);
  const hash = await hashPassword(newPassword);
  await inTransaction(deps.db, async (tx) => {
    const staff = staffRepository(tx);
    if (!(await staff.findById(staffId))) throw new AppError('NOT_FOUND', '工作人员账号不存在');
    await staff.setPasswordHash(staffId, hash);
    await staff.unlock(staffId);
    await recordAudit(tx, { actorKind: 'staff', actorId: adminId, action: 'staff.password_reset', entityType: 'staff_account', entityId: staffId });
  });
}

/** 修改密码: the current password is asked again, so a borrowed session cannot take the account over. */
export async function changeOwnPassword(deps: Pick<StaffDeps, 'db' | 'staff'>, staffId: string, currentPassword: string, newPassword: string) {
  const account = await deps.staff.findById(staffId);
  if (!account) throw new AppError('TOKEN_INVALID');
  if (!(await verifyPassword(currentPassword, account.passwordHash))) throw new AppError('STAFF_LOGIN_FAILED', '当前密码不正确');
  if (passwordProblem(newPassword)) throw new AppError('VALIDATION_FAILED', NEW_PASSWORD_TOO_SHORT);
  if (newPassword === currentPassword) throw new AppError('VALIDATION_FAILED', '新密码不能与当前密码相同');
  const hash = await hashPassword(newPassword);
  await inTransaction(deps.db, async (tx) => {
    await staffRepository(tx).setPasswordHash(staffId, hash);
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'staff.password_change', entityType: 'staff_account', entityId: staffId });
  });
}

export function presentStaff(row: StaffRow): StaffDto {
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role, permissions: permissionsOf(row.role) };
}

/** What admins see of an account: never the hash. */
export function presentStaffAccount(row: StaffRow, now: Date): StaffAccountDto {
  return {
    ...presentStaff(row),
    disabled: row.disabled,
    lockedUntil: row.lockedUntil && row.lockedUntil > now ? row.lockedUntil.toISOString() : null,
    failedLoginCount: row.failedLoginCount,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
