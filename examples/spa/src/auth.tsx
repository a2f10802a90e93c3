import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { Provider as UrqlProvider } from 'urql';

import { makeApiClient } from './client';
import { TOKEN_KEY } from './tokenKey';

function readToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be off (private mode); the session then lasts as long as the tab.
  }
}

/** Why the app wants the visitor to sign in, when something asked for it. */
export type SignInReason = 'expired' | 'required';

interface AuthValue {
  token: string | null;
  signIn(token: string): void;
  /** Forgets the token locally (the caller revokes it on the server first). */
  signOut(): void;
  /** Set when the server rejected the session or asked for one; cleared by `acknowledge`. */
  signInReason: SignInReason | null;
  /** Counts those moments, so each sends the visitor to sign in once. */
  signInRequests: number;
  acknowledge(): void;
}

const AuthContext = createContext<AuthValue | null>(null);

/**
 * Keeps the session token in localStorage, so every tab of the app shares it, and
 * provides a urql client made for the current token.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(readToken);
  const [signInReason, setSignInReason] = useState<SignInReason | null>(null);
  const [signInRequests, setSignInRequests] = useState(0);

  // Another tab signed in or out.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === TOKEN_KEY || event.key === null) setToken(readToken());
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const signIn = useCallback((next: string) => {
    writeToken(next);
    setToken(next);
    setSignInReason(null);
  }, []);

  const signOut = useCallback(() => {
    writeToken(null);
    setToken(null);
    setSignInReason(null);
  }, []);

  const acknowledge = useCallback(() => setSignInReason(null), []);

  const api = useMemo(
    () =>
      makeApiClient(token, () => {
        // A late answer to a request of an older session (signed out or replaced
        // since) must not touch the current one.
        if (readToken() !== token) return;
        writeToken(null);
        setToken(null);
        setSignInReason(token ? 'expired' : 'required');
        setSignInRequests((n) => n + 1);
      }),
    [token],
  );
  useEffect(() => () => api.dispose(), [api]);

  const value = useMemo<AuthValue>(
    () => ({ token, signIn, signOut, signInReason, signInRequests, acknowledge }),
    [token, signIn, signOut, signInReason, signInRequests, acknowledge],
  );

  return (
    <AuthContext.Provider value={value}>
      <UrqlProvider value={api.client}>{children}</UrqlProvider>
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside <AuthProvider>');
  return value;
}

/** A same-site path to return to, from `?next=`; anything else becomes `fallback`. */
export function safeNext(next: string | null, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  return next;
}

/** The sign-in URL that comes back to `path` afterwards. */
export function signInPath(path: string, page: 'signin' | 'signup' = 'signin'): string {
  return `/${page}?next=${encodeURIComponent(path)}`;
}
