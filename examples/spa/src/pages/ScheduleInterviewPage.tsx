import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import type { InterviewStage } from '../api';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { INTERVIEW_STAGES, STAGE_LABEL, zonedToUtc } from '../format';
import { RoleForInterviewDocument, ScheduleInterviewDocument } from '../gql/interviews';
import { TimeZoneInput, UNKNOWN_ZONE, browserZone, knownZone } from '../components/TimeZoneInput';


export function ScheduleInterviewPage() {
  return (
    <RequireAuth>
      <ScheduleForm />
    </RequireAuth>
  );
}

function ScheduleForm() {
  const { slug = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: RoleForInterviewDocument, variables: { slug } });
  const [result, schedule] = useMutation(ScheduleInterviewDocument);
  const [company, setCompany] = useState('');
  const [stage, setStage] = useState<InterviewStage>('TECHNICAL');
  const [when, setWhen] = useState('');
  const [timeZone, setTimeZone] = useState(browserZone);
  const [notes, setNotes] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  if (!data && fetching) return <Loading what="Loading the role" />;
  const role = data?.role;
  if (!role) return <ErrorMessage error={error} />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const zone = knownZone(timeZone);
    if (!zone) {
      setProblem(UNKNOWN_ZONE);
      return;
    }
    const scheduledAt = zonedToUtc(when, zone);
    if (!scheduledAt) {
      setProblem('Give the date and time it starts.');
      return;
    }
    setProblem(null);
    const done = await schedule({
      input: { roleId: role.id, company, stage, scheduledAt, timeZone: zone, notes },
    });
    const id = done.data?.scheduleInterview.id;
    if (id) navigate(`/interviews/${encodeURIComponent(id)}`);
  };

  return (
    <section className="schedule-page">
      <p className="breadcrumb">
        <Link to={`/roles/${encodeURIComponent(role.slug)}`}>{role.title}</Link> / Schedule an interview
      </p>
      <h1>Schedule an interview</h1>
      <p className="muted">
        The role’s timeline ({role.timeline.map((p) => p.label.toLowerCase()).join(', ')}) becomes your dated plan.
      </p>
      <form className="card form" onSubmit={onSubmit} data-testid="schedule-form">
        <label>
          Company
          <input data-testid="schedule-company" value={company} onChange={(e) => setCompany(e.target.value)} required />
        </label>
        <label>
          Stage
          <select data-testid="schedule-stage" value={stage} onChange={(e) => setStage(e.target.value as InterviewStage)}>
            {INTERVIEW_STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Starts (local time there)
          <input type="datetime-local" data-testid="schedule-when" value={when} onChange={(e) => setWhen(e.target.value)} required />
        </label>
        <TimeZoneInput testId="schedule-zone" value={timeZone} onChange={setTimeZone} />
        <label>
          Notes
          <textarea data-testid="schedule-notes" value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} />
        </label>
        {problem && (
          <p className="alert alert-error" role="alert">
            {problem}
          </p>
        )}
        <ErrorMessage error={result.error} />
        <button type="submit" className="button" data-testid="schedule-submit" disabled={result.fetching}>
          Schedule
        </button>
      </form>
    </section>
  );
}
