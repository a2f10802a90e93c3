import type { DraftText } from '../api';
import { SECTION_LABEL, STATUS_LABEL } from '../format';
import { TEXT_FIELDS, type Conflict, type TextField } from '../pages/draftState';

const LABEL: Record<TextField, string> = {
  title: 'Title',
  situation: SECTION_LABEL.SITUATION,
  task: SECTION_LABEL.TASK,
  action: SECTION_LABEL.ACTION,
  result: SECTION_LABEL.RESULT,
  status: 'Status',
};

function shown(field: TextField, text: string): string {
  if (field === 'status') return STATUS_LABEL[text as DraftText['status']] ?? text;
  return text || '(empty)';
}

/** Who changed a field since the version both sides started from. */
function changedBy(field: TextField, conflict: Conflict, theirs: Pick<DraftText, TextField>): string {
  const { ancestor, text: mine } = conflict;
  if (!ancestor) return 'Differs';
  const me = mine[field] !== ancestor[field];
  const them = theirs[field] !== ancestor[field];
  if (me && them) return 'Changed on both sides';
  if (me) return 'Changed by you';
  return 'Changed elsewhere';
}

/**
 * A save refused as out of date: per section, the candidate's text beside the
 * server's, each one click away, and the form's text is the merge to edit. Both
 * sides stay on show until the merge is saved, so neither is lost.
 */
export function MergePanel({
  conflict,
  form,
  onSet,
  onSave,
  onReload,
}: {
  conflict: Conflict;
  form: DraftText;
  onSet: (field: TextField, value: string) => void;
  onSave: () => void;
  onReload: () => void;
}) {
  const server = conflict.server;
  return (
    <section className="alert alert-warning merge" role="alert" data-testid="version-conflict" aria-labelledby="merge-heading">
      <h2 id="merge-heading" className="merge-heading">
        This draft was changed elsewhere
      </h2>
      <p>
        Not saved: the draft was changed in another tab or device after you started. Your text is kept:
        choose per section what the answer should say, then save the merge.
      </p>
      {!server && <p className="muted small">Reading the server’s version…</p>}
      {server &&
        TEXT_FIELDS.filter((f) => conflict.text[f] !== server[f]).map((field) => {
          const mine = conflict.text[field];
          const theirs = server[field];
          return (
            <div className="merge-field" key={field} data-testid="merge-field" data-field={field}>
              <h3>
                {LABEL[field]} <span className="muted small">— {changedBy(field, conflict, server)}</span>
              </h3>
              <div className="merge-sides">
                <div>
                  <h4>Yours</h4>
                  <pre data-testid="merge-mine">{shown(field, mine)}</pre>
                  <button
                    type="button"
                    className="button button-small button-secondary"
                    data-testid="merge-keep-mine"
                    aria-pressed={form[field] === mine}
                    onClick={() => onSet(field, mine)}
                  >
                    Keep mine
                  </button>
                </div>
                <div>
                  <h4>The other tab’s or device’s</h4>
                  <pre data-testid="merge-theirs">{shown(field, theirs)}</pre>
                  <button
                    type="button"
                    className="button button-small button-secondary"
                    data-testid="merge-take-theirs"
                    aria-pressed={form[field] === theirs}
                    onClick={() => onSet(field, theirs)}
                  >
                    Take the server’s
                  </button>
                </div>
              </div>
              {field !== 'status' && (
                <div className="field">
                  <label htmlFor={`merge-${field}`}>Merged {LABEL[field].toLowerCase()}</label>
                  <textarea
                    id={`merge-${field}`}
                    data-testid={`merge-edit-${field}`}
                    value={form[field]}
                    rows={field === 'title' ? 1 : 3}
                    onChange={(e) => onSet(field, e.target.value)}
                  />
                </div>
              )}
            </div>
          );
        })}
      <div className="form-actions">
        <button type="button" className="button" data-testid="merge-save" disabled={!server} onClick={onSave}>
          Save the merge
        </button>
        <button type="button" className="button button-secondary" data-testid="reload-latest" onClick={onReload}>
          Reload latest
        </button>
        <span className="muted small">“Reload latest” shows the server’s text and keeps yours aside to copy.</span>
      </div>
    </section>
  );
}
