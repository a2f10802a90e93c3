import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useBlocker, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';

import type { CreateStarDraftInput, DraftText, StarDraftStatus } from '../api';
import { AUTOSAVE_RETRY_MS, autosaveDelay } from '../config';
import { clearBackup, readBackup, writeBackup } from '../draftBackup';
import { FeedbackPanel } from '../components/FeedbackPanel';
import { HistoryPanel } from '../components/HistoryPanel';
import { DraftCommentsProvider, GeneralComments, SectionComments } from '../components/SectionComments';
import { ShareDialog } from '../components/ShareDialog';
import { MergePanel } from '../components/MergePanel';
import { RequireAuth } from '../components/RequireAuth';
import { CompetencyPicker, QuestionPicker } from '../components/StoryLinks';
import { Loading } from '../components/Status';
import { DRAFT_STATUSES, SECTION_LABEL, STATUS_LABEL, formatDateTime, plural, relativeTime } from '../format';
import { describeApiError, firstApiError, type ApiError } from '../errors';
import {
  CreateDraftDocument,
  DeleteDraftDocument,
  DraftDocument,
  DraftMergeBaseDocument,
  DraftUpdatedDocument,
  UpdateDraftDocument,
} from '../gql/drafts';
import { AllQuestionsDocument } from '../gql/storyBank';
import { useLiveSubscription } from '../live';
import { formatSeconds, liveCounts } from '../wordCount';
import {
  editorReducer,
  initialEditorState,
  isDirty,
  knownVersion,
  sameText,
  savesAs,
  type EditorState,
  type TextField,
} from './draftState';

/** Errors that mean the server was not reached: the text waits on this device and is retried. */
const UNREACHABLE = new Set(['NETWORK', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

/** The route's id of a draft not made yet: `/drafts/new?question=ID&competency=SLUG`. */
const NEW = 'new';

export function DraftEditorPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  // A new editor (and new state) per draft. A draft this editor made on the first
  // keystroke keeps the editor when its address replaces `/drafts/new` (the state
  // carries the key), so what is typed while it is being made stays.
  const editorKey =
    (location.state as { editorKey?: string } | null)?.editorKey ?? (id === NEW ? `${NEW}:${location.key}` : id);
  return (
    <RequireAuth>
      {/* The owner's comment threads beside the sections; none before the draft is made. */}
      <DraftCommentsProvider key={editorKey} draftId={id === NEW ? '' : id} canComment isOwner>
        <DraftEditor key={editorKey} editorKey={editorKey} routeId={id} />
      </DraftCommentsProvider>
    </RequireAuth>
  );
}

/** The empty form of a draft not made yet, answering `questionIds`, tagged with `competencies`. */
function blankText(questionIds: string[], competencies: string[]): DraftText {
  return { title: '', situation: '', task: '', action: '', result: '', status: 'DRAFT', competencies, questionIds };
}

type LoadState = 'loading' | 'ready' | 'missing' | 'failed';

const SECTIONS: { field: Exclude<TextField, 'title' | 'status'>; label: string; hint: string }[] = [
  { field: 'situation', label: SECTION_LABEL.SITUATION, hint: 'Where and when: the context, briefly.' },
  { field: 'task', label: SECTION_LABEL.TASK, hint: 'What you had to achieve, and why it mattered.' },
  { field: 'action', label: SECTION_LABEL.ACTION, hint: 'What you did — say “I”, not “we”.' },
  { field: 'result', label: SECTION_LABEL.RESULT, hint: 'What changed, with a number: “cut latency by 40%”.' },
];

/** The comment section of each of the editor's sections. */
const COMMENT_SECTION = { situation: 'SITUATION', task: 'TASK', action: 'ACTION', result: 'RESULT' } as const;

function DraftEditor({ routeId, editorKey }: { routeId: string; editorKey: string }) {
  const client = useClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // `/drafts/new`: nothing is made until the candidate first types (or links), so a
  // curious tap and Back leaves no empty draft behind. Read once, like the draft.
  const [blank] = useState(() =>
    routeId === NEW ? blankText(params.getAll('question'), params.getAll('competency')) : null,
  );
  const [state, dispatch] = useReducer(
    editorReducer,
    initialEditorState,
    (initial): EditorState => (blank ? { ...initial, form: blank } : initial),
  );
  // The draft's id once it exists ('' while it is not made yet).
  const id = state.base?.id ?? (blank ? '' : routeId);
  const [load, setLoad] = useState<LoadState>('loading');
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [liveError, setLiveError] = useState<ApiError | null>(null);
  // For `save`, which effects call without re-subscribing (see below).
  const saveErrorRef = useRef(saveError);
  saveErrorRef.current = saveError;
  const [restoredNotice, setRestoredNotice] = useState<string | null>(null);
  // The prompt of the question a draft not made yet answers (the picker reads the same list).
  const [allQuestions] = useQuery({ query: AllQuestionsDocument, pause: blank === null });
  const newQuestion = useMemo(() => {
    const first = blank?.questionIds[0];
    for (const { node } of allQuestions.data?.roles.edges ?? []) {
      const q = node.questions.find((x) => x.id === first);
      if (q) return { id: q.id, prompt: q.prompt, role: { slug: node.slug, title: node.title } };
    }
    return undefined;
  }, [allQuestions.data, blank]);
  // Read once per editor: a change of the setting applies to the next draft opened.
  const [autosave] = useState(autosaveDelay);
  // Set at once (not on the next render), so a second Ctrl+S does not send twice.
  const inFlight = useRef(false);
  const saving = state.pending !== null;

  // The event handlers below need the current state without re-subscribing.
  const stateRef = useRef<EditorState>(state);
  stateRef.current = state;

  /** Reads the draft from the server; `reload` drops unsaved edits. */
  const fetchDraft = useCallback(
    async (mode: 'load' | 'reload'): Promise<boolean> => {
      const result = await client
        .query(DraftDocument, { id }, { requestPolicy: 'network-only' })
        .toPromise();
      const draft = result.data?.starDraft;
      if (draft) {
        dispatch(mode === 'reload' ? { type: 'reloaded', draft } : { type: 'loaded', draft });
        // Text this browser kept but the server never got (a crash, a reload, a lost
        // connection) goes back into the form, in the same render as the load.
        const backup = mode === 'load' && !stateRef.current.base ? readBackup(id) : null;
        if (backup && !savesAs(backup.text, draft)) {
          if (backup.version >= draft.version) {
            dispatch({ type: 'restoreBackup', text: backup.text });
            setRestoredNotice(`Restored text you had not saved yet, kept on this device (${formatDateTime(backup.at)}).`);
          } else {
            dispatch({ type: 'backupConflict', yours: backup.version, text: backup.text });
            setRestoredNotice(
              `Restored text you had not saved yet, kept on this device (${formatDateTime(backup.at)}); the draft changed since, so merge the two below.`,
            );
          }
        }
        setLoad('ready');
        setLoadError(null);
        return true;
      }
      if (result.data && result.data.starDraft === null) {
        if (stateRef.current.base) dispatch({ type: 'deleted' });
        else setLoad('missing');
        return false;
      }
      const error = firstApiError(result.error);
      if (error?.code === 'NOT_FOUND') {
        setLoad('missing');
      } else if (!stateRef.current.base) {
        setLoad('failed');
        setLoadError(error);
      } else {
        setSaveError(error);
      }
      return false;
    },
    [client, id],
  );

  useEffect(() => {
    // A draft not made yet has nothing to read; the one made here is already loaded.
    if (blank) return;
    void fetchDraft('load');
  }, [fetchDraft, blank]);

  // Live: every change to this draft, from any tab or device. It starts once the draft
  // is loaded, saying which version that was (and after a reconnect, the newest one
  // heard of since): the server sends a newer version at once, so a change made
  // between the read and the subscription is not missed.
  const { live, socket } = useLiveSubscription(
    DraftUpdatedDocument,
    state.base !== null && !state.deleted,
    () => ({ id, knownVersion: knownVersion(stateRef.current) }),
    (result) => {
      const event = result.data?.starDraftUpdated;
      if (event) {
        setLiveError(null);
        if (event.kind === 'DELETED') dispatch({ type: 'deleted' });
        else if (event.draft) dispatch({ type: 'remote', draft: event.draft });
        return;
      }
      const error = firstApiError(result.error);
      if (error?.code === 'NOT_FOUND') dispatch({ type: 'deleted' });
      else if (error) setLiveError(error);
    },
  );

  // Not made yet: the form counts as unsaved once it differs from the empty one.
  const unmade = state.base === null && blank !== null;
  const dirty = unmade ? state.form !== null && !sameText(state.form, blank) : isDirty(state);
  const offline = saveError !== null && UNREACHABLE.has(saveError.code);
  const live_ = useMemo(() => (state.form ? liveCounts(state.form) : null), [state.form]);

  // Every unsaved edit is kept in this browser too, until the server has it.
  useEffect(() => {
    const { base, form } = state;
    if (!base || !form || state.deleted) return;
    if (dirty) writeBackup(id, state.conflict ? state.conflict.yours : base.version, form);
    else if (!state.pending) clearBackup(id);
  }, [id, state, dirty]);

  // A refused save: read the server's text, and the version both started from, to merge.
  const conflictYours = state.conflict?.yours;
  const conflictRead = state.conflict?.server !== null;
  useEffect(() => {
    if (conflictYours === undefined || conflictRead) return;
    let cancelled = false;
    void client
      .query(DraftMergeBaseDocument, { id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        const server = result.data?.starDraft;
        if (cancelled || !server) return;
        const ancestor = server.revisions.nodes.find((r) => r.version === conflictYours) ?? null;
        dispatch({ type: 'mergeWith', server, ancestor });
      });
    return () => {
      cancelled = true;
    };
  }, [client, id, conflictYours, conflictRead]);

  // Autosave: a short while after typing stops, and again every few seconds while
  // the server cannot be reached. Not during a merge (the candidate decides) and not
  // after a refusal other than "unreachable" (it would only be refused again).
  const canAutosave =
    autosave !== null && dirty && !saving && !state.conflict && !state.deleted && (saveError === null || offline);
  useEffect(() => {
    if (!canAutosave) return;
    const timer = window.setTimeout(() => void save(), offline ? AUTOSAVE_RETRY_MS : autosave);
    return () => window.clearTimeout(timer);
    // `save` is left out: it reads the latest state through the ref, and a new
    // function each render would restart the timer on every render.
  }, [canAutosave, state.form, offline, autosave]);
  // Back online (or the socket reconnected): try at once.
  useEffect(() => {
    if (!offline) return;
    const retry = () => void save();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
    // As above: `save` reads the state through the ref.
  }, [offline]);
  useEffect(() => {
    if (offline && socket === 'connected') void save();
    // Only a change of the socket's state is a reason to try.
  }, [socket]);

  // An in-app navigation (a link, Back) with text the server does not have yet:
  // save first and go on once saved; if that cannot be done, ask.
  const unsaved = dirty || saving;
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      unsaved &&
      currentLocation.pathname !== nextLocation.pathname &&
      // The draft made here taking the place of `/drafts/new` is no leaving.
      (nextLocation.state as { editorKey?: string } | null)?.editorKey !== editorKey,
  );
  const blockedRef = useRef(false);
  blockedRef.current = blocker.state === 'blocked';
  const blockerRef = useRef(blocker);
  blockerRef.current = blocker;
  const blocked = blocker.state === 'blocked';
  // A "Save and leave" on its way: the dialog stays (saying "Saving…") until it lands.
  const [leaving, setLeaving] = useState(false);
  // Whether leaving can save by itself; only when it cannot is the candidate asked.
  const savesOnLeave = autosave !== null && !state.conflict && !state.deleted && saveError === null;
  useEffect(() => {
    if (!blocked) return;
    if (!unsaved) {
      blocker.proceed?.();
      return;
    }
    if (savesOnLeave && !saving) void save();
    // Runs when a navigation is blocked and as the save it started goes on.
  }, [blocked, unsaved, saving]);
  // The dialog is for a save that cannot go by itself (off, offline, refused, a
  // merge): while one can, and until it lands, the save state says "Saving…" and
  // no more.
  const askToLeave = blocked && unsaved && (!saving || leaving) && !savesOnLeave;
  // Whether the dialog can offer to save: not while offline, in a merge or deleted.
  const canSaveToLeave = !offline && !state.conflict && !state.deleted;
  // After a refused "Save and leave", the refusal is brought into view.
  const [showSaveError, setShowSaveError] = useState(false);
  const saveErrorEl = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (!showSaveError) return;
    setShowSaveError(false);
    saveErrorEl.current?.focus();
  }, [showSaveError]);

  // Leaving the page with unsaved edits asks first.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  // The first keystroke (or link) in a draft not made yet makes it.
  useEffect(() => {
    if (unmade && dirty && autosave !== null) void save();
    // `save` reads the latest state through the ref; only an edit is a reason to try.
  }, [state.form]);

  /**
   * Makes the draft (not made yet) with the form's text, then gives the page its
   * address; false when it could not be made.
   */
  const create = async (): Promise<boolean> => {
    const { form } = stateRef.current;
    if (!blank || !form || inFlight.current) return true;
    inFlight.current = true;
    setSaveError(null);
    const sent = form;
    const input: CreateStarDraftInput = { competencies: sent.competencies, questionIds: sent.questionIds };
    for (const field of ['title', 'situation', 'task', 'action', 'result'] as const) {
      if (sent[field]) input[field] = sent[field];
    }
    dispatch({ type: 'saving', expectedVersion: 0, sent });
    const result = await client.mutation(CreateDraftDocument, { input }).toPromise();
    inFlight.current = false;
    const draft = result.data?.createStarDraft;
    if (!draft) {
      dispatch({ type: 'saveFailed' });
      setSaveError(firstApiError(result.error));
      return false;
    }
    // Text typed while it was being made stays in the form, and is saved next; so
    // does a status chosen before (a draft is made with none: it was not sent).
    const saved = { type: 'saved', draft, sent: { ...sent, status: draft.status } } as const;
    dispatch(saved);
    // At once, so the save below sees the draft (the ref is set again on render).
    stateRef.current = editorReducer(stateRef.current, saved);
    // Replace `/drafts/new` in the history, so Back does not come back to an empty
    // form; not while the candidate is leaving (that navigation goes on instead).
    if (!blockedRef.current) {
      // The same page under its new address: focus stays in the field being typed in.
      navigate(`/drafts/${encodeURIComponent(draft.id)}`, { replace: true, state: { editorKey, keepFocus: true } });
    }
    // That status is saved at once when this was a save asked for (autosave saves it anyway).
    return sent.status !== draft.status ? save() : true;
  };

  /** Saves the form's text; false when the server refused it or could not be reached. */
  const save = async (): Promise<boolean> => {
    if (!stateRef.current.base) {
      const form = stateRef.current.form;
      return blank && form && !sameText(form, blank) ? create() : true;
    }
    // Saving while a merge is open saves the form's text as the merge.
    if (stateRef.current.conflict?.server) {
      dispatch({ type: 'resolve' });
      stateRef.current = editorReducer(stateRef.current, { type: 'resolve' });
    }
    const { base, form } = stateRef.current;
    // Ctrl+S with nothing to save (the button is off then) makes no new version.
    if (!base || !form || inFlight.current || !isDirty(stateRef.current)) return true;
    inFlight.current = true;
    // While offline the alert and status stay as they are during a retry (every
    // 3 s): they change when the save lands, not blink at each try.
    const lastError = saveErrorRef.current;
    const retryingOffline = lastError !== null && UNREACHABLE.has(lastError.code);
    if (!retryingOffline) setSaveError(null);
    const sent = form;
    const expectedVersion = base.version;
    dispatch({ type: 'saving', expectedVersion, sent });
    const result = await client
      .mutation(UpdateDraftDocument, {
        // The draft's own id: a save right after the draft was made runs before the page knows it.
        input: { id: base.id, expectedVersion, ...sent },
      })
      .toPromise();
    inFlight.current = false;
    const draft = result.data?.updateStarDraft;
    if (draft) {
      dispatch({ type: 'saved', draft, sent });
      // The "Restored text" notice stays until dismissed: saving it is no reason to hide it.
      setSaveError(null);
      return true;
    }
    const error = firstApiError(result.error);
    if (error?.code === 'VERSION_CONFLICT') {
      const current = error.extensions.currentVersion ?? expectedVersion + 1;
      setSaveError(null);
      dispatch({ type: 'conflict', yours: expectedVersion, current, sent });
    } else if (error?.code === 'NOT_FOUND') {
      setSaveError(null);
      dispatch({ type: 'deleted' });
    } else {
      dispatch({ type: 'saveFailed' });
      setSaveError(error);
    }
    return false;
  };

  /**
   * The leave dialog's "Save and leave": once the text is saved the blocked
   * navigation goes on (see the effect on `blocked`); a refused save stays here
   * and shows why.
   */
  const saveAndLeave = async () => {
    setLeaving(true);
    const saved = await save();
    setLeaving(false);
    if (!saved && blockedRef.current) {
      blockerRef.current.reset?.();
      setShowSaveError(true);
    }
  };

  const remove = async () => {
    if (!window.confirm('Delete this draft and all its versions?')) return;
    const result = await client.mutation(DeleteDraftDocument, { id }).toPromise();
    if (result.data || firstApiError(result.error)?.code === 'NOT_FOUND') {
      navigate('/drafts', { replace: true });
    } else {
      setSaveError(firstApiError(result.error));
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void save();
    }
  };

  if (load === 'missing') {
    return (
      <section className="not-found" data-testid="draft-not-found">
        <h1>Draft not found</h1>
        <p>
          It may have been deleted, or it belongs to another account.{' '}
          <Link to="/drafts">See your drafts</Link>.
        </p>
      </section>
    );
  }
  if (load === 'failed') {
    return (
      <div className="alert alert-error" role="alert">
        <p>{loadError ? describeApiError(loadError) : 'Could not load the draft.'}</p>
        <button type="button" className="button button-small" onClick={() => void fetchDraft('load')}>
          Retry
        </button>
      </div>
    );
  }
  const { base, form, remote, conflict, replaced, deleted } = state;
  if (!form || (!base && !blank)) return <Loading what="Loading your draft" />;
  // The question a draft not made yet answers, from the list the question picker reads.
  const question = base ? base.question : (newQuestion ?? null);

  const setField = (field: TextField) => (value: string) =>
    dispatch({ type: 'edit', field, value });

  const saveState = deleted
    ? 'deleted'
    : !base && !dirty && !saving
      ? 'new'
    : offline && dirty
      ? 'offline'
      : saving
        ? 'saving'
        : conflict
          ? 'conflict'
          : dirty
            ? saveError
              ? 'failed'
              : 'unsaved'
            : 'saved';
  const saveLabel = {
    deleted: 'Deleted elsewhere: not saved',
    saving: 'Saving…',
    conflict: 'Not saved: changed elsewhere',
    offline: 'Offline: kept on this device',
    failed: 'Not saved: kept on this device',
    unsaved: 'Unsaved changes',
    new: 'Saved once you start typing',
    saved: 'Saved',
  }[saveState];

  return (
    <section
      className="editor-page"
      data-testid="draft-editor"
      data-live={live ? 'true' : 'false'}
      onKeyDown={onKeyDown}
    >
      <p className="breadcrumb">
        <Link to="/drafts">My drafts</Link> / {base ? base.title || 'Untitled draft' : 'New draft'}
      </p>
      <div className="title-row">
        <h1>STAR answer</h1>
        {base && (
        <p className="meta small">
          {/* The version is for the machine (tests, support), not for the candidate. */}
          <data value={base.version} data-testid="draft-version" hidden>
            {base.version}
          </data>
          <SavedAgo at={base.updatedAt} />
          <Link to={`/practice?draft=${encodeURIComponent(base.id)}`} data-testid="practise-draft">
            Practise aloud
          </Link>
          <span className={`live-dot ${live ? 'on' : 'off'}`} title={live ? 'Live' : 'Not live'}>
            {live ? 'Live' : socket === 'connecting' ? 'Connecting…' : 'Offline'}
          </span>
        </p>
        )}
        {base && <ShareDialog target={{ kind: 'DRAFT', id: base.id }} />}
      </div>
      {question && (
        <p className="question-ref" data-testid="question-ref">
          Answering: <strong>{question.prompt}</strong>{' '}
          <Link to={`/roles/${encodeURIComponent(question.role.slug)}#questions`}>
            {question.role.title}
          </Link>
        </p>
      )}

      {deleted && (
        <div className="alert alert-error" role="alert" data-testid="draft-deleted">
          This draft was deleted (in another tab or device). Your text is still here to copy, but
          it can no longer be saved. <Link to="/drafts">Back to your drafts</Link>
        </div>
      )}

      {restoredNotice && (
        <div className="alert alert-info" role="status" data-testid="backup-restored">
          <p>{restoredNotice}</p>
          <button type="button" className="button button-small button-secondary" onClick={() => setRestoredNotice(null)}>
            OK
          </button>
        </div>
      )}

      {askToLeave && (
        <div className="alert alert-warning" role="alertdialog" aria-labelledby="leave-heading" data-testid="leave-guard">
          <h2 id="leave-heading" className="merge-heading">
            Your latest text is not saved yet
          </h2>
          <p>
            {offline
              ? 'The server cannot be reached. Your text is kept on this device and is saved when the connection is back.'
              : conflict
                ? 'This draft was changed elsewhere: merge the two versions below first.'
                : autosave === null
                  ? 'Autosave is off: save now, or leave and find your text on this device when you open this draft again.'
                  : 'Save it first, or leave: your text stays on this device and comes back when you open this draft again.'}
          </p>
          <div className="form-actions">
            {canSaveToLeave && (
              <button
                type="button"
                className="button"
                data-testid="leave-save"
                // The default: the dialog opens with it focused, so Enter saves and goes on.
                autoFocus
                disabled={saving}
                onClick={() => void saveAndLeave()}
              >
                {saving ? 'Saving…' : 'Save and leave'}
              </button>
            )}
            <button
              type="button"
              className={canSaveToLeave ? 'button button-secondary' : 'button'}
              data-testid="leave-stay"
              onClick={() => blocker.reset?.()}
            >
              Stay on this page
            </button>
            <button
              type="button"
              className="button button-secondary"
              data-testid="leave-anyway"
              onClick={() => blocker.proceed?.()}
            >
              Leave (kept on this device)
            </button>
          </div>
        </div>
      )}

      {conflict && !deleted && (
        <MergePanel
          conflict={conflict}
          form={form}
          onSet={(field, value) => setField(field)(value)}
          onSave={() => void save()}
          onReload={() => void fetchDraft('reload')}
        />
      )}

      {remote && !conflict && !deleted && (
        <div className="alert alert-info" role="status" data-testid="remote-change-notice">
          <p>
            Changed in another tab/device. Your unsaved edits are kept;
            saving them now will be refused as out of date.
          </p>
          <button
            type="button"
            className="button button-small"
            data-testid="remote-reload"
            onClick={() => void fetchDraft('reload')}
          >
            Reload (discard my edits)
          </button>
        </div>
      )}

      {liveError && (
        <p className="alert alert-info small" role="status">
          Live updates are off: {describeApiError(liveError)}
        </p>
      )}

      <div className="editor-grid">
        <form
          className="editor-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          onBlur={() => {
            // Leaving a field saves at once (autosave on), without waiting for the delay.
            if (autosave !== null && !stateRef.current.conflict && saveError === null) void save();
          }}
        >
          <p className="live-summary small" data-testid="live-summary" aria-hidden="true">
            <span data-testid="live-summary-words">{plural(live_ ? live_.wordCount : 0, 'word')}</span> ·{' '}
            <span>{formatSeconds(live_ ? live_.seconds : 0)}</span> · <span>{saveLabel}</span>
          </p>
          <div className="field">
            <label htmlFor="draft-title">Title</label>
            <input
              id="draft-title"
              data-testid="draft-title"
              value={form.title}
              onChange={(e) => setField('title')(e.target.value)}
              // The server's normalisation (a trimmed title) shows once the field is
              // left, never while it is being typed in.
              onBlur={(e) => {
                const trimmed = e.target.value.trim();
                if (trimmed !== e.target.value) setField('title')(trimmed);
              }}
              placeholder="A short name, e.g. “Checkout API under Black Friday load”"
              maxLength={200}
            />
            <SectionComments section="TITLE" />
          </div>
          {SECTIONS.map(({ field, label, hint }) => (
            <div className="field" key={field}>
              <label htmlFor={`draft-${field}`}>{label}</label>
              <p className="hint" id={`draft-${field}-hint`}>
                {hint}
              </p>
              <textarea
                id={`draft-${field}`}
                data-testid={`draft-${field}`}
                value={form[field]}
                rows={field === 'action' ? 7 : 4}
                aria-describedby={`draft-${field}-hint`}
                onChange={(e) => setField(field)(e.target.value)}
              />
              <SectionComments section={COMMENT_SECTION[field]} />
            </div>
          ))}
          <CompetencyPicker
            value={form.competencies}
            disabled={deleted}
            onChange={(competencies) => dispatch({ type: 'links', competencies })}
          />
          <QuestionPicker
            value={form.questionIds}
            known={base ? base.questions : newQuestion ? [newQuestion] : []}
            disabled={deleted}
            onChange={(questionIds) => dispatch({ type: 'links', questionIds })}
          />
          <div className="form-actions">
            <label htmlFor="draft-status" className="inline-label">
              Status
            </label>
            <select
              id="draft-status"
              data-testid="draft-status"
              value={form.status}
              onChange={(e) => setField('status')(e.target.value as StarDraftStatus)}
            >
              {DRAFT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
            <button
              type="submit"
              className="button"
              data-testid="draft-save"
              disabled={saving || deleted || !dirty}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            <span
              className={`save-state small ${offline || conflict ? 'warn' : 'muted'}`}
              data-testid="save-state"
              data-state={saveState}
              role="status"
              aria-live="polite"
            >
              {saveLabel}
            </span>
            {base && (
              <button type="button" className="link-button danger" onClick={() => void remove()} disabled={deleted}>
                Delete draft
              </button>
            )}
          </div>
          {saveError && (
            <p
              className="alert alert-error"
              role="alert"
              data-testid="save-error"
              data-code={saveError.code}
              ref={saveErrorEl}
              tabIndex={-1}
            >
              {describeApiError(saveError)}
            </p>
          )}
          {replaced && (
            <details className="replaced card" data-testid="replaced-text" open>
              <summary>Your text before reloading (not saved)</summary>
              {(['title', ...SECTIONS.map((s) => s.field)] as const).map((f) =>
                replaced[f] ? (
                  <div key={f}>
                    <h4>{f[0]?.toUpperCase() + f.slice(1)}</h4>
                    <pre>{replaced[f]}</pre>
                  </div>
                ) : null,
              )}
              <button
                type="button"
                className="button button-small button-secondary"
                onClick={() => dispatch({ type: 'dismissReplaced' })}
              >
                Dismiss
              </button>
            </details>
          )}
        </form>
        {live_ && base && <FeedbackPanel draft={base} stale={dirty} live={live_} />}
      </div>
      {base && <GeneralComments />}
      {base && (
        <HistoryPanel
          draft={base}
          canRestore={!dirty && !saving && !deleted && !conflict}
          onRestored={(draft) => dispatch({ type: 'restoredRevision', draft })}
        />
      )}
    </section>
  );
}

/** "Saved 2 min ago", kept current while the page stays open. */
function SavedAgo({ at }: { at: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, [at]);
  return (
    <span data-testid="draft-saved-at">
      Saved <time dateTime={at} title={formatDateTime(at)}>{relativeTime(at, now)}</time>
    </span>
  );
}
