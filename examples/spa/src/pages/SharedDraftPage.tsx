import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, type CombinedError } from 'urql';

import { COMMENT_SECTIONS } from '../components/CommentThreads';
import { DraftCommentsProvider, SectionComments, useSectionComments } from '../components/SectionComments';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { SharedDraftDocument, type SharedDraftQuery } from '../gql/sharing';
import type { CommentSection } from '../gql/types';
import '../sharing.css';

/** `/shared/drafts/:id`: a draft someone shared, read-only, with its comment threads. */
export function SharedDraftPage() {
  const { id = '' } = useParams();
  return (
    <RequireAuth>
      <SharedDraft key={id} id={id} />
    </RequireAuth>
  );
}

type Grants = SharedDraftQuery['sharedWithMe'];

/** The grant the viewer reads the draft through: its own share first, else a story bank's. */
function grantFor(grants: Grants, id: string): Grants[number] | null {
  const own = grants.find((g) => g.targetKind === 'DRAFT' && g.draft?.id === id);
  if (own) return own;
  const banks = grants.filter((g) => g.targetKind === 'STORY_BANK');
  const listing = banks.filter((g) => g.drafts?.edges.some((e) => e.node.id === id));
  // A story bank lists its first drafts only: a commenter's bank covers the rest too.
  return listing[0] ?? banks.find((g) => g.access === 'COMMENTER') ?? banks[0] ?? null;
}

function SharedDraft({ id }: { id: string }) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: SharedDraftDocument,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const grant = data ? grantFor(data.sharedWithMe, id) : null;
  return (
    // The same threads as in the owner's editor, beside each section, open from the start.
    <DraftCommentsProvider draftId={id} canComment={grant?.access === 'COMMENTER'} isOwner={false} openAtFirst>
      <SharedDraftView id={id} data={data} error={error} fetching={fetching} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
    </DraftCommentsProvider>
  );
}

function SharedDraftView({
  id,
  data,
  error,
  fetching,
  onRetry,
}: {
  id: string;
  data: SharedDraftQuery | undefined;
  error: CombinedError | undefined;
  fetching: boolean;
  onRetry: () => void;
}) {
  const comments = useSectionComments()!;
  // The text selected in a section, to quote in a comment on it.
  const [quote, setQuote] = useState<{ section: CommentSection; text: string } | null>(null);

  const draft = data?.starDraft;
  // Once the comment stream ended and the draft no longer reads, access has ended.
  const gone = comments.ended && comments.draft === null && !comments.fetching;
  if (fetching && !data) return <Loading what="Loading the shared draft" />;
  if (error) return <ErrorMessage error={error} onRetry={onRetry} />;
  if (!draft || gone) {
    return (
      <section className="not-found" data-testid="shared-draft-gone">
        <h1>This draft is not shared with you</h1>
        <p>
          It may have been unshared, its link may have expired, or it was deleted.{' '}
          <Link to="/shared">What is shared with you</Link>
        </p>
      </section>
    );
  }
  const grant = grantFor(data.sharedWithMe, id);
  const canComment = grant?.access === 'COMMENTER';
  const text: Record<CommentSection, string> = {
    TITLE: draft.title,
    SITUATION: draft.situation,
    TASK: draft.task,
    ACTION: draft.action,
    RESULT: draft.result,
    GENERAL: '',
  };

  /** Takes the selection as the quote when it lies within one section's text. */
  const pickQuote = (section: CommentSection) => () => {
    const selection = window.getSelection();
    const picked = selection?.toString().trim();
    if (!selection || !picked || selection.rangeCount === 0) return;
    const within = document.getElementById(`shared-${section}`);
    const range = selection.getRangeAt(0);
    if (!within?.contains(range.startContainer) || !within.contains(range.endContainer)) return;
    setQuote({ section, text: picked.slice(0, 500) });
  };

  return (
    <section className="shared-draft" data-testid="shared-draft" data-live={comments.live ? 'true' : 'false'}>
      <p className="breadcrumb">
        <Link to="/shared">Shared with me</Link> / {draft.title || 'Untitled draft'}
      </p>
      <h1>{draft.title || 'Untitled draft'}</h1>
      <p className="meta small">
        {grant && <>Shared by {grant.ownerName} · </>}
        {canComment ? 'You may read and comment' : 'You may read it'} · changed{' '}
        {formatDateTime(draft.updatedAt)}
      </p>
      {canComment && (
        <p className="hint small">Select words in a section to quote them in your comment.</p>
      )}
      {COMMENT_SECTIONS.map(({ section, label }) => (
        <div className="shared-draft-grid" key={section} data-testid={`section-${section}`}>
          <div>
            <h2>{label}</h2>
            {section === 'GENERAL' ? (
              <p className="muted small">Comments about the whole story.</p>
            ) : (
              <p
                id={`shared-${section}`}
                className="shared-section-text"
                data-testid={`shared-text-${section}`}
                onMouseUp={pickQuote(section)}
                onKeyUp={pickQuote(section)}
              >
                {text[section] || <span className="muted">(empty)</span>}
              </p>
            )}
          </div>
          <SectionComments
            section={section}
            quote={quote?.section === section ? quote.text : null}
            onClearQuote={() => setQuote(null)}
          />
        </div>
      ))}
    </section>
  );
}
