import { useState } from 'react';
import { useClient } from 'urql';

import type { StarDraft, StarDraftRevision } from '../api';
import { describeApiError, firstApiError, type ApiError } from '../errors';
import { STATUS_LABEL, formatDateTime, plural } from '../format';
import { DraftRevisionsDocument, RestoreRevisionDocument } from '../gql/drafts';
import { countWords } from '../wordCount';

/** Revisions shown per page of the history. */
const PAGE = 20;

/**
 * The draft's versions, newest first, read when the panel is opened; any one can be
 * restored, which makes a new version with its text (nothing is overwritten).
 */
export function HistoryPanel({
  draft,
  canRestore,
  onRestored,
}: {
  draft: StarDraft;
  /** False while the form has unsaved edits: restoring would drop them. */
  canRestore: boolean;
  onRestored: (draft: StarDraft) => void;
}) {
  const client = useClient();
  const [revisions, setRevisions] = useState<StarDraftRevision[] | null>(null);
  const [more, setMore] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (after: string | null) => {
    const result = await client
      .query(DraftRevisionsDocument, { id: draft.id, first: PAGE, after }, { requestPolicy: 'network-only' })
      .toPromise();
    const page = result.data?.starDraft?.revisions;
    if (!page) {
      setError(firstApiError(result.error));
      return;
    }
    setError(null);
    setRevisions((shown) => (after && shown ? [...shown, ...page.nodes] : page.nodes));
    setMore(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
  };

  const restore = async (version: number) => {
    if (!window.confirm(`Restore version ${version}? It becomes a new version; nothing is deleted.`)) return;
    setBusy(true);
    const result = await client
      .mutation(RestoreRevisionDocument, { id: draft.id, version, expectedVersion: draft.version })
      .toPromise();
    setBusy(false);
    const restored = result.data?.restoreStarDraftRevision;
    if (restored) {
      onRestored(restored);
      void load(null);
    } else {
      setError(firstApiError(result.error));
    }
  };

  return (
    <details
      className="history card"
      data-testid="history"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void load(null);
      }}
    >
      <summary>
        <h2 className="history-heading">History</h2>
      </summary>
      {error && (
        <p className="alert alert-error" role="alert">
          {describeApiError(error)}
        </p>
      )}
      {!canRestore && <p className="muted small">Restoring is possible once your edits are saved.</p>}
      {revisions === null ? (
        <p className="muted small">Loading versions…</p>
      ) : (
        <ol className="revisions" data-testid="revisions">
          {revisions.map((r) => {
            const words = countWords([r.situation, r.task, r.action, r.result].join(' '));
            return (
              <li key={r.version} data-testid="revision" data-version={r.version}>
                <strong>Version {r.version}</strong>
                {r.version === draft.version && ' (current)'} · {formatDateTime(r.createdAt)} ·{' '}
                {plural(words, 'word')} · {STATUS_LABEL[r.status]}
                {r.title && <span className="muted"> · {r.title}</span>}
                {r.version !== draft.version && (
                  <button
                    type="button"
                    className="link-button"
                    data-testid="restore-revision"
                    disabled={!canRestore || busy}
                    onClick={() => void restore(r.version)}
                  >
                    Restore
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {more && (
        <button type="button" className="button button-small button-secondary" onClick={() => void load(more)}>
          Older versions
        </button>
      )}
    </details>
  );
}
