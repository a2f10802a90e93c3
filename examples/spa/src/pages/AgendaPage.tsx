import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { AGENDA_DAYS } from '../config';
import { STAGE_LABEL, formatDate, formatInZone, todayLocal } from '../format';
import { MyAgendaDocument, SetPlanTaskDoneDocument } from '../gql/interviews';
import { useReloadOnLiveChange } from '../live';
import { useInterviewEvents } from './interviewLive';

export function AgendaPage() {
  return (
    <RequireAuth>
      <Agenda />
    </RequireAuth>
  );
}

function Agenda() {
  const [from] = useState(todayLocal);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MyAgendaDocument,
    variables: { from, days: AGENDA_DAYS },
    requestPolicy: 'cache-and-network',
  });
  const loadedAt = useRef<string | null>(null);
  useEffect(() => {
    if (data) loadedAt.current ??= new Date().toISOString();
  }, [data]);
  const changed = useReloadOnLiveChange(reexecute);
  // Ticking a task here is the same change as on its interview's page: other tabs
  // hear of it as an update of that interview.
  const [ticking, setDone] = useMutation(SetPlanTaskDoneDocument);
  const { live } = useInterviewEvents(data !== undefined, () => loadedAt.current, changed);

  return (
    <section className="agenda-page">
      <h1>The next {AGENDA_DAYS} days</h1>
      <p className="muted small" data-testid="live-state" data-live={live ? 'true' : 'false'}>
        {live ? 'Live: changes made in other tabs appear here.' : 'Connecting for live updates…'}
      </p>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      <ErrorMessage error={ticking.error} />
      {!data && fetching && <Loading what="Loading your agenda" />}
      {data?.myAgenda.map((day) => (
        <div key={day.date} className="plan-day" data-testid="agenda-day" data-date={day.date}>
          <h2>{formatDate(day.date)}</h2>
          {day.interviews.length === 0 && day.tasks.length === 0 && <p className="muted small">Nothing planned.</p>}
          <ul>
            {day.interviews.map((i) => (
              <li key={i.id} data-testid="agenda-interview">
                <strong>
                  <Link to={`/interviews/${encodeURIComponent(i.id)}`}>
                    {i.company}: {STAGE_LABEL[i.stage]}
                  </Link>
                </strong>{' '}
                {formatInZone(i.scheduledAt, i.timeZone)} ({i.timeZone}) · {i.role.title}
              </li>
            ))}
            {day.tasks.map((t) => (
              <li key={t.id} data-testid="agenda-task" data-done={t.done ? 'true' : 'false'}>
                <label className="inline-label">
                  <input
                    type="checkbox"
                    data-testid="agenda-task-done"
                    checked={t.done}
                    disabled={ticking.fetching}
                    onChange={(e) => void setDone({ id: t.id, done: e.target.checked })}
                  />{' '}
                  {t.text}
                </label>{' '}
                <span className="muted small">for {t.interview.company}</span>
                {t.overdue && <span className="badge status-archived">overdue</span>}
                {t.compressed && <span className="badge" title="Its date had passed when the plan was made">moved up</span>}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
