import { useEffect, useState } from 'react';

import type { PracticeAttempt } from '../api';
import { SECTION_LABEL } from '../format';
import { deleteRecording, readRecording } from '../recordings';
import { TARGET_RANGE } from '../wordCount';

/** The change in pace from the previous attempt, e.g. "+12.5 words a minute". */
function paceChange(now: number, before: number | null): string {
  if (before === null) return 'first attempt';
  const delta = Math.round((now - before) * 10) / 10;
  if (delta === 0) return 'same pace as last time';
  return `${delta > 0 ? '+' : ''}${delta} ${Math.abs(delta) === 1 ? 'word' : 'words'} a minute since last time (${before})`;
}

/**
 * The recording of attempt `attemptId` kept on this device, as a player with a
 * button to delete it; nothing when this device has none. `version` reloads it.
 */
export function RecordingPlayer({ attemptId, version = 0 }: { attemptId: string; version?: number }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    let made: string | null = null;
    void readRecording(attemptId).then((recording) => {
      if (cancelled || !recording) return;
      made = URL.createObjectURL(recording.audio);
      setUrl(made);
    });
    return () => {
      cancelled = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [attemptId, version]);
  if (!url) return null;
  return (
    <span className="recording" data-testid="practice-recording">
      <audio controls src={url} data-testid="practice-playback" aria-label="Your recorded answer" />
      <button
        type="button"
        className="link-button"
        onClick={() => void deleteRecording(attemptId).then(() => setUrl(null))}
      >
        Delete the recording
      </button>
    </span>
  );
}

/**
 * The feedback of a finished practice attempt: pace, time, fillers, change from
 * last time, and its recording where this device kept one. The STAR sections
 * said are compared with a draft, so they show only when a draft was practised.
 */
export function PracticeResult({
  attempt,
  againstDraft,
  recordingVersion = 0,
}: {
  attempt: PracticeAttempt;
  againstDraft: boolean;
  recordingVersion?: number;
}) {
  const f = attempt.feedback;
  if (!f) return null;
  return (
    <aside className="feedback card practice-result" data-testid="practice-result" aria-labelledby="practice-result-heading">
      <h2 id="practice-result-heading">How it went</h2>
      <dl className="figures">
        <div>
          <dt>Pace</dt>
          <dd>
            <span data-testid="practice-wpm">{f.wordsPerMinute}</span> words a minute
            <br />
            <span className="muted" data-testid="practice-change">
              {paceChange(f.wordsPerMinute, f.previousWordsPerMinute)}
            </span>
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            <span data-testid="practice-seconds">{attempt.durationSeconds}</span> s ·{' '}
            <span className={f.withinTargetLength ? 'good' : 'warn'} data-testid="practice-within-target">
              {f.withinTargetLength ? `within ${TARGET_RANGE}` : `outside ${TARGET_RANGE}`}
            </span>
          </dd>
        </div>
        <div>
          <dt>Words</dt>
          <dd data-testid="practice-words">{f.wordCount}</dd>
        </div>
        <div>
          <dt>Fillers</dt>
          <dd>
            <span data-testid="practice-fillers-per-minute">{f.fillerPerMinute}</span> a minute
            {f.fillerWords.length > 0 && (
              <span className="muted" data-testid="practice-fillers">
                {' '}
                ({f.fillerWords.join(', ')})
              </span>
            )}
          </dd>
        </div>
        {againstDraft && (
          <div>
            <dt>Sections of your draft you said</dt>
            <dd data-testid="practice-sections">
              {f.sectionsCovered.length > 0
                ? f.sectionsCovered.map((s) => SECTION_LABEL[s]).join(', ')
                : 'none of them yet: say the situation, task, action and result of your draft'}
            </dd>
          </div>
        )}
      </dl>
      <RecordingPlayer attemptId={attempt.id} version={recordingVersion} />
      {f.suggestions.length > 0 && (
        <ul className="suggestions">
          {f.suggestions.map((s) => (
            <li key={s.code} data-testid="practice-suggestion" data-code={s.code}>
              {s.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
