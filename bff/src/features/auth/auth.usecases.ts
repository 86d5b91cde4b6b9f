import type { WechatAuth } from '../../ports/wechat/wechat-auth';
import type { TokenService } from './tokens';
import type { UserRow, UsersRepository } from './users.repository';

export interface AuthDeps {
  wechat: WechatAuth;
  users: UsersRepository;
  tokens: TokenService;
}

/** Exchanges a wx.login code, upserts the resident by openid and issues our own token. */
export async function loginWithWechat(deps: AuthDeps, code: string): Promise<{ token: string; user: UserRow }> {
  const session = await deps.wechat.code2Session(code);
  const user = await deps.users.upsertByOpenid(session);
  return { token: deps.tokens.issue(user.id, 'resident'), user };
}
