import { useEffect, useState, useSyncExternalStore } from 'react';
import { Link } from 'react-router';
import { useQuery, useSubscription } from 'urql';

import { MY_DRAFTS, MY_DRAFT_EVENTS, type MyDraftEventsData, type MyDraftsData } from '../api';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { DRAFTS_PAGE_SIZE } from '../config';
import { STATUS_LABEL, formatDateTime, plural } from '../format';
import { SETTLE_MS, getLiveSnapshot, subscribeLive } from '../live';

export function DraftsPage() {
  return (
    <RequireAuth>
      <DraftList />
    </RequireAuth>
  );
}

function DraftList() {
  // Cursors of the pages before this one, so Previous can go back (the list only pages forward).
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery<MyDraftsData>({
    query: MY_DRAFTS,
    variables: { first: DRAFTS_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });

  // Any change to any of the viewer's drafts (here or elsewhere) reloads the page shown.
  const [{ data: event }] = useSubscription<MyDraftEventsData>({ query: MY_DRAFT_EVENTS });
  const live = useSyncExternalStore(subscribeLive, getLiveSnapshot);
  const eventKey = event
    ? `${event.myStarDraftEvents.draftId}@${event.myStarDraftEvents.version}:${event.myStarDraftEvents.kind}`
    : '';
  useEffect(() => {
    if (eventKey) reexecute({ requestPolicy: 'network-only' });
  }, [eventKey, reexecute]);
  // Events sent while the socket was down are not replayed: reload after each (re)connect.
  const [liveReady, setLiveReady] = useState(false);
  useEffect(() => {
    if (live.state !== 'connected') {
      setLiveReady(false);
      return;
    }
    const timer = window.setTimeout(() => {
      reexecute({ requestPolicy: 'network-only' });
      setLiveReady(true);
    }, SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [live.state, live.connections, reexecute]);

  const drafts = data?.myStarDrafts;
  const pageInfo = drafts?.pageInfo;

  return (
    <section className="drafts-page">
      <div className="title-row">
        <h1>My drafts</h1>
        <Link to="/drafts/new" className="button">
          New blank draft
        </Link>
      </div>
      <p className="muted small" data-testid="live-state" data-live={liveReady ? 'true' : 'false'}>
        {liveReady ? 'Live: changes made in other tabs appear here.' : 'Connecting for live updates…'}
      </p>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {!drafts && fetching && <Loading what="Loading your drafts" />}
      {drafts && (
        <>
          <p className="result-count">
            <span data-testid="drafts-total-count">{drafts.totalCount}</span>{' '}
            {drafts.totalCount === 1 ? 'draft' : 'drafts'}
          </p>
          {drafts.edges.length === 0 ? (
            <p className="empty">
              No drafts yet. Open a role and press “Build a STAR answer” on a question.
            </p>
          ) : (
            <ul className="draft-list" data-testid="draft-list">
              {drafts.edges.map(({ node }) => (
                <li key={node.id} className="card draft-card" data-testid="draft-list-item" data-draft-id={node.id}>
                  <h2>
                    <Link to={`/drafts/${encodeURIComponent(node.id)}`}>
                      {node.title || node.question?.prompt || 'Untitled draft'}
                    </Link>
                  </h2>
                  {node.title && node.question && <p className="muted small">{node.question.prompt}</p>}
                  <p className="meta small">
                    <span className={`badge status-${node.status.toLowerCase()}`}>{STATUS_LABEL[node.status]}</span>
                    <span data-testid="draft-list-version">version {node.version}</span>
                    <span>{plural(node.feedback.wordCount, 'word')}</span>
                    <span>updated {formatDateTime(node.updatedAt)}</span>
                    {node.question && (
                      <Link to={`/roles/${encodeURIComponent(node.question.role.slug)}`}>{node.question.role.title}</Link>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
          <nav className="pager" aria-label="Pages of drafts">
            <button
              type="button"
              className="button button-secondary"
              data-testid="prev-page"
              disabled={trail.length === 0}
              onClick={() => {
                setAfter(trail[trail.length - 1] ?? null);
                setTrail(trail.slice(0, -1));
              }}
            >
              ← Previous
            </button>
            <button
              type="button"
              className="button button-secondary"
              data-testid="next-page"
              disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
              onClick={() => {
                if (!pageInfo?.endCursor) return;
                setTrail([...trail, after]);
                setAfter(pageInfo.endCursor);
              }}
            >
              Next →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
