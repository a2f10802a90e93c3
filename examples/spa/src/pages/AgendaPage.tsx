import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { AGENDA_DAYS } from '../config';
import { STAGE_LABEL, formatDate, formatDayRange, formatInZone, todayLocal } from '../format';
import { MyAgendaDocument, SetPlanTaskDoneDocument, type MyAgendaQuery } from '../gql/interviews';
import { useReloadOnLiveChange } from '../live';
import { useInterviewEvents } from './interviewLive';

type AgendaDay = MyAgendaQuery['myAgenda'][number];

/** The agenda's days with something on them, and each run of empty days between as one entry. */
type AgendaEntry = { kind: 'day'; day: AgendaDay } | { kind: 'empty'; from: string; to: string; days: number };

/** Folds every run of consecutive days with nothing planned into one entry. */
function agendaEntries(days: readonly AgendaDay[]): AgendaEntry[] {
  const entries: AgendaEntry[] = [];
  for (const day of days) {
    const last = entries[entries.length - 1];
    if (day.interviews.length > 0 || day.tasks.length > 0) entries.push({ kind: 'day', day });
    else if (last?.kind === 'empty') entries[entries.length - 1] = { ...last, to: day.date, days: last.days + 1 };
    else entries.push({ kind: 'empty', from: day.date, to: day.date, days: 1 });
  }
  return entries;
}

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
      {data &&
        agendaEntries(data.myAgenda).map((entry) =>
          entry.kind === 'empty' ? (
            <p
              key={entry.from}
              className="agenda-empty muted"
              data-testid="agenda-empty"
              data-from={entry.from}
              data-to={entry.to}
              data-days={entry.days}
            >
              Nothing planned {formatDayRange(entry.from, entry.to)}
            </p>
          ) : (
            <AgendaDayView key={entry.day.date} day={entry.day} ticking={ticking.fetching} setDone={setDone} />
          ),
        )}
    </section>
  );
}

/** One day with interviews or tasks: each interview links to its page, each task can be ticked here. */
function AgendaDayView({
  day,
  ticking,
  setDone,
}: {
  day: AgendaDay;
  ticking: boolean;
  setDone: (variables: { id: string; done: boolean }) => unknown;
}) {
  return (
    <div className="plan-day" data-testid="agenda-day" data-date={day.date}>
      <h2>{formatDate(day.date)}</h2>
      <ul className="plan-tasks">
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
                disabled={ticking}
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
  );
}
