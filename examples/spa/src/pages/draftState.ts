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
}

export interface EditorState {
  base: StarDraft | null;
  form: DraftText | null;
  /** A newer version from elsewhere, held back because the form has unsaved edits. */
  remote: StarDraft | null;
  conflict: Conflict | null;
  /** Unsaved text replaced by "Reload", still shown until dismissed. */
  replaced: DraftText | null;
  deleted: boolean;
}

export const initialEditorState: EditorState = {
  base: null,
  form: null,
  remote: null,
  conflict: null,
  replaced: null,
  deleted: false,
};

export type EditorAction =
  /** The server's draft, from the first load or a refetch. */
  | { type: 'loaded'; draft: StarDraft }
  /** A live event carried this draft. */
  | { type: 'remote'; draft: StarDraft }
  /** The visitor asked for the latest version, dropping their edits. */
  | { type: 'reloaded'; draft: StarDraft }
  /** A save of `sent` succeeded. */
  | { type: 'saved'; draft: StarDraft; sent: DraftText }
  | { type: 'conflict'; current: number; sent: DraftText }
  | { type: 'edit'; field: keyof DraftText; value: string }
  | { type: 'deleted' }
  | { type: 'dismissReplaced' };

export function textOf(draft: StarDraft): DraftText {
  return {
    title: draft.title,
    situation: draft.situation,
    task: draft.task,
    action: draft.action,
    result: draft.result,
    status: draft.status,
  };
}

export function sameText(a: DraftText, b: DraftText): boolean {
  return (
    a.title === b.title &&
    a.situation === b.situation &&
    a.task === b.task &&
    a.action === b.action &&
    a.result === b.result &&
    a.status === b.status
  );
}

export function isDirty(state: EditorState): boolean {
  return state.base !== null && state.form !== null && !sameText(state.form, textOf(state.base));
}

/** Replaces form and base with `draft`, dropping any held-back or conflicting version. */
function adopt(state: EditorState, draft: StarDraft): EditorState {
  return { ...state, base: draft, form: textOf(draft), remote: null, conflict: null };
}

/** A newer server version arrived (a live event or a refetch). */
function newer(state: EditorState, draft: StarDraft): EditorState {
  const { base, form } = state;
  if (!base || !form) return adopt(state, draft);
  if (draft.version <= base.version) return state;
  // No unsaved edits: show the new version at once.
  if (!isDirty(state)) return adopt(state, draft);
  // The edits are exactly that version (our own save, heard before its answer): take it as the base.
  if (sameText(form, textOf(draft))) {
    return { ...state, base: draft, remote: null };
  }
  // Keep the edits and their base; say a newer version exists.
  if (state.remote && state.remote.version >= draft.version) return state;
  return { ...state, remote: draft };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'loaded':
    case 'remote':
      if (state.deleted) return state;
      return newer(state, action.draft);
    case 'reloaded':
      return {
        ...adopt(state, action.draft),
        replaced: isDirty(state) && state.form ? state.form : state.conflict?.text ?? null,
        deleted: false,
      };
    case 'saved': {
      const { base, form } = state;
      if (base && action.draft.version < base.version) return state;
      const keepTyping = form !== null && !sameText(form, action.sent);
      const remote = state.remote && state.remote.version > action.draft.version ? state.remote : null;
      return {
        ...state,
        base: action.draft,
        // Text typed while the save was on its way stays in the form.
        form: keepTyping ? form : textOf(action.draft),
        remote,
        conflict: null,
      };
    }
    case 'conflict':
      if (!state.base) return state;
      return {
        ...state,
        conflict: { yours: state.base.version, current: action.current, text: action.sent },
      };
    case 'edit':
      if (!state.form) return state;
      return { ...state, form: { ...state.form, [action.field]: action.value } };
    case 'deleted':
      return { ...state, deleted: true, remote: null, conflict: null };
    case 'dismissReplaced':
      return { ...state, replaced: null };
  }
}
