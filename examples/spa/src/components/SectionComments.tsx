import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useMutation } from 'urql';

import { plural } from '../format';
import { MarkCommentsReadDocument } from '../gql/sharing';
import type { CommentSection } from '../gql/types';
import { COMMENT_SECTIONS, SectionThreads, useDraftComments, type Thread } from './CommentThreads';
import '../sharing.css';

/**
 * How long a section's threads stay open on screen before what they show counts
 * as read: long enough that a badge is seen, short enough not to be noticed.
 */
export const READ_AFTER_MS = 800;

type Comments = ReturnType<typeof useDraftComments>;

interface SectionCommentsState {
  draftId: string;
  comments: Comments;
  canComment: boolean;
  isOwner: boolean;
  /** Whether section `s`'s threads are shown. */
  isOpen: (s: CommentSection) => boolean;
  setOpen: (s: CommentSection, open: boolean) => void;
  /** The comments of section `s` new to the viewer and not yet seen in this view. */
  unreadIn: (s: CommentSection) => number;
}

const Context = createContext<SectionCommentsState | null>(null);

/** Every comment of the open threads (resolved threads are not counted as new). */
function openComments(threads: Thread[]) {
  return threads.filter((t) => !t.resolved).flatMap((t) => [t, ...t.replies]);
}

/**
 * A draft's comment threads for the sections below it, live, with what is unread.
 *
 * Reading: a section's new comments count as read in this view once its threads
 * have been open for a moment ({@link READ_AFTER_MS}); its badge goes then. The
 * server keeps one read mark per draft (`markCommentsRead` marks every comment up
 * to the newest), so it is told only once every section with new comments has been
 * read: a badge left on a closed section stays until that section is opened too,
 * also after a reload.
 */
export function DraftCommentsProvider({
  draftId,
  canComment,
  isOwner,
  openAtFirst = false,
  children,
}: {
  /** The draft; empty for one not saved yet (there is nothing to comment on). */
  draftId: string;
  canComment: boolean;
  isOwner: boolean;
  /** Whether every section's threads start open (the shared view) or closed (the editor). */
  openAtFirst?: boolean;
  children: ReactNode;
}) {
  const comments = useDraftComments(draftId, !draftId);
  const [open, setOpenSections] = useState<ReadonlySet<CommentSection>>(
    () => new Set(openAtFirst ? COMMENT_SECTIONS.map((s) => s.section) : []),
  );
  // Ids of new comments already shown in this view.
  const [seen, setSeen] = useState<ReadonlySet<string>>(() => new Set());
  const [, markRead] = useMutation(MarkCommentsReadDocument);
  // The new comments last reported read, so that they are reported once.
  const marked = useRef('');

  const unread = useMemo(() => openComments(comments.threads).filter((c) => c.unread), [comments.threads]);
  const showing = unread.filter((c) => open.has(c.section) && !seen.has(c.id)).map((c) => c.id);
  const showingKey = showing.join(' ');

  // What stays open a moment is read here.
  useEffect(() => {
    if (!showingKey) return;
    const timer = window.setTimeout(() => {
      setSeen((before) => new Set([...before, ...showingKey.split(' ')]));
    }, READ_AFTER_MS);
    return () => window.clearTimeout(timer);
  }, [showingKey]);

  // Once every new comment was read here, the server hears of it.
  const allSeen = unread.length > 0 && unread.every((c) => seen.has(c.id));
  const unreadKey = unread.map((c) => c.id).join(' ');
  const { reload } = comments;
  useEffect(() => {
    if (!allSeen || !draftId || marked.current === unreadKey) return;
    marked.current = unreadKey;
    void markRead({ draftId }).then(() => reload());
    // `reload` is a new function on every render; the key says when to report.
  }, [allSeen, draftId, unreadKey, markRead]);

  const setOpen = useCallback((s: CommentSection, value: boolean) => {
    setOpenSections((before) => {
      const next = new Set(before);
      if (value) next.add(s);
      else next.delete(s);
      return next;
    });
  }, []);
  const state: SectionCommentsState = {
    draftId,
    comments,
    canComment,
    isOwner,
    isOpen: (s) => open.has(s),
    setOpen,
    unreadIn: (s) => unread.filter((c) => c.section === s && !seen.has(c.id)).length,
  };
  return <Context.Provider value={state}>{children}</Context.Provider>;
}

/** The label of section `s` ("Action", "The draft as a whole"). */
function labelOf(s: CommentSection): string {
  return COMMENT_SECTIONS.find((c) => c.section === s)?.label ?? s;
}

/** The comments about the whole draft, in a panel of their own. */
export function GeneralComments() {
  const state = useContext(Context);
  if (!state?.comments.draft) return null;
  return (
    <section
      className="general-comments card"
      aria-label="Comments on the whole draft"
      data-testid="comments-panel"
      data-live={state.comments.live ? 'true' : 'false'}
    >
      <SectionComments section="GENERAL" />
    </section>
  );
}

/**
 * Section `section`'s threads behind a button that shows how many there are and
 * how many are new (the unread badge), opened and closed in place. Placed inside
 * a section's `.field`, it goes beside the text box on a wide screen and under it
 * on a narrow one (see sharing.css); outside a {@link DraftCommentsProvider} (or
 * before the draft's comments are read) it shows nothing.
 */
export function SectionComments({
  section,
  quote,
  onClearQuote,
}: {
  section: CommentSection;
  quote?: string | null;
  onClearQuote?: () => void;
}) {
  const state = useContext(Context);
  if (!state) return null;
  const { comments, draftId, canComment, isOwner } = state;
  const label = labelOf(section);
  const open = state.isOpen(section);
  const threads = comments.threads.filter((t) => t.section === section);
  const active = threads.filter((t) => !t.resolved).length;
  const unread = state.unreadIn(section);
  const panel = `comments-of-${section}`;
  const name = section === 'GENERAL' ? 'the whole draft' : label;
  if (!comments.draft) return null;
  return (
    <aside className="section-comments" aria-label={`Comments on ${name}`} data-testid={`comments-${section}`}>
      <h3 className="threads-heading">
        <button
          type="button"
          className="section-comments-toggle"
          aria-expanded={open}
          aria-controls={panel}
          onClick={() => state.setOpen(section, !open)}
          data-testid={`comments-toggle-${section}`}
        >
          {section === 'GENERAL' ? 'Comments on the whole draft' : `Comments on ${label}`}{' '}
          <span className="badge">{plural(active, 'open thread')}</span>
        </button>
      </h3>
      {/* A live region that is always there, so a new badge is announced. */}
      <span role="status" className="section-unread">
        {unread > 0 && (
          <span className="badge badge-unread" data-testid={`unread-${section}`}>
            <span aria-hidden="true">{unread} new</span>
            <span className="visually-hidden">{plural(unread, 'unread comment')} on {name}</span>
          </span>
        )}
      </span>
      <div id={panel}>
        {open && (
          <SectionThreads
            draftId={draftId}
            version={comments.draft.version}
            section={section}
            label={label}
            threads={comments.threads}
            canComment={canComment}
            isOwner={isOwner}
            quote={quote}
            onClearQuote={onClearQuote}
            onChanged={comments.reload}
            heading={false}
          />
        )}
      </div>
    </aside>
  );
}

/** The comments of the draft the threads above belong to (for pages that need the draft's state). */
export function useSectionComments(): Comments | null {
  return useContext(Context)?.comments ?? null;
}
