import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { formatDate, formatInZone } from '../format';
import { SharedInterviewDocument } from '../gql/sharing';
import '../sharing.css';

/** `/shared/interviews/:id`: an interview someone shared: its plan and readiness, read-only. */
export function SharedInterviewPage() {
  const { id = '' } = useParams();
  return (
    <RequireAuth>
      <SharedInterview id={id} />
    </RequireAuth>
  );
}

function SharedInterview({ id }: { id: string }) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: SharedInterviewDocument,
    variables: { id },
    requestPolicy: 'network-only',
  });
  if (fetching && !data) return <Loading what="Loading the shared interview" />;
  if (error) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  const interview = data?.interview;
  if (!interview) {
    return (
      <section className="not-found" data-testid="shared-interview-gone">
        <h1>This interview is not shared with you</h1>
        <p>
          <Link to="/shared">What is shared with you</Link>
        </p>
      </section>
    );
  }
  const r = interview.readiness;
  return (
    <section data-testid="shared-interview">
      <p className="breadcrumb">
        <Link to="/shared">Shared with me</Link> / {interview.company}
      </p>
      <h1>
        {interview.company}: {interview.role.title}
      </h1>
      <p className="meta">{formatInZone(interview.scheduledAt, interview.timeZone)}</p>
      <h2>Readiness</h2>
      <p data-testid="shared-readiness">
        <strong>{r.score}</strong>/100 · plan {r.planDone}/{r.planTotal} · competencies {r.competenciesCovered}/
        {r.competenciesTotal} · {r.readyStories} ready stories
      </p>
      {r.nextActions.length > 0 && (
        <ul>
          {r.nextActions.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <h2>Plan</h2>
      <ul className="plan-list" data-testid="shared-plan">
        {interview.plan.map((t) => (
          <li key={t.id}>
            <span aria-label={t.done ? 'done' : 'to do'}>{t.done ? '✓' : '○'}</span> {t.text}{' '}
            <span className="small muted">by {formatDate(t.dueOn)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
