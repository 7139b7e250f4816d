/** Who is signed in: tokens, the /me profile, and routing by role. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { api, unwrap } from './api';
import { getTokens, onTokensChange, setTokens } from './tokens';
import { clearQueries } from './query';
import type { Me } from './types';

export type Role = 'customer' | 'store_staff' | 'rider' | 'admin';

interface AuthState {
  user: Me | null;
  loading: boolean;
  login: (phone: string, password: string) => Promise<Me>;
  /** Sends a login code by SMS; resolves with how many seconds it works. */
  requestCode: (phone: string) => Promise<number>;
  /** Signs in with the code (the first time for a phone, registers it). */
  loginWithCode: (phone: string, code: string) => Promise<Me>;
  register: (input: {
    phone: string;
    password: string;
    name: string;
    email?: string;
  }) => Promise<Me>;
  logout: () => Promise<void>;
  refreshUser: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function hasRole(user: Me | null | undefined, role: Role): boolean {
  return !!user && (user.roles as string[]).includes(role);
}

/** The screen a user lands on after signing in. */
export function homeFor(user: Me | null | undefined): string {
  if (hasRole(user, 'admin')) return '/admin';
  if (hasRole(user, 'store_staff')) return '/store';
  if (hasRole(user, 'rider')) return '/rider';
  return '/';
}

async function fetchMe(): Promise<Me> {
  return unwrap(api.GET('/api/v1/me'));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null>(null);
  const [loading, setLoading] = useState(() => getTokens() !== null);

  const refreshUser = useCallback(async () => {
    if (!getTokens()) {
      setUser(null);
      setLoading(false);
      return;
    }
    try {
      setUser(await fetchMe());
    } catch (e) {
      // Offline: keep the session, the service worker may still answer /me.
      if (!getTokens()) setUser(null);
      else if ((e as { status?: number }).status === 401) {
        setTokens(null);
        setUser(null);
      }
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refreshUser();
    return onTokensChange((t) => {
      if (!t) setUser(null);
    });
  }, [refreshUser]);

  const value = useMemo<AuthState>(
    () => ({
      user,
      loading,
      refreshUser,
      async login(phone, password) {
        const tokens = await unwrap(api.POST('/api/v1/auth/login', { body: { phone, password } }));
        setTokens(tokens);
        clearQueries();
        const me = await fetchMe();
        setUser(me);
        return me;
      },
      async requestCode(phone) {
        const sent = await unwrap(api.POST('/api/v1/auth/otp/request', { body: { phone } }));
        return sent.expires_in;
      },
      async loginWithCode(phone, code) {
        const res = await unwrap(api.POST('/api/v1/auth/otp/verify', { body: { phone, code } }));
        setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
        clearQueries();
        const me = await fetchMe();
        setUser(me);
        return me;
      },
      async register(input) {
        const res = await unwrap(
          api.POST('/api/v1/auth/register', {
            body: {
              phone: input.phone,
              password: input.password,
              name: input.name,
              email: input.email || null,
            },
          }),
        );
        setTokens({ access_token: res.access_token, refresh_token: res.refresh_token });
        clearQueries();
        const me = await fetchMe();
        setUser(me);
        return me;
      },
      async logout() {
        const tokens = getTokens();
        if (tokens) {
          try {
            await api.POST('/api/v1/auth/logout', {
              body: { refresh_token: tokens.refresh_token },
            });
          } catch {
            /* offline logout still forgets the tokens */
          }
        }
        setTokens(null);
        clearQueries();
        setUser(null);
        // The service worker keeps the last cart and orders for offline use: not for the next user.
        navigator.serviceWorker?.controller?.postMessage('clear-api-cache');
      },
    }),
    [user, loading, refreshUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
