import { useEffect, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';

import { describeApiError, fieldMessage, firstApiError, type ApiError } from '../errors';
import { formatDateTime, plural } from '../format';
import {
  AddCommentDocument,
  CommentEventsDocument,
  DeleteCommentDocument,
  DraftCommentsDocument,
  ResolveCommentThreadDocument,
  UpdateCommentDocument,
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

/** The most characters a comment may have (the server's default `--comment-max-chars`). */
export const COMMENT_MAX_CHARS = 2000;

/**
 * How a comment is shown: author, time, quote, body; for the viewer's own (while
 * they may comment), Edit in place and Delete after a confirmation.
 */
function CommentBody({
  comment,
  canComment,
  replies = 0,
  onChanged,
}: {
  comment: CommentFieldsFragment;
  canComment: boolean;
  /** How many replies go with it when it is deleted (a thread's first comment). */
  replies?: number;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState(comment.body);
  const [saving, update] = useMutation(UpdateCommentDocument);
  const [deleting, remove] = useMutation(DeleteCommentDocument);
  const error = firstApiError(saving.error) ?? firstApiError(deleting.error);
  const editId = `comment-edit-${comment.id}`;
  const own = comment.mine && canComment;
  const save = async () => {
    const result = await update({ id: comment.id, body: draft });
    if (result.data) {
      setEditing(false);
      onChanged();
    }
  };
  const confirmDelete = async () => {
    const result = await remove({ id: comment.id });
    if (result.data) {
      setConfirming(false);
      onChanged();
    }
  };
  return (
    <div className="comment" data-testid="comment" data-comment-id={comment.id} data-unread={comment.unread ? 'true' : 'false'}>
      <p className="comment-meta small">
        <strong>{comment.authorName}</strong>
        {comment.byOwner && <span className="badge">owner</span>} · {formatDateTime(comment.createdAt)}
        {comment.unread && <span className="badge badge-unread comment-new">new</span>}
      </p>
      {comment.quote && (
        <blockquote className={`comment-quote ${comment.outdated ? 'outdated' : ''}`}>
          “{comment.quote}”{comment.outdated && <span className="small muted"> (no longer in the text)</span>}
        </blockquote>
      )}
      {editing ? (
        <div className="comment-form" role="group" aria-label="Edit your comment">
          <label htmlFor={editId} className="visually-hidden">
            Edit your comment
          </label>
          <textarea
            id={editId}
            rows={2}
            value={draft}
            maxLength={COMMENT_MAX_CHARS}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') void save();
              if (e.key === 'Escape') setEditing(false);
            }}
            data-testid="comment-edit-input"
          />
          <div className="thread-actions">
            <button type="button" className="button button-small" onClick={() => void save()} disabled={saving.fetching} data-testid="comment-edit-save">
              Save
            </button>
            <button type="button" className="link-button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <p className="comment-text" data-testid="comment-body">
          {comment.body}
        </p>
      )}
      {own && !editing && !confirming && (
        <div className="thread-actions">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setDraft(comment.body);
              setEditing(true);
            }}
            data-testid="comment-edit"
          >
            Edit
          </button>
          <button type="button" className="link-button danger" onClick={() => setConfirming(true)} data-testid="comment-delete">
            Delete
          </button>
        </div>
      )}
      {confirming && (
        <div className="comment-confirm" role="group" aria-label="Confirm deleting your comment" data-testid="comment-delete-confirm">
          <p className="small">
            {replies > 0
              ? `Delete your comment and the ${plural(replies, 'reply', 'replies')} under it? The whole thread goes, for everyone.`
              : 'Delete your comment? It goes for everyone.'}
          </p>
          <div className="thread-actions">
            <button type="button" className="button button-small danger" onClick={() => void confirmDelete()} disabled={deleting.fetching} data-testid="comment-delete-yes">
              Delete
            </button>
            <button type="button" className="link-button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="alert alert-error small" role="alert" data-code={error.code}>
          {describeCommentError(error)}
        </p>
      )}
    </div>
  );
}

/** The server's refusal of a comment, in plain words. */
function describeCommentError(error: ApiError): string {
  if (error.code === 'BAD_USER_INPUT' && (error.extensions.field === 'body' || error.extensions.field === 'quote')) {
    const what = error.extensions.field === 'body' ? 'The comment' : 'The quote';
    return `${what} ${fieldMessage(error)}.`;
  }
  if (error.code === 'FORBIDDEN') return 'You may only read this draft now, not comment on it.';
  return describeApiError(error);
}

/**
 * A box for a new comment or a reply. Not a `<form>`: in the owner's editor it
 * sits inside the draft's own form, and forms do not nest.
 */
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
  const submit = async () => {
    if (!body.trim() || state.fetching) return;
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
    <div className="comment-form" role="group" aria-label={label} data-testid={parentId ? 'reply-form' : 'comment-form'}>
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
        maxLength={COMMENT_MAX_CHARS}
        placeholder={label}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl+Enter sends, as the button does.
          if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') void submit();
        }}
        data-testid={parentId ? 'reply-input' : 'comment-input'}
      />
      <button
        type="button"
        className="button button-small"
        onClick={() => void submit()}
        disabled={state.fetching || !body.trim()}
        data-testid={parentId ? 'reply-send' : 'comment-send'}
      >
        {parentId ? 'Reply' : 'Comment'}
      </button>
      {error && (
        <p className="alert alert-error small" role="alert" data-code={error.code}>
          {describeCommentError(error)}
        </p>
      )}
    </div>
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
  heading = true,
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
  /** Whether it shows its own heading (not when a disclosure above names it). */
  heading?: boolean;
}) {
  const mine = threads.filter((t) => t.section === section);
  const open = mine.filter((t) => !t.resolved);
  const resolved = mine.filter((t) => t.resolved);
  return (
    <div className="section-threads" data-testid={`threads-${section}`}>
      {heading && (
        <h3 className="threads-heading">
          {label} <span className="badge">{plural(open.length, 'open thread')}</span>
        </h3>
      )}
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
      <CommentBody comment={thread} canComment={canComment} replies={thread.replies.length} onChanged={onChanged} />
      {thread.replies.length > 0 && (
        <ul className="replies">
          {thread.replies.map((r) => (
            <li key={r.id} data-testid="reply">
              <CommentBody comment={r} canComment={canComment} onChanged={onChanged} />
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
