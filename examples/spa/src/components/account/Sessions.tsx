import { useState } from 'react';
import { useMutation, type UseQueryState } from 'urql';

import { formatDateTime, plural } from '../../format';
import { EndOtherSessionsDocument, EndSessionDocument, type MySessionsQuery } from '../../gql/accountPage';
import { ErrorMessage, Loading } from '../Status';
import { describeUserAgent } from './userAgent';

type Session = MySessionsQuery['mySessions'][number];

/**
 * Where the account is signed in, with a way to sign each other device out, or
 * all of them at once. `refresh` reloads the list from the server after each.
 */
export function Sessions({
  sessions,
  refresh,
}: {
  sessions: UseQueryState<MySessionsQuery>;
  refresh(): void;
}) {
  const [endOneState, endOne] = useMutation(EndSessionDocument);
  const [endOthersState, endOthers] = useMutation(EndOtherSessionsDocument);
  const [notice, setNotice] = useState<string | null>(null);
  const list = sessions.data?.mySessions ?? [];
  const others = list.filter((s) => !s.current).length;
  const busy = endOneState.fetching || endOthersState.fetching;

  const onEnd = async (session: Session) => {
    setNotice(null);
    const result = await endOne({ id: session.id });
    if (result.data) setNotice(`${describeUserAgent(session.userAgent)} is signed out.`);
    refresh();
  };

  const onEndOthers = async () => {
    setNotice(null);
    const result = await endOthers({});
    if (result.data) setNotice(`Signed out ${plural(result.data.endOtherSessions, 'other session')}.`);
    refresh();
  };

  return (
    <section className="card account-section" aria-labelledby="sessions-title" data-testid="sessions">
      <h2 id="sessions-title">Where you are signed in</h2>
      <p className="muted">
        Each browser or app that signed in to this account. Sign out any you do not recognise, or no
        longer use.
      </p>
      <ErrorMessage error={sessions.error} onRetry={refresh} />
      <ErrorMessage error={endOneState.error ?? endOthersState.error} />
      {notice && (
        <p className="alert alert-info" role="status" data-testid="sessions-notice">
          {notice}
        </p>
      )}
      {sessions.fetching && !sessions.data ? (
        <Loading what="Loading your sessions" />
      ) : (
        <ul className="session-list" data-testid="session-list">
          {list.map((session) => (
            <SessionRow key={session.id} session={session} busy={busy} onEnd={() => onEnd(session)} />
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button button-secondary"
        data-testid="end-other-sessions"
        onClick={onEndOthers}
        disabled={busy || others === 0}
      >
        Sign out everywhere else
      </button>
    </section>
  );
}

function SessionRow({ session, busy, onEnd }: { session: Session; busy: boolean; onEnd(): void }) {
  const device = describeUserAgent(session.userAgent);
  return (
    <li className="session" data-testid="session" data-current={session.current}>
      <div className="session-head">
        <strong title={session.userAgent ?? undefined}>{device}</strong>
        {session.current && (
          <span className="badge" data-testid="session-current">
            This device
          </span>
        )}
      </div>
      <dl className="session-facts">
        <dt>Address</dt>
        <dd>{session.address ?? 'Unknown'}</dd>
        <dt>Signed in</dt>
        <dd>{formatDateTime(session.createdAt)}</dd>
        <dt>Last used</dt>
        <dd>{formatDateTime(session.lastUsedAt)}</dd>
      </dl>
      {session.current ? (
        <p className="muted session-note">To sign out here, use “Sign out” in the page’s header (under Menu on a phone).</p>
      ) : (
        <button
          type="button"
          className="button button-small button-secondary"
          data-testid="end-session"
          onClick={onEnd}
          disabled={busy}
          aria-label={`Sign out ${device}, last used ${formatDateTime(session.lastUsedAt)}`}
        >
          Sign out
        </button>
      )}
    </li>
  );
}
