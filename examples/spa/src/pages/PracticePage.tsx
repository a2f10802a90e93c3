import { useEffect, useRef, useState } from 'react';
import { Link, useBlocker, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import type { PracticeAttempt } from '../api';
import { PracticeResult, RecordingPlayer } from '../components/PracticeResult';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { formatDateTime, plural } from '../format';
import {
  FinishPracticeDocument,
  PracticeHistoryDocument,
  PracticeSubjectDocument,
  StartPracticeDocument,
} from '../gql/practice';
import { saveRecording, startRecorder } from '../recordings';
import { TARGET_RANGE } from '../wordCount';

export function PracticePage() {
  return (
    <RequireAuth>
      <PracticeView />
    </RequireAuth>
  );
}

/** The browser's speech recognition, where there is one. */
interface Recognition {
  continuous: boolean;
  interimResults: boolean;
  lang: string;
  onresult: ((event: { resultIndex: number; results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal: boolean }> }) => void) | null;
  onerror: ((event: { error?: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}
type RecognitionConstructor = new () => Recognition;

function speechRecognition(): RecognitionConstructor | null {
  const w = window as unknown as { SpeechRecognition?: RecognitionConstructor; webkitSpeechRecognition?: RecognitionConstructor };
  return w.SpeechRecognition ?? w.webkitSpeechRecognition ?? null;
}

function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Where an attempt is: `ready` (nothing started), `speaking` (the clock runs),
 * `transcribing` (stopped: the spoken time is fixed, the transcript is written),
 * `done` (handed in, the feedback shows).
 */
type Phase = 'ready' | 'speaking' | 'transcribing' | 'done';

/** Practice mode: start the clock, say the answer, stop, hand in the transcript. */
function PracticeView() {
  const [params] = useSearchParams();
  const draftId = params.get('draft');
  const questionId = params.get('question');
  const subjectId = draftId ?? questionId ?? '';
  const [{ data, fetching, error }] = useQuery({
    query: PracticeSubjectDocument,
    variables: { id: subjectId },
    pause: !subjectId,
  });
  const [history, reloadHistory] = useQuery({
    query: PracticeHistoryDocument,
    variables: { first: 10, draftId, questionId: draftId ? null : questionId },
    pause: !subjectId,
    requestPolicy: 'cache-and-network',
  });
  const [starting, start] = useMutation(StartPracticeDocument);
  const [finishing, finish] = useMutation(FinishPracticeDocument);
  const [attempt, setAttempt] = useState<PracticeAttempt | null>(null);
  const [phase, setPhase] = useState<Phase>('ready');
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [spokenMs, setSpokenMs] = useState<number | null>(null);
  const [now, setNow] = useState(() => performance.now());
  const [transcript, setTranscript] = useState('');
  const [speechNote, setSpeechNote] = useState<string | null>(null);
  const [recordingNote, setRecordingNote] = useState<string | null>(null);
  const [recordingSaved, setRecordingSaved] = useState(0);
  const recognition = useRef<Recognition | null>(null);
  const recorder = useRef<(() => Promise<Blob | null>) | null>(null);
  const [Speech] = useState(speechRecognition);

  const mid = phase === 'speaking' || phase === 'transcribing';
  useEffect(() => {
    if (phase !== 'speaking') return;
    const timer = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(timer);
  }, [phase]);
  useEffect(
    () => () => {
      recognition.current?.stop();
      void recorder.current?.();
    },
    [],
  );

  // Leaving mid-attempt (a link, Back, a reload) asks first: the attempt is lost.
  const blocker = useBlocker(({ currentLocation, nextLocation }) => mid && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    if (window.confirm('Leave this practice? The attempt you started is not handed in and its recording is dropped.')) {
      blocker.proceed();
    } else {
      blocker.reset();
    }
  }, [blocker]);
  useEffect(() => {
    if (!mid) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [mid]);

  if (!subjectId) {
    return (
      <section data-testid="practice-page">
        <h1>Practise aloud</h1>
        <p>
          Choose a <Link to="/drafts">draft</Link> or a question on a role page to practise.
        </p>
      </section>
    );
  }
  if (fetching && !data) return <Loading what="Loading what to practise" />;
  const subject = data?.node;
  if (!subject) {
    return error ? <ErrorMessage error={error} /> : <p data-testid="practice-not-found">Nothing to practise here.</p>;
  }

  const listen = () => {
    if (!Speech) return;
    const r = new Speech();
    r.continuous = true;
    r.interimResults = false;
    r.lang = navigator.language;
    r.onresult = (event) => {
      let said = '';
      for (let i = event.resultIndex; i < event.results.length; i += 1) {
        const result = event.results[i];
        const best = result?.[0];
        if (result?.isFinal && best) said += best.transcript;
      }
      said = said.trim();
      if (said) setTranscript((t) => (t ? `${t} ${said}` : said));
    };
    r.onerror = (event) =>
      setSpeechNote(
        `Speech recognition stopped (${event.error ?? 'no reason given'}): type what you said after Stop.`,
      );
    r.onend = () => {
      recognition.current = null;
    };
    recognition.current = r;
    try {
      r.start();
      setSpeechNote('Listening: what you say is written below as you speak.');
    } catch {
      setSpeechNote('Speech recognition could not start: type what you said after Stop.');
    }
  };

  const onStart = async () => {
    const input = draftId ? { draftId } : { questionId: questionId ?? '' };
    const result = await start({ input });
    if (!result.data) return;
    setAttempt(result.data.startPractice);
    setTranscript('');
    setSpokenMs(null);
    setRecordingNote(null);
    setSpeechNote(
      Speech ? null : 'This browser does not turn speech into text: after Stop, type what you said.',
    );
    const t = performance.now();
    setStartedAt(t);
    setNow(t);
    setPhase('speaking');
    listen();
    const r = await startRecorder();
    if (r.ok) {
      recorder.current = r.stop;
      setRecordingNote('Recording on this device only.');
    } else {
      setRecordingNote(r.reason);
    }
  };

  /** Ends the timed speaking: the time from Start to here is what is graded. */
  const onStop = async () => {
    if (startedAt === null || !attempt) return;
    setSpokenMs(performance.now() - startedAt);
    setPhase('transcribing');
    recognition.current?.stop();
    const stopRecording = recorder.current;
    recorder.current = null;
    const audio = stopRecording ? await stopRecording() : null;
    if (audio) {
      try {
        await saveRecording(attempt.id, audio);
        setRecordingSaved((n) => n + 1);
        setRecordingNote('Recorded, and kept on this device only: it is never uploaded.');
      } catch {
        setRecordingNote('The recording could not be kept on this device.');
      }
    }
  };

  const onSubmit = async () => {
    if (!attempt || spokenMs === null) return;
    const durationSeconds = Math.max(1, Math.round(spokenMs / 1000));
    const result = await finish({ input: { id: attempt.id, transcript, durationSeconds } });
    if (result.data) {
      setAttempt(result.data.finishPractice);
      setPhase('done');
      reloadHistory({ requestPolicy: 'network-only' });
    }
  };

  // A question has a prompt, a draft a title (which may be empty).
  const isQuestion = 'prompt' in subject;
  const title = isQuestion ? subject.prompt : ('title' in subject && subject.title) || 'Untitled draft';
  const role = isQuestion && 'role' in subject ? subject.role : null;
  const elapsed = startedAt === null ? 0 : spokenMs ?? (phase === 'speaking' ? now : performance.now()) - startedAt;
  const past = (history.data?.myPracticeAttempts.nodes ?? []).filter((a) => a.finishedAt && a.id !== attempt?.id);

  return (
    <section className="practice-page" data-testid="practice-page">
      <p className="breadcrumb">
        {draftId ? (
          <Link to={`/drafts/${encodeURIComponent(draftId)}`}>Back to the draft</Link>
        ) : role ? (
          <Link to={`/roles/${encodeURIComponent(role.slug)}#questions`} data-testid="practice-back">
            Back to {role.title}
          </Link>
        ) : (
          <Link to="/">Roles</Link>
        )}
      </p>
      <h1>{isQuestion ? 'Practise a question aloud' : 'Practise your answer aloud'}</h1>
      <p className="lead" data-testid="practice-subject">
        {title}
      </p>
      <p className="muted small">
        Start, say the answer aloud in {TARGET_RANGE}, then Stop: only that spoken time is graded. Then write (or
        correct) what you said and hand it in.
      </p>
      <div
        className="practice-clock"
        data-testid="practice-timer"
        data-running={phase === 'speaking' ? 'true' : 'false'}
        aria-live="off"
      >
        {clock(elapsed)}
      </div>
      <ErrorMessage error={starting.error ?? finishing.error} />
      {(phase === 'ready' || phase === 'done') && (
        <button type="button" className="button" data-testid="practice-start" disabled={starting.fetching} onClick={onStart}>
          {phase === 'done' ? 'Practise again' : 'Start speaking'}
        </button>
      )}
      {phase === 'speaking' && (
        <button type="button" className="button" data-testid="practice-stop" onClick={() => void onStop()}>
          Stop
        </button>
      )}
      {(speechNote || recordingNote) && mid && (
        <p className="muted small" role="status" data-testid="practice-notes">
          {speechNote && <span data-testid="practice-speech-note">{speechNote} </span>}
          {recordingNote && <span data-testid="practice-recording-note">{recordingNote}</span>}
        </p>
      )}
      {mid && (
        <div className="form">
          <label htmlFor="practice-transcript">What you said</label>
          <textarea
            id="practice-transcript"
            data-testid="practice-transcript"
            rows={8}
            value={transcript}
            onChange={(e) => setTranscript(e.target.value)}
          />
          {phase === 'transcribing' && (
            <div className="practice-actions">
              <button
                type="button"
                className="button"
                data-testid="practice-finish"
                disabled={finishing.fetching || transcript.trim() === ''}
                onClick={onSubmit}
              >
                Hand in the transcript
              </button>
            </div>
          )}
        </div>
      )}
      {phase === 'done' && attempt?.finishedAt && (
        <>
          <PracticeResult attempt={attempt} againstDraft={!isQuestion} recordingVersion={recordingSaved} />
          <section className="section card" data-testid="practice-said">
            <h2>What you said</h2>
            <p className="transcript">{attempt.transcript}</p>
          </section>
        </>
      )}
      <section className="section" data-testid="practice-history">
        <h2>Earlier attempts</h2>
        {past.length === 0 ? (
          <p className="muted">None yet: each attempt you hand in is listed here with its feedback.</p>
        ) : (
          <ol className="practice-history">
            {past.map((a) => (
              <li key={a.id} data-testid="practice-history-item">
                <strong>{a.finishedAt ? formatDateTime(a.finishedAt) : ''}</strong>:{' '}
                {a.feedback ? `${a.feedback.wordsPerMinute} words a minute, ` : ''}
                {a.durationSeconds} s, {plural(a.feedback?.wordCount ?? 0, 'word')}
                {a.feedback && !a.feedback.withinTargetLength ? ` (outside ${TARGET_RANGE})` : ''}
                <RecordingPlayer attemptId={a.id} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}
