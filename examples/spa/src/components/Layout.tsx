import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { LOGOUT, ME, type LogoutData, type MeData } from '../api';
import { useAuth } from '../auth';

function Account() {
  const { token, signOut } = useAuth();
  const navigate = useNavigate();
  const [{ data }] = useQuery<MeData>({ query: ME, pause: !token });
  const [, logout] = useMutation<LogoutData>(LOGOUT);
  const [busy, setBusy] = useState(false);

  if (!token) {
    return (
      <div className="account">
        <NavLink to="/signin">Sign in</NavLink>
        <NavLink to="/signup" className="button button-small">
          Sign up
        </NavLink>
      </div>
    );
  }

  const onSignOut = async () => {
    setBusy(true);
    // Revoke the token on the server; the local copy goes whatever the answer.
    await logout({});
    setBusy(false);
    signOut();
    navigate('/');
  };

  return (
    <div className="account">
      <span className="current-user" data-testid="current-user" title={data?.me?.email}>
        {data?.me?.displayName ?? '…'}
      </span>
      <button type="button" className="link-button" onClick={onSignOut} disabled={busy}>
        Sign out
      </button>
    </div>
  );
}

export function Layout() {
  return (
    <>
      <header className="site-header">
        <div className="container header-row">
          <Link to="/" className="brand">
            Interview prep
          </Link>
          <nav className="main-nav" aria-label="Main">
            <NavLink to="/" end>
              Roles
            </NavLink>
            <NavLink to="/drafts">My drafts</NavLink>
            <NavLink to="/stories">Story bank</NavLink>
            <NavLink to="/interviews">Interviews</NavLink>
            <NavLink to="/agenda">Agenda</NavLink>
          </nav>
          <Account />
        </div>
      </header>
      <main className="container">
        <Outlet />
      </main>
      <footer className="site-footer container">
        An example client of the prep-graphql API.
      </footer>
    </>
  );
}
