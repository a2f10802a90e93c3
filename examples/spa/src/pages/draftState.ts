// The draft editor's state, kept apart from React so its rules read in one place.
//
// `base` is the server's draft that the form was loaded from (or last saved as):
// its version is what a save sends as `expectedVersion`, and its feedback is what
// the panel shows. The form has unsaved edits when its text differs from `base`.

import type { DraftText, StarDraft } from '../api';

export interface Conflict {
  /** The version the refused save was made on. */
  yours: number;
  /** The version the server has now. */
  current: number;
  /** The text that was refused, so it is never lost silently. */
  text: DraftText;
  /** The server's draft now, once read: what the merge is made with. */
  server: StarDraft | null;
  /** The text both sides started from (revision `yours`), when known. */
  ancestor: Pick<DraftText, TextField> | null;
}

/** A save on its way to the server. */
export interface PendingSave {
  /** The version it was made on (sent as `expectedVersion`). */
  expectedVersion: number;
  /** The text it sends. */
  sent: DraftText;
}

export interface EditorState {
  base: StarDraft | null;
  form: DraftText | null;
  /** A newer version from elsewhere, held back because the form has unsaved edits. */
  remote: StarDraft | null;
  conflict: Conflict | null;
  /** Unsaved text replaced by "Reload", still shown until dismissed. */
  replaced: DraftText | null;
  /** The save in flight, so its own live event is not taken for a change from elsewhere. */
  pending: PendingSave | null;
  deleted: boolean;
}

export const initialEditorState: EditorState = {
  base: null,
  form: null,
  remote: null,
  conflict: null,
  replaced: null,
  pending: null,
  deleted: false,
};

export type EditorAction =
  /** The server's draft, from the first load or a refetch. */
  | { type: 'loaded'; draft: StarDraft }
  /** A live event carried this draft. */
  | { type: 'remote'; draft: StarDraft }
  /** The visitor asked for the latest version, dropping their edits. */
  | { type: 'reloaded'; draft: StarDraft }
  /** A save of `sent`, made on version `expectedVersion`, is on its way. */
  | { type: 'saving'; expectedVersion: number; sent: DraftText }
  /** A save of `sent` succeeded. */
  | { type: 'saved'; draft: StarDraft; sent: DraftText }
  /** A save of `sent` made on version `yours` was refused: the server has `current`. */
  | { type: 'conflict'; yours: number; current: number; sent: DraftText }
  /** A save failed for another reason (shown by the page). */
  | { type: 'saveFailed' }
  | { type: 'edit'; field: TextField; value: string }
  /** The story's competencies (slugs) or linked questions changed in the form. */
  | { type: 'links'; competencies?: string[]; questionIds?: string[] }
  | { type: 'deleted' }
  | { type: 'dismissReplaced' }
  /** Unsaved text kept in this browser, put back into the form on `base`. */
  | { type: 'restoreBackup'; text: DraftText }
  /** Unsaved text kept in this browser was written on an older version: merge it. */
  | { type: 'backupConflict'; yours: number; text: DraftText }
  /** The server's draft (and the common ancestor) read for the merge of a conflict. */
  | { type: 'mergeWith'; server: StarDraft; ancestor: Pick<DraftText, TextField> | null }
  /** The form holds the merge: it is saved on the server's version from now on. */
  | { type: 'resolve' }
  /** A revision was restored on the server: show it. */
  | { type: 'restoredRevision'; draft: StarDraft };

/** The form's fields that hold text (not lists). */
export type TextField = Exclude<keyof DraftText, 'competencies' | 'questionIds'>;

/** Every text field, in the form's order. */
export const TEXT_FIELDS: readonly TextField[] = ['title', 'situation', 'task', 'action', 'result', 'status'];

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function textOf(draft: StarDraft): DraftText {
  return {
    title: draft.title,
    situation: draft.situation,
    task: draft.task,
    action: draft.action,
    result: draft.result,
    status: draft.status,
    competencies: draft.competencies.map((c) => c.slug),
    questionIds: draft.questions.map((q) => q.id),
  };
}

export function sameText(a: DraftText, b: DraftText): boolean {
  return (
    a.title === b.title &&
    a.situation === b.situation &&
    a.task === b.task &&
    a.action === b.action &&
    a.result === b.result &&
    a.status === b.status &&
    sameList(a.competencies, b.competencies) &&
    sameList(a.questionIds, b.questionIds)
  );
}

/**
 * The text as the server stores it: the title trimmed (`src/drafts/store.rs`).
 * The form keeps what the candidate typed (a trailing space before the next
 * word included); comparisons with the server's text go through this.
 */
export function normalized(text: DraftText): DraftText {
  return { ...text, title: text.title.trim() };
}

/** Whether `form` says what `draft` says, once normalised as the server would. */
export function savesAs(form: DraftText, draft: StarDraft): boolean {
  return sameText(normalized(form), textOf(draft));
}

export function isDirty(state: EditorState): boolean {
  return state.base !== null && state.form !== null && !savesAs(state.form, state.base);
}

/** The newest version the editor has heard of: what a (re)subscription says it knows. */
export function knownVersion(state: EditorState): number {
  return Math.max(state.base?.version ?? 0, state.remote?.version ?? 0);
}

/**
 * Replaces form and base with `draft`, dropping any held-back or conflicting version.
 * A refused text still on show is kept aside, never dropped silently.
 */
function adopt(state: EditorState, draft: StarDraft): EditorState {
  return {
    ...state,
    base: draft,
    form: textOf(draft),
    remote: null,
    conflict: null,
    replaced: state.conflict ? state.conflict.text : state.replaced,
  };
}

/** Whether `draft` is what the save in flight sent: our own save, heard before its answer. */
function isOwnSave(state: EditorState, draft: StarDraft): boolean {
  const { pending } = state;
  return pending !== null && draft.version > pending.expectedVersion && savesAs(pending.sent, draft);
}

/** A newer server version arrived (a live event or a refetch). */
function newer(state: EditorState, draft: StarDraft): EditorState {
  const { base, form } = state;
  if (!base || !form) return adopt(state, draft);
  if (draft.version <= base.version) return state;
  // No unsaved edits: show the new version at once.
  if (!isDirty(state)) return adopt(state, draft);
  // Our own save (or text equal to it): take it as the base, keeping what was typed since.
  if (savesAs(form, draft) || isOwnSave(state, draft)) {
    const remote = state.remote && state.remote.version > draft.version ? state.remote : null;
    return { ...state, base: draft, remote };
  }
  // Keep the edits and their base; say a newer version exists.
  if (state.remote && state.remote.version >= draft.version) return state;
  return { ...state, remote: draft };
}

/** A newer version held back while the form has no unsaved edits any more is shown at once. */
function settle(state: EditorState): EditorState {
  if (state.remote && !state.deleted && !isDirty(state)) return adopt(state, state.remote);
  return state;
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  return settle(reduce(state, action));
}

function reduce(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'loaded':
    case 'remote':
      if (state.deleted) return state;
      return newer(state, action.draft);
    case 'reloaded':
      return {
        ...adopt(state, action.draft),
        replaced: isDirty(state) && state.form ? state.form : state.conflict?.text ?? state.replaced,
        deleted: false,
      };
    case 'saving':
      return { ...state, pending: { expectedVersion: action.expectedVersion, sent: action.sent } };
    case 'saved': {
      const { base, form } = state;
      if (base && action.draft.version < base.version) return { ...state, pending: null };
      const keepTyping = form !== null && !sameText(form, action.sent);
      const remote = state.remote && state.remote.version > action.draft.version ? state.remote : null;
      return {
        ...state,
        base: action.draft,
        // Text typed while the save was on its way stays in the form, and so does
        // the text sent when the server only normalised it: the field may have the
        // focus, and "Checkout API " must not lose its space before the next word.
        form: keepTyping || (form !== null && savesAs(form, action.draft)) ? form : textOf(action.draft),
        remote,
        conflict: null,
        pending: null,
      };
    }
    case 'conflict':
      if (!state.base) return { ...state, pending: null };
      return {
        ...state,
        pending: null,
        conflict: { yours: action.yours, current: action.current, text: action.sent, server: null, ancestor: null },
      };
    case 'saveFailed':
      return { ...state, pending: null };
    case 'edit':
      if (!state.form) return state;
      return { ...state, form: { ...state.form, [action.field]: action.value } };
    case 'links': {
      if (!state.form) return state;
      const { competencies = state.form.competencies, questionIds = state.form.questionIds } = action;
      return { ...state, form: { ...state.form, competencies, questionIds } };
    }
    case 'deleted':
      return { ...state, deleted: true, remote: null, conflict: null, pending: null };
    case 'dismissReplaced':
      return { ...state, replaced: null };
    case 'restoreBackup':
      if (!state.form) return state;
      return { ...state, form: action.text };
    case 'backupConflict': {
      if (!state.base) return state;
      const current = state.base.version;
      return {
        ...state,
        form: action.text,
        conflict: { yours: action.yours, current, text: action.text, server: null, ancestor: null },
      };
    }
    case 'mergeWith': {
      const { conflict, form } = state;
      if (!conflict || !form) return state;
      // A three-way merge as the starting point: a field only one side changed takes
      // that side's text; one both changed keeps the candidate's, to choose below.
      const theirs = textOf(action.server);
      const merged: DraftText = { ...form };
      if (action.ancestor) {
        for (const field of TEXT_FIELDS) {
          if (form[field] === action.ancestor[field] && theirs[field] !== action.ancestor[field]) {
            (merged as Record<TextField, string>)[field] = theirs[field];
          }
        }
      }
      return {
        ...state,
        form: merged,
        conflict: { ...conflict, text: form, current: action.server.version, server: action.server, ancestor: action.ancestor },
      };
    }
    case 'resolve': {
      const server = state.conflict?.server;
      if (!server) return state;
      return { ...state, base: server, conflict: null, remote: null };
    }
    case 'restoredRevision':
      return adopt(state, action.draft);
  }
}
