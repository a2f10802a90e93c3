import { useEffect, useRef, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';

import { describeApiError, firstApiError } from '../errors';
import { formatDateTime, plural } from '../format';
import {
  AddCommentDocument,
  CommentEventsDocument,
  DraftCommentsDocument,
  MarkCommentsReadDocument,
  ResolveCommentThreadDocument,
  type CommentFieldsFragment,
  type DraftCommentsQuery,
} from '../gql/sharing';
import type { CommentSection } from '../gql/types';
import { useReloadOnLiveChange } from '../live';
import '../sharing.css';

/** A thread: its first comment with the replies. */
export type Thread = NonNullable<DraftCommentsQuery['starDraft']>['comments'][number];

export const COMMENT_SECTIONS: readonly { section: CommentSection; label: string }[] = [
  { section: 'TITLE', label: 'Title' },
  { section: 'SITUATION', label: 'Situation' },
  { section: 'TASK', label: 'Task' },
  { section: 'ACTION', label: 'Action' },
  { section: 'RESULT', label: 'Result' },
  { section: 'GENERAL', label: 'The draft as a whole' },
];

/**
 * A draft's comment threads, reloaded whenever `commentEvents` says one changed.
 * `pause` keeps it from asking (e.g. before the draft is known).
 */
export function useDraftComments(draftId: string, pause = false) {
  const client = useClient();
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: DraftCommentsDocument,
    variables: { id: draftId },
    pause,
    requestPolicy: 'network-only',
  });
  const changed = useReloadOnLiveChange(reexecute);
  // Whether the subscription is open: the server ends it when the viewer's access
  // ends (revoked, expired) or the draft is deleted; a reload then says which.
  const [live, setLive] = useState(false);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    if (pause) return;
    let closing = false;
    setLive(true);
    const { unsubscribe } = pipe(
      client.subscription(CommentEventsDocument, { draftId }),
      onEnd(() => {
        if (closing) return;
        setLive(false);
        setEnded(true);
        changed();
      }),
      subscribe((result) => {
        if (result.error) setLive(false);
        changed();
      }),
    );
    return () => {
      closing = true;
      unsubscribe();
    };
  }, [client, draftId, pause, changed]);
  const threads: Thread[] = data?.starDraft?.comments ?? [];
  return {
    draft: data?.starDraft ?? null,
    threads,
    error,
    fetching,
    live,
    /** The server ended the stream: the viewer's access ended or the draft was deleted. */
    ended,
    reload: () => reexecute({ requestPolicy: 'network-only' }),
  };
}

/** How a comment is shown: author, time, quote, body. */
function CommentBody({ comment }: { comment: CommentFieldsFragment }) {
  return (
    <>
      <p className="comment-meta small">
        <strong>{comment.authorName}</strong>
        {comment.byOwner && <span className="badge">owner</span>} · {formatDateTime(comment.createdAt)}
      </p>
      {comment.quote && (
        <blockquote className={`comment-quote ${comment.outdated ? 'outdated' : ''}`}>
          “{comment.quote}”{comment.outdated && <span className="small muted"> (no longer in the text)</span>}
        </blockquote>
      )}
      <p className="comment-text" data-testid="comment-body">
        {comment.body}
      </p>
    </>
  );
}

/** A form for a new comment or a reply. */
function CommentForm({
  draftId,
  version,
  section,
  parentId,
  quote,
  onClearQuote,
  onDone,
  label,
}: {
  draftId: string;
  version: number;
  section: CommentSection;
  parentId?: string;
  quote?: string | null;
  onClearQuote?: () => void;
  onDone: () => void;
  label: string;
}) {
  const [body, setBody] = useState('');
  const [state, add] = useMutation(AddCommentDocument);
  const error = firstApiError(state.error);
  const id = `comment-${parentId ?? section}`;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const result = await add({
      input: { draftId, version, section, body, quote: parentId ? null : quote || null, parentId: parentId ?? null },
    });
    if (result.data) {
      setBody('');
      onClearQuote?.();
      onDone();
    }
  };
  return (
    <form className="comment-form" onSubmit={submit} data-testid={parentId ? 'reply-form' : 'comment-form'}>
      {quote && !parentId && (
        <p className="small" data-testid="comment-quote-pending">
          Quoting “{quote}”{' '}
          <button type="button" className="link-button" onClick={onClearQuote}>
            Don’t quote
          </button>
        </p>
      )}
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea
        id={id}
        rows={2}
        value={body}
        maxLength={2000}
        placeholder={label}
        onChange={(e) => setBody(e.target.value)}
        data-testid={parentId ? 'reply-input' : 'comment-input'}
      />
      <button type="submit" className="button button-small" disabled={state.fetching || !body.trim()} data-testid={parentId ? 'reply-send' : 'comment-send'}>
        {parentId ? 'Reply' : 'Comment'}
      </button>
      {error && (
        <p className="alert alert-error small" role="alert" data-code={error.code}>
          {describeApiError(error)}
        </p>
      )}
    </form>
  );
}

/**
 * The threads about one section, with a form for a new one (when the viewer may
 * comment), replies, and resolve / reopen (the owner only).
 */
export function SectionThreads({
  draftId,
  version,
  section,
  label,
  threads,
  canComment,
  isOwner,
  quote,
  onClearQuote,
  onChanged,
}: {
  draftId: string;
  version: number;
  section: CommentSection;
  label: string;
  threads: Thread[];
  canComment: boolean;
  isOwner: boolean;
  quote?: string | null;
  onClearQuote?: () => void;
  onChanged: () => void;
}) {
  const mine = threads.filter((t) => t.section === section);
  const open = mine.filter((t) => !t.resolved);
  const resolved = mine.filter((t) => t.resolved);
  return (
    <div className="section-threads" data-testid={`threads-${section}`}>
      <h3 className="threads-heading">
        {label} <span className="badge" aria-label={plural(open.length, 'open thread')}>{open.length}</span>
      </h3>
      {open.map((t) => (
        <ThreadView key={t.id} thread={t} draftId={draftId} version={version} canComment={canComment} isOwner={isOwner} onChanged={onChanged} />
      ))}
      {resolved.length > 0 && (
        <details className="resolved-threads">
          <summary className="small">{plural(resolved.length, 'resolved thread')}</summary>
          {resolved.map((t) => (
            <ThreadView key={t.id} thread={t} draftId={draftId} version={version} canComment={canComment} isOwner={isOwner} onChanged={onChanged} />
          ))}
        </details>
      )}
      {canComment && (
        <CommentForm
          draftId={draftId}
          version={version}
          section={section}
          quote={quote}
          onClearQuote={onClearQuote}
          onDone={onChanged}
          label={`Comment on ${label.toLowerCase()}`}
        />
      )}
    </div>
  );
}

function ThreadView({
  thread,
  draftId,
  version,
  canComment,
  isOwner,
  onChanged,
}: {
  thread: Thread;
  draftId: string;
  version: number;
  canComment: boolean;
  isOwner: boolean;
  onChanged: () => void;
}) {
  const [replying, setReplying] = useState(false);
  const [resolving, resolve] = useMutation(ResolveCommentThreadDocument);
  const onResolve = async () => {
    const result = await resolve({ id: thread.id, resolved: !thread.resolved });
    if (result.data) onChanged();
  };
  return (
    <article className={`thread card ${thread.resolved ? 'resolved' : ''}`} data-testid="thread" data-resolved={thread.resolved ? 'true' : 'false'}>
      <CommentBody comment={thread} />
      {thread.replies.length > 0 && (
        <ul className="replies">
          {thread.replies.map((r) => (
            <li key={r.id} data-testid="reply">
              <CommentBody comment={r} />
            </li>
          ))}
        </ul>
      )}
      <div className="thread-actions">
        {canComment && !thread.resolved && !replying && (
          <button type="button" className="link-button" onClick={() => setReplying(true)} data-testid="thread-reply">
            Reply
          </button>
        )}
        {isOwner && (
          <button type="button" className="link-button" onClick={() => void onResolve()} disabled={resolving.fetching} data-testid="thread-resolve">
            {thread.resolved ? 'Reopen' : 'Resolve'}
          </button>
        )}
      </div>
      {replying && (
        <CommentForm
          draftId={draftId}
          version={version}
          section={thread.section}
          parentId={thread.id}
          onDone={() => {
            setReplying(false);
            onChanged();
          }}
          label="Your reply"
        />
      )}
      {resolving.error && <p role="alert">{describeApiError(firstApiError(resolving.error)!)}</p>}
    </article>
  );
}

/**
 * The owner's side of the comments, in the draft editor: the threads of each
 * section, an unread badge, and "read" once the panel is open.
 */
export function DraftCommentsPanel({ draftId }: { draftId: string }) {
  const { draft, threads, error, live, reload } = useDraftComments(draftId);
  const [open, setOpen] = useState(false);
  const [, markRead] = useMutation(MarkCommentsReadDocument);
  const unread = draft?.unreadCommentCount ?? 0;
  // What was unread when the panel was last opened: the badge says so until it closes.
  const marking = useRef(false);
  useEffect(() => {
    if (!open || unread === 0 || marking.current) return;
    marking.current = true;
    void markRead({ draftId }).then(() => {
      marking.current = false;
      reload();
    });
  }, [open, unread, draftId, markRead, reload]);
  if (!draft) return error ? <p className="alert alert-error small">{describeApiError(firstApiError(error)!)}</p> : null;
  const openCount = threads.filter((t) => !t.resolved).length;
  return (
    <details
      className="comments-panel card"
      data-testid="comments-panel"
      data-live={live ? 'true' : 'false'}
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>
        <h2 className="comments-summary">
          Comments{' '}
          <span className="badge" data-testid="comments-open-count">
            {plural(openCount, 'open thread')}
          </span>{' '}
          {unread > 0 && (
            <span className="badge badge-unread" data-testid="comments-unread">
              {unread} unread
            </span>
          )}
        </h2>
      </summary>
      {COMMENT_SECTIONS.map(({ section, label }) => (
        <SectionThreads
          key={section}
          draftId={draftId}
          version={draft.version}
          section={section}
          label={label}
          threads={threads}
          canComment
          isOwner
          onChanged={reload}
        />
      ))}
    </details>
  );
}
