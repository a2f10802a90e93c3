import type { StarDraft } from '../api';
import { SECTION_LABEL } from '../format';
import { TARGET_RANGE, formatSeconds, type LiveCounts } from '../wordCount';

/**
 * Feedback on the answer: the counts (words, speaking time, missing and short
 * sections) follow the text as it is typed, computed in the browser by the
 * server's rules; the rest is what the server computed from the last save.
 */
export function FeedbackPanel({ draft, stale, live }: { draft: StarDraft; stale: boolean; live: LiveCounts }) {
  const f = draft.feedback;
  return (
    <aside className="feedback card" data-testid="feedback" aria-labelledby="feedback-heading">
      <h2 id="feedback-heading">Feedback</h2>
      <p className="muted small">Counts follow your typing.</p>
      <dl className="figures">
        <div>
          <dt>Words</dt>
          <dd data-testid="feedback-word-count">{live.wordCount}</dd>
        </div>
        <div>
          <dt>Speaking time</dt>
          <dd>
            <span data-testid="feedback-speaking-seconds">{live.seconds}</span> s
            {live.seconds >= 60 && <span className="muted"> ({formatSeconds(live.seconds)})</span>}
            <br />
            <span className={live.withinTarget ? 'good' : 'warn'} data-testid="feedback-within-target">
              {live.withinTarget ? `Within the ${TARGET_RANGE} target` : `Outside the ${TARGET_RANGE} target`}
            </span>
          </dd>
        </div>
        <div>
          <dt>Missing sections</dt>
          <dd data-testid="feedback-missing-sections" className={live.missing.length ? 'warn' : 'good'}>
            {live.missing.length ? live.missing.map((s) => SECTION_LABEL[s] ?? s).join(', ') : 'None'}
          </dd>
        </div>
      </dl>

      <h3>Per section</h3>
      <table className="section-words" data-testid="feedback-sections">
        <tbody>
          {live.sections.map((s) => (
            <tr key={s.section} className={s.tooShort ? 'warn' : undefined}>
              <th scope="row">{SECTION_LABEL[s.section] ?? s.section}</th>
              <td>
                {s.wordCount} {s.wordCount === 1 ? 'word' : 'words'}
                {s.tooShort ? ' — too short' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>From the last save</h3>
      <p className="muted small" data-testid="feedback-version">
        {stale ? 'Your latest edits are checked when they are saved.' : 'Checks the text as saved.'}
      </p>
      <dl className="figures">
        <div>
          <dt>Result quantified</dt>
          <dd data-testid="feedback-result-quantified" className={f.resultQuantified ? 'good' : 'warn'}>
            {f.resultQuantified ? 'Yes' : 'No'}
          </dd>
        </div>
        <div>
          <dt>“I” vs “we” in the Action</dt>
          <dd data-testid="feedback-person-counts">
            <span data-testid="feedback-first-person">{f.firstPersonCount}</span> I ·{' '}
            <span data-testid="feedback-team-person">{f.teamPersonCount}</span> we
          </dd>
        </div>
        <div>
          <dt>Filler words</dt>
          <dd data-testid="feedback-filler-words" className={f.fillerWords.length ? 'warn' : 'good'}>
            {f.fillerWords.length ? f.fillerWords.map((w) => `“${w}”`).join(', ') : 'None'}
          </dd>
        </div>
      </dl>

      <h3>Suggestions</h3>
      {f.suggestions.length === 0 ? (
        <p className="good" data-testid="feedback-suggestions">
          None — this answer covers the basics.
        </p>
      ) : (
        <ul className="suggestions" data-testid="feedback-suggestions">
          {f.suggestions.map((s, i) => (
            <li key={`${s.code}-${i}`} data-testid="feedback-suggestion" data-code={s.code}>
              {s.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
