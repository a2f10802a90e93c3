import { Suspense, useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { signInPath, useAuth } from '../auth';
import { LogoutDocument, MeDocument } from '../gql/accounts';
import { FlashNotice } from './FlashNotice';
import { Loading } from './Status';

/** The site's name, after every page's own title. */
const SITE_NAME = 'Interview prep';

/**
 * After each navigation, once the new page's heading is there: the document is
 * titled after it, and (except on the first load) focus moves to it, so a screen
 * reader says where the visitor is now and Tab starts from the page's top.
 */
function usePageHeading() {
  const { pathname, hash, state } = useLocation();
  // A page that only took a new address (a draft made on its first keystroke) keeps the focus.
  const keepFocus = (state as { keepFocus?: boolean } | null)?.keepFocus === true;
  const first = useRef(true);
  useEffect(() => {
    const moveFocus = !first.current && !keepFocus;
    first.current = false;
    let tries = 0;
    let timer = 0;
    // A link to a place on a page (`/roles/x#questions`) lands there once it is drawn.
    const target = hash.length > 1 ? decodeURIComponent(hash.slice(1)) : null;
    const settle = () => {
      const heading = document.querySelector<HTMLHeadingElement>('main h1');
      const place = target ? document.getElementById(target) : null;
      if (heading && (!target || place || tries > 40)) {
        const title = heading.textContent?.trim();
        if (title) document.title = `${title} — ${SITE_NAME}`;
        if (moveFocus && !heading.contains(document.activeElement)) {
          heading.tabIndex = -1;
          heading.focus({ preventScroll: place !== null });
        }
        place?.scrollIntoView();
        return;
      }
      // The page may still be loading its data (or its code): look again shortly.
      if (++tries < 100) timer = window.setTimeout(settle, 50);
    };
    settle();
    return () => window.clearTimeout(timer);
    // `keepFocus` only changes with the address.
  }, [pathname, hash]);
}

function Account() {
  const { token, signOut } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [{ data }] = useQuery({ query: MeDocument, pause: !token });
  const [, logout] = useMutation(LogoutDocument);
  const [busy, setBusy] = useState(false);

  if (!token) {
    // Back to where the visitor was once signed in or up (not to the roles list).
    const here = location.pathname + location.search + location.hash;
    const onAuthPage = location.pathname === '/signin' || location.pathname === '/signup';
    return (
      <div className="account">
        <NavLink to={onAuthPage ? `/signin${location.search}` : signInPath(here)} data-testid="header-signin">
          Sign in
        </NavLink>
        <NavLink
          to={onAuthPage ? `/signup${location.search}` : signInPath(here, 'signup')}
          className="button button-small"
          data-testid="header-signup"
        >
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
  const { token } = useAuth();
  const { pathname } = useLocation();
  // On a phone the links fold into a menu, so the header stays one line.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [pathname]);
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
          <button
            type="button"
            className="menu-button button button-small button-secondary"
            aria-expanded={menuOpen}
            aria-controls="site-menu"
            data-testid="menu-button"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
          <div id="site-menu" className={menuOpen ? 'site-menu open' : 'site-menu'}>
            <nav className="main-nav" aria-label="Main">
              <NavLink to="/" end>
                Roles
              </NavLink>
              {/* A visitor's own pages only once there is someone to own them. */}
              {token && (
                <>
                  <NavLink to="/drafts">My drafts</NavLink>
                  <NavLink to="/stories">Story bank</NavLink>
                  <NavLink to="/interviews">Interviews</NavLink>
                  <NavLink to="/agenda">Agenda</NavLink>
                  <NavLink to="/shared">Shared with me</NavLink>
                  <NavLink to="/account" data-testid="nav-account">
                    Account
                  </NavLink>
                </>
              )}
            </nav>
            <Account />
          </div>
        </div>
      </header>
      <main className="container" id="main" tabIndex={-1}>
        <FlashNotice />
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
