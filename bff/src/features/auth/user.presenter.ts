import type { UserDto } from '@cityloop/shared';
import type { UserRow } from './users.repository';

/** Whitelist of what a resident may see about themselves: never openid, unionid or session_key. */
export function presentUser(row: UserRow): UserDto {
  return {
    id: row.id,
    nickname: row.nickname,
    role: 'resident',
    blocked: row.blockedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}
