import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useClient, useQuery } from 'urql';

import { Pager } from '../components/Pager';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { DRAFTS_PAGE_SIZE } from '../config';
import { describeApiError, firstApiError, type ApiError } from '../errors';
import { STATUS_LABEL, formatDateTime, plural } from '../format';
import { MyDraftEventsDocument } from '../gql/draftEvents';
import { DeleteDraftDocument, MyDraftsDocument, type MyDraftsQuery } from '../gql/drafts';
import { EPOCH, useLiveSubscription, useReloadOnLiveChange } from '../live';
import { formatSeconds, speakingSeconds } from '../wordCount';

/** A draft as the list shows it. */
type DraftListItem = MyDraftsQuery['myStarDrafts']['edges'][number]['node'];

/** Drafts of one role and question (or of none), in the order the list gave them. */
interface Group {
  key: string;
  role: { slug: string; title: string } | null;
  question: string | null;
  drafts: DraftListItem[];
}

/** Groups the page's drafts by role, then question; drafts answering none come last. */
function groupDrafts(drafts: DraftListItem[]): Group[] {
  const groups = new Map<string, Group>();
  for (const d of drafts) {
    const key = d.question ? `${d.question.role.slug}\n${d.question.id}` : '';
    let group = groups.get(key);
    if (!group) {
      group = { key, role: d.question?.role ?? null, question: d.question?.prompt ?? null, drafts: [] };
      groups.set(key, group);
    }
    group.drafts.push(d);
  }
  return [...groups.values()].sort((a, b) => {
    if (!a.role || !b.role) return a.role ? -1 : b.role ? 1 : 0;
    return a.role.title.localeCompare(b.role.title);
  });
}

export function DraftsPage() {
  return (
    <RequireAuth>
      <DraftList />
    </RequireAuth>
  );
}

/** The newest version seen of each draft, and the newest change time seen of any. */
interface Seen {
  versions: Map<string, number>;
  /** RFC 3339, as the API wrote it. */
  newest: string | null;
}

function see(seen: Seen, id: string, version: number, updatedAt: string | null): void {
  seen.versions.set(id, Math.max(seen.versions.get(id) ?? 0, version));
  if (updatedAt && (seen.newest === null || Date.parse(updatedAt) > Date.parse(seen.newest))) {
    seen.newest = updatedAt;
  }
}

function DraftList() {
  // Cursors of the pages before this one, so Previous can go back (the list only pages forward).
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MyDraftsDocument,
    variables: { first: DRAFTS_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });

  const seen = useRef<Seen>({ versions: new Map(), newest: null });
  useEffect(() => {
    for (const { node } of data?.myStarDrafts.edges ?? []) {
      see(seen.current, node.id, node.version, node.updatedAt);
    }
  }, [data]);

  // Any change to any of the viewer's drafts (here or elsewhere) reloads the page shown.
  // The subscription starts once the list is loaded, from the newest change it showed
  // (after a reconnect, the newest seen since): the server first sends what changed
  // from then on, so a change between the read and the subscription is not missed.
  const changed = useReloadOnLiveChange(reexecute);
  const { live } = useLiveSubscription(
    MyDraftEventsDocument,
    data !== undefined,
    () => ({ since: seen.current.newest ?? EPOCH }),
    (result) => {
      const event = result.data?.myStarDraftEvents;
      if (!event) return;
      const known = seen.current.versions.get(event.draftId);
      // The catch-up repeats what the list already shows.
      if (event.kind !== 'DELETED' && known !== undefined && known >= event.version) return;
      see(seen.current, event.draftId, event.version, event.draft?.updatedAt ?? null);
      changed();
    },
  );

  const drafts = data?.myStarDrafts;
  const pageInfo = drafts?.pageInfo;
  const client = useClient();
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);

  const remove = async (draft: DraftListItem) => {
    const name = draft.title || draft.question?.prompt || 'this untitled draft';
    if (!window.confirm(`Delete “${name}” and all its versions? This cannot be undone.`)) return;
    const result = await client.mutation(DeleteDraftDocument, { id: draft.id }).toPromise();
    const error = firstApiError(result.error);
    setDeleteError(result.data || error?.code === 'NOT_FOUND' ? null : error);
    reexecute({ requestPolicy: 'network-only' });
  };

  return (
    <section className="drafts-page">
      <div className="title-row">
        <h1>My drafts</h1>
        <Link to="/drafts/new" className="button">
          New blank draft
        </Link>
      </div>
      <p className="muted small" data-testid="live-state" data-live={live ? 'true' : 'false'}>
        {live ? 'Live: changes made in other tabs appear here.' : 'Connecting for live updates…'}
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
            <div data-testid="draft-list">
              {groupDrafts(drafts.edges.map((e) => e.node)).map((group) => (
                <section key={group.key} className="draft-group" data-testid="draft-group">
                  <h2>
                    {group.role ? (
                      <>
                        <Link to={`/roles/${encodeURIComponent(group.role.slug)}`}>{group.role.title}</Link>:{' '}
                        {group.question}
                      </>
                    ) : (
                      'Stories not tied to a question'
                    )}
                  </h2>
                  <ul className="draft-list">
                    {group.drafts.map((node) => (
                      <li
                        key={node.id}
                        className="card draft-card"
                        data-testid="draft-list-item"
                        data-draft-id={node.id}
                        data-version={node.version}
                      >
                        <h3>
                          <Link to={`/drafts/${encodeURIComponent(node.id)}`}>
                            {node.title || node.question?.prompt || 'Untitled draft'}
                          </Link>
                        </h3>
                        <p className="meta small">
                          <span className={`badge status-${node.status.toLowerCase()}`}>{STATUS_LABEL[node.status]}</span>
                          <span data-testid="draft-list-words">{plural(node.feedback.wordCount, 'word')}</span>
                          <span data-testid="draft-list-speaking">
                            {formatSeconds(speakingSeconds(node.feedback.wordCount))} spoken
                          </span>
                          <span>updated {formatDateTime(node.updatedAt)}</span>
                          <button
                            type="button"
                            className="link-button danger"
                            data-testid="draft-list-delete"
                            onClick={() => void remove(node)}
                          >
                            Delete
                          </button>
                        </p>
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          )}
          {deleteError && (
            <p className="alert alert-error" role="alert">
              {describeApiError(deleteError)}
            </p>
          )}
          <Pager
            label="Pages of drafts"
            onPrevious={
              trail.length > 0
                ? () => {
                    setAfter(trail[trail.length - 1] ?? null);
                    setTrail(trail.slice(0, -1));
                  }
                : null
            }
            onNext={
              pageInfo?.hasNextPage && pageInfo.endCursor
                ? () => {
                    setTrail([...trail, after]);
                    setAfter(pageInfo.endCursor ?? null);
                  }
                : null
            }
          />
        </>
      )}
    </section>
  );
}
