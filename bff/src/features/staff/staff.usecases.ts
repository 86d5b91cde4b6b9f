import type { StaffDto } from '@cityloop/shared';
import { AppError } from '../../http/errors';
import type { TokenService } from '../auth/tokens';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password';
import type { StaffRepository, StaffRow } from './staff.repository';

export interface StaffDeps {
  staff: StaffRepository;
  tokens: TokenService;
}

export async function loginStaff(deps: StaffDeps, username: string, password: string): Promise<{ token: string; staff: StaffRow }> {
  const account = await deps.staff.findByUsername(username);
  // Always pay for one hash, so a wrong username answers as slowly as a wrong password.
  const ok = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
  if (!account || !ok || account.disabled) throw new AppError('STAFF_LOGIN_FAILED');
  await deps.staff.touchLogin(account.id);
  return { token: deps.tokens.issue(account.id, 'staff', account.role), staff: account };
}

export class StaffInputError extends Error {}

/** Used by the CLI only: staff accounts are never created over HTTP or with a default password. */
export async function createStaffAccount(
  deps: Pick<StaffDeps, 'staff'>,
  input: { username: string; displayName: string; password: string; role: 'staff' | 'admin' },
): Promise<StaffRow> {
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(input.username)) {
    throw new StaffInputError('username: 3-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
  }
  if (input.password.length < 12) throw new StaffInputError('password: at least 12 characters');
  if (await deps.staff.findByUsername(input.username)) throw new StaffInputError(`username "${input.username}" is taken`);
  return deps.staff.create({
    username: input.username,
    displayName: input.displayName || input.username,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
}

export function presentStaff(row: StaffRow): StaffDto {
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role };
}
