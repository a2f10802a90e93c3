import { useState } from 'react';
import { useClient } from 'urql';

import type { StarDraft, StarDraftRevision } from '../api';
import { describeApiError, firstApiError, type ApiError } from '../errors';
import { STATUS_LABEL, formatSavedAt, plural } from '../format';
import { DraftRevisionsDocument, RestoreRevisionDocument } from '../gql/drafts';
import { countWords } from '../wordCount';

/** Revisions shown per page of the history. */
const PAGE = 20;

/** Whether two saves hold the same text and status (a restore copies both). */
function sameSave(a: StarDraftRevision, b: StarDraftRevision): boolean {
  return (
    a.title === b.title &&
    a.situation === b.situation &&
    a.task === b.task &&
    a.action === b.action &&
    a.result === b.result &&
    a.status === b.status
  );
}

/**
 * The earlier save whose text `revisions[index]` brought back, if it looks like a
 * restore: a change from the save before it, back to the text of an older one.
 * The API does not record restores; a text typed back by hand reads the same.
 */
function restoredFrom(revisions: StarDraftRevision[], index: number): StarDraftRevision | undefined {
  const save = revisions[index]!;
  const before = revisions[index + 1];
  if (!before || sameSave(save, before)) return undefined;
  return revisions.slice(index + 2).find((older) => sameSave(save, older));
}

/**
 * What the draft was at each save, newest first, read when the panel is opened:
 * when it was saved (not a version number: candidates do not think in those), its
 * words and status. Any one can be restored, which saves its text again as the
 * newest (nothing is overwritten).
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

  const restore = async ({ version, createdAt }: StarDraftRevision) => {
    const when = formatSavedAt(createdAt);
    if (!window.confirm(`Restore the text saved ${when}? It is saved again as the newest; nothing is deleted.`)) return;
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
        <p className="muted small">Loading what you saved…</p>
      ) : (
        <ol className="revisions" data-testid="revisions">
          {revisions.map((r, index) => {
            const words = countWords([r.situation, r.task, r.action, r.result].join(' '));
            const when = formatSavedAt(r.createdAt);
            const from = restoredFrom(revisions, index);
            return (
              <li key={r.version} data-testid="revision" data-version={r.version}>
                <strong data-testid="revision-saved-at">
                  Saved <time dateTime={r.createdAt}>{when}</time>
                </strong>
                {r.version === draft.version && <span data-testid="revision-current"> (current)</span>}
                {from && (
                  <span data-testid="revision-restored">
                    {' '}
                    · restored from {formatSavedAt(from.createdAt)}
                  </span>
                )}{' '}
                · {plural(words, 'word')} · {STATUS_LABEL[r.status]}
                {r.title && <span className="muted"> · {r.title}</span>}
                {r.version !== draft.version && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="link-button"
                      data-testid="restore-revision"
                      aria-label={`Restore the text saved ${when}`}
                      disabled={!canRestore || busy}
                      onClick={() => void restore(r)}
                    >
                      Restore
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {more && (
        <button type="button" className="button button-small button-secondary" onClick={() => void load(more)}>
          Earlier saves
        </button>
      )}
    </details>
  );
}
