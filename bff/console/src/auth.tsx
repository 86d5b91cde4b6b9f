import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { StaffDto, StaffLoginResponse, StaffPermission } from '@cityloop/shared';
import { api, tokenStore } from './api';

interface AuthValue {
  staff: StaffDto | null;
  /** True until the stored token (if any) has been checked with /staff/me. */
  checking: boolean;
  /** True after the member chose 退出登录 (the next sign-in starts at 工作台, not where they left). */
  leftOnPurpose: boolean;
  /** Why the session ended without the member choosing it (TOKEN_EXPIRED, TOKEN_INVALID …). */
  signedOutReason: string | null;
  can: (permission: StaffPermission) => boolean;
  login: (username: string, password: string) => Promise<StaffDto>;
  logout: (onPurpose?: boolean, reason?: string | null) => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [staff, setStaff] = useState<StaffDto | null>(null);
  const [checking, setChecking] = useState(() => tokenStore.get() !== null);
  const [leftOnPurpose, setLeftOnPurpose] = useState(false);
  const [signedOutReason, setSignedOutReason] = useState<string | null>(null);

  useEffect(() => {
    if (!tokenStore.get()) return;
    api<{ staff: StaffDto }>('/staff/me')
      .then((r) => setStaff(r.staff))
      .catch(() => tokenStore.clear())
      .finally(() => setChecking(false));
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const r = await api<StaffLoginResponse>('/staff/auth/login', { body: { username, password } });
    tokenStore.set(r.token);
    setLeftOnPurpose(false);
    setSignedOutReason(null);
    setStaff(r.staff);
    return r.staff;
  }, []);

  const logout = useCallback((onPurpose = true, reason: string | null = null) => {
    tokenStore.clear();
    setLeftOnPurpose(onPurpose);
    setSignedOutReason(reason);
    setStaff(null);
  }, []);

  const value = useMemo<AuthValue>(
    () => ({ staff, checking, leftOnPurpose, signedOutReason, login, logout, can: (p) => Boolean(staff?.permissions.includes(p)) }),
    [staff, checking, leftOnPurpose, signedOutReason, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
