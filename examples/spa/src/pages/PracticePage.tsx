import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import type { PracticeAttempt } from '../api';
import { PracticeResult } from '../components/PracticeResult';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { FinishPracticeDocument, PracticeSubjectDocument, StartPracticeDocument } from '../gql/practice';
import { TARGET_RANGE } from '../wordCount';

export function PracticePage() {
  return (
    <RequireAuth>
      <PracticeView />
    </RequireAuth>
  );
}

/** The browser's speech recognition constructor, where there is one. */
interface Recognition {
  continuous: boolean;
  interimResults: boolean;
  onresult: ((event: { resultIndex: number; results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal: boolean }> }) => void) | null;
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

/** Practice mode: start the clock, say the answer, hand in the transcript. */
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
  const [starting, start] = useMutation(StartPracticeDocument);
  const [finishing, finish] = useMutation(FinishPracticeDocument);
  const [attempt, setAttempt] = useState<PracticeAttempt | null>(null);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => performance.now());
  const [transcript, setTranscript] = useState('');
  const [listening, setListening] = useState(false);
  const recognition = useRef<Recognition | null>(null);
  const Speech = speechRecognition();

  const running = attempt !== null && !attempt.finishedAt && startedAt !== null;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(timer);
  }, [running]);
  useEffect(() => () => recognition.current?.stop(), []);

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

  const onStart = async () => {
    const input = draftId ? { draftId } : { questionId: questionId ?? '' };
    const result = await start({ input });
    if (result.data) {
      setAttempt(result.data.startPractice);
      setTranscript('');
      const t = performance.now();
      setStartedAt(t);
      setNow(t);
    }
  };
  const stopListening = () => {
    recognition.current?.stop();
    recognition.current = null;
    setListening(false);
  };
  const onFinish = async () => {
    if (!attempt || startedAt === null) return;
    stopListening();
    const durationSeconds = Math.max(1, Math.round((performance.now() - startedAt) / 1000));
    const result = await finish({ input: { id: attempt.id, transcript, durationSeconds } });
    if (result.data) setAttempt(result.data.finishPractice);
  };
  const onMicrophone = () => {
    if (!Speech) return;
    if (listening) {
      stopListening();
      return;
    }
    const r = new Speech();
    r.continuous = true;
    r.interimResults = false;
    r.onresult = (event) => {
      let said = '';
      for (let i = event.resultIndex; i < event.results.length; i += 1) {
        const result = event.results[i];
        const best = result?.[0];
        if (result?.isFinal && best) said += best.transcript;
      }
      if (said) setTranscript((t) => (t ? `${t} ${said.trim()}` : said.trim()));
    };
    r.onend = () => setListening(false);
    recognition.current = r;
    r.start();
    setListening(true);
  };

  // A question has a prompt, a draft a title (which may be empty).
  const title = 'prompt' in subject ? subject.prompt : ('title' in subject && subject.title) || 'Untitled draft';
  return (
    <section className="practice-page" data-testid="practice-page">
      <p className="breadcrumb">
        {draftId ? <Link to={`/drafts/${encodeURIComponent(draftId)}`}>Back to the draft</Link> : <Link to="/">Roles</Link>}
      </p>
      <h1>Practise aloud</h1>
      <p className="lead" data-testid="practice-subject">
        {title}
      </p>
      <p className="muted small">
        Say the answer aloud in {TARGET_RANGE}. Type what you said (or use the microphone where your browser offers it),
        then finish: the feedback uses the time you took.
      </p>
      <div className="practice-clock" data-testid="practice-timer" data-running={running ? 'true' : 'false'} aria-live="off">
        {startedAt === null ? '0:00' : clock((running ? now : performance.now()) - startedAt)}
      </div>
      <ErrorMessage error={starting.error ?? finishing.error} />
      {!running && (
        <button type="button" className="button" data-testid="practice-start" disabled={starting.fetching} onClick={onStart}>
          {attempt ? 'Practise again' : 'Start the clock'}
        </button>
      )}
      {running && (
        <div className="form">
          <label htmlFor="practice-transcript">What you said</label>
          <textarea
            id="practice-transcript"
            data-testid="practice-transcript"
            rows={8}
            value={transcript}
            onChange={(e) => setTranscript(e.target.value)}
          />
          <div className="practice-actions">
            {Speech && (
              <button type="button" className="button button-small" data-testid="practice-microphone" onClick={onMicrophone}>
                {listening ? 'Stop listening' : 'Use the microphone'}
              </button>
            )}
            <button
              type="button"
              className="button"
              data-testid="practice-finish"
              disabled={finishing.fetching || transcript.trim() === ''}
              onClick={onFinish}
            >
              Finish
            </button>
          </div>
        </div>
      )}
      {attempt?.finishedAt && <PracticeResult attempt={attempt} />}
    </section>
  );
}
