import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { ReadinessPanel } from '../components/ReadinessPanel';
import { RequireAuth } from '../components/RequireAuth';
import { ShareDialog } from '../components/ShareDialog';
import { TimeZoneInput, UNKNOWN_ZONE, knownZone } from '../components/TimeZoneInput';
import { ErrorMessage, Loading } from '../components/Status';
import { STAGE_LABEL, formatDate, formatInZone, relativeDay, utcToZoned, zonedToUtc } from '../format';
import {
  AddPlanTaskDocument,
  DeleteInterviewDocument,
  DeletePlanTaskDocument,
  InterviewDocument,
  SetPlanTaskDoneDocument,
  UpdateInterviewDocument,
  type InterviewFieldsFragment,
} from '../gql/interviews';
import { planDayAnchor, targetPath } from '../targets';
import { useInterviewEvents } from './interviewLive';

export function InterviewPage() {
  return (
    <RequireAuth>
      <InterviewView />
    </RequireAuth>
  );
}

/** An interview as the page shows it. */
type Interview = InterviewFieldsFragment;
/** A task of its plan. */
type PlanTask = Interview['plan'][number];

/** A task whose due date a reschedule changed. */
interface Moved {
  id: string;
  text: string;
  from: string;
  to: string;
}

/** The plan's tasks by due date, in the plan's order. */
function byDay(plan: PlanTask[]): [string, PlanTask[]][] {
  const days = new Map<string, PlanTask[]>();
  for (const task of plan) days.set(task.dueOn, [...(days.get(task.dueOn) ?? []), task]);
  return [...days.entries()];
}

function InterviewView() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: InterviewDocument,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
  // The newest state seen: the query's answer, a mutation's or an event's.
  const [latest, setLatest] = useState<Interview | null>(null);
  const [deleted, setDeleted] = useState(false);
  const loaded = data?.interview ?? null;
  const interview = latest && (!loaded || latest.version > loaded.version) ? latest : loaded;
  const show = (next: Interview | null | undefined) => {
    if (next && (!interview || next.version > interview.version)) setLatest(next);
  };

  const { live } = useInterviewEvents(
    loaded !== null,
    () => interview?.updatedAt ?? null,
    (event) => {
      if (event.interviewId !== id) return;
      if (event.kind === 'DELETED') setDeleted(true);
      else show(event.interview);
    },
  );

  const [toggle, setDone] = useMutation(SetPlanTaskDoneDocument);
  const [adding, addTask] = useMutation(AddPlanTaskDocument);
  const [removing, deleteTask] = useMutation(DeletePlanTaskDocument);
  const [moving, update] = useMutation(UpdateInterviewDocument);
  const [, deleteInterview] = useMutation(DeleteInterviewDocument);
  const [text, setText] = useState('');
  const [due, setDue] = useState('');
  const [when, setWhen] = useState<string | null>(null);
  const [zone, setZone] = useState<string | null>(null);
  const [zoneProblem, setZoneProblem] = useState<string | null>(null);
  const [moved, setMoved] = useState<Moved[] | null>(null);

  if (deleted) {
    return (
      <section data-testid="interview-deleted">
        <h1>Interview deleted</h1>
        <p>
          It was deleted, perhaps in another tab. <Link to="/interviews">See your interviews</Link>.
        </p>
      </section>
    );
  }
  if (!interview && fetching) return <Loading what="Loading the interview" />;
  if (!interview) {
    return error ? (
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
    ) : (
      <section className="not-found" data-testid="interview-not-found">
        <h1>Interview not found</h1>
        <p>
          <Link to="/interviews">See your interviews</Link>.
        </p>
      </section>
    );
  }

  const reload = () => reexecute({ requestPolicy: 'network-only' });
  const onToggle = async (task: PlanTask, done: boolean) => {
    await setDone({ id: task.id, done });
    reload();
  };
  const onAdd = async (e: FormEvent) => {
    e.preventDefault();
    const done = await addTask({ input: { interviewId: interview.id, text, dueOn: due || interview.localDate } });
    if (done.data) {
      setText('');
      show(done.data.addPlanTask.interview);
    }
  };
  const onDeleteTask = async (task: PlanTask) => {
    await deleteTask({ id: task.id });
    reload();
  };
  const reschedule = async (e: FormEvent) => {
    e.preventDefault();
    const timeZone = knownZone(zone ?? interview.timeZone);
    setZoneProblem(timeZone ? null : UNKNOWN_ZONE);
    if (!timeZone) return;
    const scheduledAt = zonedToUtc(when ?? utcToZoned(interview.scheduledAt, interview.timeZone), timeZone);
    if (!scheduledAt) return;
    const before = new Map(interview.plan.map((t) => [t.id, t]));
    const done = await update({
      input: { id: interview.id, expectedVersion: interview.version, scheduledAt, timeZone },
    });
    const after = done.data?.updateInterview;
    if (!after) return;
    show(after);
    setWhen(null);
    setZone(null);
    setMoved(
      after.plan
        .filter((t) => before.has(t.id) && before.get(t.id)!.dueOn !== t.dueOn)
        .map((t) => ({ id: t.id, text: t.text, from: before.get(t.id)!.dueOn, to: t.dueOn })),
    );
  };
  const onDeleteInterview = async () => {
    if (!window.confirm('Delete this interview and its plan?')) return;
    const done = await deleteInterview({ id: interview.id });
    if (!done.error) navigate('/interviews');
  };

  const doneCount = interview.plan.filter((t) => t.done).length;

  return (
    <article className="interview-page" data-testid="interview-page" data-version={interview.version}>
      <p className="breadcrumb">
        <Link to="/interviews">Interviews</Link> / {interview.company}
      </p>
      <header>
        <h1 data-testid="interview-title">
          {interview.company}: {STAGE_LABEL[interview.stage]}
        </h1>
        <p className="lead">
          <Link to={`/roles/${encodeURIComponent(interview.role.slug)}`}>{interview.role.title}</Link> ·{' '}
          <span data-testid="interview-when">{formatInZone(interview.scheduledAt, interview.timeZone)}</span>{' '}
          <span className="muted">({interview.timeZone})</span>
        </p>
        <p className="muted small">
          <span data-testid="interview-local-date" data-date={interview.localDate}>
            {formatDate(interview.localDate)}
          </span>{' '}
          <strong data-testid="interview-relative-day">({relativeDay(interview.localDate)})</strong> ·{' '}
          <span data-testid="plan-progress">
            {doneCount} of {interview.plan.length} done
          </span>
        </p>
        <ShareDialog target={{ kind: 'INTERVIEW', id: interview.id }} />
        {interview.notes && <p>{interview.notes}</p>}
        <p className="muted small" data-testid="live-state" data-live={live ? 'true' : 'false'}>
          {live ? 'Live: changes made in other tabs appear here.' : 'Connecting for live updates…'}
        </p>
      </header>

      <ReadinessPanel
        interviewId={interview.id}
        version={interview.version}
        initial={data?.interview?.readiness ?? null}
      />

      <ErrorMessage error={toggle.error ?? removing.error} />

      <section className="section" data-testid="plan" id="plan">
        <h2>Plan</h2>
        {byDay(interview.plan).map(([day, tasks]) => (
          <div key={day} className="plan-day" data-testid="plan-day" data-date={day} id={planDayAnchor(day)}>
            <h3>
              {formatDate(day)} <span className="muted small">({relativeDay(day)})</span>
            </h3>
            <ul className="plan-tasks">
              {tasks.map((task) => (
                <li
                  key={task.id}
                  data-testid="plan-task"
                  data-task-id={task.id}
                  data-done={task.done ? 'true' : 'false'}
                  className={task.overdue ? 'overdue' : undefined}
                >
                  <label>
                    <input
                      type="checkbox"
                      data-testid="plan-task-done"
                      checked={task.done}
                      disabled={toggle.fetching}
                      onChange={(e) => onToggle(task, e.target.checked)}
                    />{' '}
                    <span data-testid="plan-task-text">{task.text}</span>
                  </label>{' '}
                  {task.target && (
                    <Link
                      className="button button-small button-secondary"
                      data-testid="plan-task-go"
                      data-kind={task.target.kind}
                      to={targetPath(task.target, `/interviews/${encodeURIComponent(interview.id)}`)}
                    >
                      {task.target.kind === 'PRACTICE' ? 'Practise' : 'Write a story'}
                    </Link>
                  )}{' '}
                  {task.phaseLabel && <span className="badge">{task.phaseLabel}</span>}
                  {task.custom && <span className="badge">your own</span>}
                  {task.compressed && (
                    <span className="badge" title="Its date had passed when the plan was made">
                      moved up
                    </span>
                  )}
                  {task.overdue && <span className="badge status-archived">overdue</span>}
                  {task.custom && (
                    <button type="button" className="link-button" onClick={() => onDeleteTask(task)}>
                      Delete
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
        <form className="form inline-form" onSubmit={onAdd} data-testid="add-task-form">
          <label htmlFor="add-task-text" className="visually-hidden">
            A task of your own
          </label>
          <input
            id="add-task-text"
            data-testid="add-task-text"
            placeholder="Add a task of your own"
            value={text}
            onChange={(e) => setText(e.target.value)}
            required
          />
          <label htmlFor="add-task-due">Due</label>
          <input
            id="add-task-due"
            type="date"
            data-testid="add-task-due"
            value={due}
            onChange={(e) => setDue(e.target.value)}
          />
          <button type="submit" className="button button-small" data-testid="add-task-submit" disabled={adding.fetching}>
            Add
          </button>
        </form>
        <ErrorMessage error={adding.error} />
      </section>

      <section className="section" data-testid="reschedule">
        <h2>Reschedule</h2>
        <form className="form" onSubmit={reschedule} data-testid="reschedule-form">
          <label>
            Starts (local time there)
            <input
              type="datetime-local"
              data-testid="reschedule-when"
              value={when ?? utcToZoned(interview.scheduledAt, interview.timeZone)}
              onChange={(e) => setWhen(e.target.value)}
            />
          </label>
          <TimeZoneInput testId="reschedule-zone" value={zone ?? interview.timeZone} onChange={setZone} />
          {zoneProblem && (
            <p className="alert alert-error" role="alert" data-testid="reschedule-zone-problem">
              {zoneProblem}
            </p>
          )}
          <button type="submit" className="button" data-testid="reschedule-submit" disabled={moving.fetching}>
            Move the interview
          </button>
        </form>
        <ErrorMessage error={moving.error} onRetry={moving.error ? reload : undefined} />
        {moved && (
          <div className="card" data-testid="moved-tasks">
            <p>
              {moved.length === 0
                ? 'No task moved.'
                : `${moved.length} ${moved.length === 1 ? 'task' : 'tasks'} moved; done tasks and your own kept their dates.`}
            </p>
            <ul>
              {moved.map((m) => (
                <li key={m.id} data-testid="moved-task">
                  {m.text} — {formatDate(m.from)} →{' '}
                  <span data-testid="moved-task-to" data-date={m.to}>
                    {formatDate(m.to)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <p>
        <button type="button" className="link-button" data-testid="delete-interview" onClick={onDeleteInterview}>
          Delete this interview
        </button>
      </p>
    </article>
  );
}
