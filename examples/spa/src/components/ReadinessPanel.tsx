import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useQuery } from 'urql';

import { InterviewReadinessDocument, MyPracticeEventsDocument, type InterviewReadinessQuery } from '../gql/practice';
import { useLiveSubscription } from '../live';
import { plural } from '../format';
import { targetPath } from '../targets';
import { ErrorMessage } from './Status';

/** An interview's readiness, as the panel shows it. */
export type Readiness = NonNullable<NonNullable<InterviewReadinessQuery['interview']>['readiness']>;

/**
 * An interview's readiness: the score, its three parts and the next steps.
 * `initial` came with the interview (drawn with it, so nothing moves as it
 * loads); the panel reads it again whenever `version` changes (a task ticked
 * here or in another tab) or `refresh` does (practice or stories elsewhere).
 * `readOnly` (someone else's interview, shared) lists the next steps as text:
 * their links lead to the owner's pages.
 */
export function ReadinessPanel({
  interviewId,
  version,
  refresh = 0,
  initial,
  readOnly = false,
}: {
  interviewId: string;
  version: number;
  refresh?: number;
  initial: Readiness | null;
  readOnly?: boolean;
}) {
  const [{ data, error }, reexecute] = useQuery({
    query: InterviewReadinessDocument,
    variables: { id: interviewId },
    requestPolicy: 'network-only',
    pause: true,
  });
  // Practice counts too: an attempt finished in any tab or device reads it again.
  // From a minute before this panel was drawn (clocks differ a little): an attempt
  // finished between the page's read and the subscription is not missed, and one
  // heard twice only reads the same score again.
  const [since] = useState(() => new Date(Date.now() - 60_000).toISOString());
  const [practised, setPractised] = useState(0);
  useLiveSubscription(
    MyPracticeEventsDocument,
    true,
    () => ({ since }),
    (result) => {
      if (result.data?.myPracticeEvents) setPractised((n) => n + 1);
    },
  );
  const first = useRef(true);
  useEffect(() => {
    if (first.current && initial) {
      first.current = false;
      return;
    }
    first.current = false;
    reexecute({ requestPolicy: 'network-only' });
  }, [version, refresh, practised, reexecute]);
  const { pathname } = useLocation();
  const r = data?.interview?.readiness ?? initial;
  if (!r) return <ErrorMessage error={error} />;
  return (
    <section className="section readiness card" data-testid="readiness" data-score={r.score}>
      <h2>
        Readiness <span className="readiness-score" data-testid="readiness-score">{r.score}</span>
        <span className="muted"> / 100</span>
      </h2>
      <p className="muted small">
        40 points for the plan, 40 for the role&apos;s competencies with a READY story, 20 for practice
        (up to 3 answers said aloud in the last 7 days).
      </p>
      <dl className="figures">
        <div>
          <dt>Plan</dt>
          <dd data-testid="readiness-plan">
            {r.planDone} of {plural(r.planTotal, 'task')} done
          </dd>
        </div>
        <div>
          <dt>Competencies</dt>
          <dd data-testid="readiness-competencies">
            {r.competenciesCovered} of {r.competenciesTotal} covered ({plural(r.readyStories, 'story', 'stories')} marked Ready)
          </dd>
        </div>
        <div>
          <dt>Practice</dt>
          <dd data-testid="readiness-practice">{r.practiceAttemptsLast7Days} in the last 7 days</dd>
        </div>
      </dl>
      {r.nextSteps.length > 0 && (
        <>
          <h3>Next</h3>
          <ol className="next-actions">
            {r.nextSteps.map((step) => {
              const to = targetPath(step.target, pathname);
              return (
                <li key={step.text} data-testid="readiness-action" data-kind={step.target.kind}>
                  {/* A step on this page (the plan's tasks) is a plain anchor: the browser scrolls to it. */}
                  {readOnly ? (
                    step.text
                  ) : to.startsWith(`${pathname}#`) ? (
                    <a href={to.slice(pathname.length)}>{step.text}</a>
                  ) : (
                    <Link to={to}>{step.text}</Link>
                  )}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}
