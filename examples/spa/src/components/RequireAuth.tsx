import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';

import { signInPath, useAuth } from '../auth';

/** Its children for a signed-in visitor; anyone else signs in first and comes back. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { token, signInReason } = useAuth();
  const location = useLocation();
  if (!token) {
    return (
      <Navigate
        to={signInPath(location.pathname + location.search)}
        replace
        // Say why: the server may just have rejected the session.
        state={{ reason: signInReason ?? 'required' }}
      />
    );
  }
  return <>{children}</>;
}
