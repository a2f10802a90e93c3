import { Suspense, useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { useAuth } from '../auth';
import { LogoutDocument, MeDocument } from '../gql/accounts';
import { Loading } from './Status';

/** The site's name, after every page's own title. */
const SITE_NAME = 'Interview prep';

/**
 * After each navigation, once the new page's heading is there: the document is
 * titled after it, and (except on the first load) focus moves to it, so a screen
 * reader says where the visitor is now and Tab starts from the page's top.
 */
function usePageHeading() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    const moveFocus = !first.current;
    first.current = false;
    let tries = 0;
    let timer = 0;
    const settle = () => {
      const heading = document.querySelector<HTMLHeadingElement>('main h1');
      if (heading) {
        const title = heading.textContent?.trim();
        if (title) document.title = `${title} — ${SITE_NAME}`;
        if (moveFocus && !heading.contains(document.activeElement)) {
          heading.tabIndex = -1;
          heading.focus();
        }
        return;
      }
      // The page may still be loading its data (or its code): look again shortly.
      if (++tries < 100) timer = window.setTimeout(settle, 50);
    };
    settle();
    return () => window.clearTimeout(timer);
  }, [pathname]);
}

function Account() {
  const { token, signOut } = useAuth();
  const navigate = useNavigate();
  const [{ data }] = useQuery({ query: MeDocument, pause: !token });
  const [, logout] = useMutation(LogoutDocument);
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
  usePageHeading();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
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
            <NavLink to="/shared">Shared with me</NavLink>
          </nav>
          <Account />
        </div>
      </header>
      <main className="container" id="main" tabIndex={-1}>
        {/* Pages load their code on first visit (see App.tsx). */}
        <Suspense fallback={<Loading what="Loading the page" />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer container">
        An example client of the prep-graphql API.
      </footer>
    </>
  );
}
