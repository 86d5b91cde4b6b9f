import Taro from '@tarojs/taro';
import type { UserDto } from '@cityloop/shared';

/**
 * The signed-in resident: token (memory + storage, so a relaunch skips the login round trip)
 * and the user the BFF last returned (memory only). Pages subscribe to user changes.
 */
const TOKEN_KEY = 'cityloop.token';

/** `undefined` until storage has been read once. */
let token: string | null | undefined;
let currentUser: UserDto | null = null;
const listeners = new Set<(user: UserDto | null) => void>();

export function getToken(): string | null {
  if (token === undefined) {
    try {
      const stored: unknown = Taro.getStorageSync(TOKEN_KEY);
      token = typeof stored === 'string' && stored ? stored : null;
    } catch {
      token = null;
    }
  }
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  try {
    if (value) Taro.setStorageSync(TOKEN_KEY, value);
    else Taro.removeStorageSync(TOKEN_KEY);
  } catch {
    // Storage full or unavailable (e.g. private browsing): the in-memory token still works for this run.
  }
}

export function getCurrentUser(): UserDto | null {
  return currentUser;
}

export function setCurrentUser(user: UserDto | null): void {
  currentUser = user;
  listeners.forEach((listener) => listener(user));
}

/** Returns the unsubscribe function. */
export function subscribeUser(listener: (user: UserDto | null) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
