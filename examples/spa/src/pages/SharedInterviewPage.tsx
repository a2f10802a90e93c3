import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

import { ReadinessPanel } from '../components/ReadinessPanel';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { STAGE_LABEL, formatDate, formatInZone, relativeDay } from '../format';
import { SharedInterviewDocument, type SharedInterviewQuery } from '../gql/sharing';
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

type Task = NonNullable<SharedInterviewQuery['interview']>['plan'][number];

/** The plan's tasks by due date, in the plan's order (as the owner's page groups them). */
function byDay(plan: Task[]): [string, Task[]][] {
  const days = new Map<string, Task[]>();
  for (const task of plan) days.set(task.dueOn, [...(days.get(task.dueOn) ?? []), task]);
  return [...days.entries()];
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
  const doneCount = interview.plan.filter((t) => t.done).length;
  return (
    <article className="interview-page" data-testid="shared-interview">
      <p className="breadcrumb">
        <Link to="/shared">Shared with me</Link> / {interview.company}
      </p>
      <header>
        <h1>
          {interview.company}: {STAGE_LABEL[interview.stage]}
        </h1>
        <p className="lead">
          {interview.role.title} ·{' '}
          <span data-testid="shared-interview-when">{formatInZone(interview.scheduledAt, interview.timeZone)}</span>{' '}
          <span className="muted">({interview.timeZone})</span>
        </p>
        <p className="muted small">
          {formatDate(interview.localDate)}{' '}
          <strong data-testid="shared-interview-relative-day">({relativeDay(interview.localDate)})</strong> ·{' '}
          <span data-testid="shared-plan-progress">
            {doneCount} of {interview.plan.length} done
          </span>{' '}
          · read only
        </p>
      </header>

      <div data-testid="shared-readiness">
        <ReadinessPanel interviewId={interview.id} version={interview.version} initial={interview.readiness} readOnly />
      </div>

      <section className="section" data-testid="shared-plan">
        <h2>Plan</h2>
        {byDay(interview.plan).map(([day, tasks]) => (
          <div key={day} className="plan-day" data-testid="shared-plan-day" data-date={day}>
            <h3>
              {formatDate(day)} <span className="muted small">({relativeDay(day)})</span>
            </h3>
            <ul className="plan-tasks">
              {tasks.map((task) => (
                <li
                  key={task.id}
                  data-testid="shared-plan-task"
                  data-done={task.done ? 'true' : 'false'}
                  className={task.overdue ? 'overdue' : undefined}
                >
                  <span className={`badge ${task.done ? 'status-ready' : ''}`}>{task.done ? 'Done' : 'To do'}</span>{' '}
                  <span data-testid="shared-plan-task-text">{task.text}</span>{' '}
                  {task.phaseLabel && <span className="badge">{task.phaseLabel}</span>}
                  {task.custom && <span className="badge">their own</span>}
                  {task.overdue && <span className="badge status-archived">overdue</span>}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
    </article>
  );
}
