import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';

import { useAuth } from '../auth';
import { CoverageSection } from '../components/CoverageSection';
import { ErrorMessage, Loading } from '../components/Status';
import {
  CATEGORY_LABEL,
  LEVEL_LABEL,
  RESOURCE_LABEL,
  STATUS_LABEL,
  countryName,
  formatDate,
  formatDateTime,
  plural,
} from '../format';
import { RolePageDocument, RolePageDraftsDocument, type RolePageDraftsQuery, type RolePageQuery } from '../gql/rolePage';
import { newDraftPath } from '../targets';

type Role = NonNullable<RolePageQuery['role']>;
type Question = Role['questions'][number];
type Draft = NonNullable<RolePageDraftsQuery['role']>['questions'][number]['myStarDrafts'][number];

const NO_DRAFTS: Draft[] = [];
type SalaryBenchmark = Role['salaryBenchmarks'][number];

export function RolePage() {
  const { slug = '' } = useParams();
  const { token } = useAuth();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: RolePageDocument,
    variables: { slug },
  });
  // The reader's drafts are a query of their own, so the page's read stays public.
  const [{ data: mine }] = useQuery({ query: RolePageDraftsDocument, variables: { slug }, pause: !token });
  const draftsOf = new Map((mine?.role?.questions ?? []).map((q) => [q.id, q.myStarDrafts]));

  if (!data && fetching) return <Loading what="Loading the role" />;
  if (!data) {
    return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  }
  const role = data.role;
  if (!role) {
    return (
      <section className="not-found" data-testid="role-not-found">
        <h1>Role not found</h1>
        <p>
          There is no role called <code>{slug}</code>. <Link to="/">See all roles</Link>.
        </p>
      </section>
    );
  }

  return (
    <article className="role-page">
      <p className="breadcrumb">
        <Link to="/">Roles</Link> / {role.title}
      </p>
      <header className="role-header">
        <h1 data-testid="role-title">{role.title}</h1>
        <p className="lead">{role.summary}</p>
        <p>
          <Link to={`/roles/${encodeURIComponent(role.slug)}/schedule`} className="button" data-testid="schedule-interview">
            Schedule an interview
          </Link>
        </p>
        <p className="muted small" data-testid="role-reviewer">
          Reviewed by {role.reviewer.name}, {role.reviewer.title} · updated{' '}
          {formatDateTime(role.updatedAt)}
        </p>
      </header>

      <nav className="toc" aria-label="On this page">
        <a href="#questions">Questions</a>
        <a href="#salary">Salary</a>
        <a href="#skills">Key skills</a>
        {token && <a href="#coverage">Your coverage</a>}
        <a href="#prep-steps">Preparation</a>
        <a href="#timeline">Timeline</a>
        <a href="#mistakes">Mistakes</a>
        <a href="#faqs">FAQs</a>
        <a href="#resources">Resources</a>
      </nav>

      {/* The questions first: what a candidate came to do is within the first screen, on a phone too. */}
      <section id="questions" className="section" data-testid="section-questions">
        <h2>Common interview questions</h2>
        <p className="muted">
          Answer each with the STAR method: the Situation, your Task, the Action you took and
          the Result, with a number in it.
        </p>
        <ol className="questions">
          {role.questions.map((q) => (
            <QuestionItem key={q.id} question={q} drafts={draftsOf.get(q.id) ?? NO_DRAFTS} />
          ))}
        </ol>
      </section>

      <section id="salary" className="section" data-testid="section-salary">
        <h2>Salary benchmarks</h2>
        {role.salaryBenchmarks.length === 0 ? (
          <p className="muted">No salary figures yet.</p>
        ) : (
          <div className="salary-grid">
            {role.salaryBenchmarks.map((b) => (
              <SalaryTable key={b.id} benchmark={b} />
            ))}
          </div>
        )}
      </section>

      <section id="skills" className="section" data-testid="section-skills">
        <h2>Key skills</h2>
        <ul className="chips">
          {role.keySkills.map((s) => (
            <li key={s.id} data-testid="skill">
              <Link to={`/?skill=${encodeURIComponent(s.slug)}`} title="Roles that list this skill">
                {s.name}
              </Link>
            </li>
          ))}
        </ul>
      </section>

      {token && <CoverageSection key={role.slug} slug={role.slug} />}

      <section id="prep-steps" className="section" data-testid="section-prep-steps">
        <h2>Preparation steps</h2>
        <ol className="steps">
          {role.prepSteps.map((s) => (
            <li key={s.id} data-testid="prep-step">
              {s.text}
            </li>
          ))}
        </ol>
      </section>

      <section id="timeline" className="section" data-testid="section-timeline">
        <h2>Timeline</h2>
        <ol className="timeline">
          {role.timeline.map((phase) => (
            <li key={phase.id} className="phase" data-testid="timeline-phase">
              <h3>
                {phase.label}{' '}
                <span className="badge" data-testid="phase-days">
                  {phase.daysBefore === 0
                    ? 'on the day'
                    : `${plural(phase.daysBefore, 'day')} before`}
                </span>
              </h3>
              <ul>
                {phase.tasks.map((t) => (
                  <li key={t.id} data-testid="timeline-task">
                    {t.text}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      </section>

      <section id="mistakes" className="section" data-testid="section-mistakes">
        <h2>Common mistakes</h2>
        <ul className="mistakes">
          {role.mistakes.map((m) => (
            <li key={m.id} data-testid="mistake">
              <strong>{m.title}</strong>
              <p>{m.explanation}</p>
            </li>
          ))}
        </ul>
      </section>

      <section id="faqs" className="section" data-testid="section-faqs">
        <h2>Frequently asked questions</h2>
        <dl className="faqs">
          {role.faqs.map((f) => (
            <div key={f.id} data-testid="faq">
              <dt>{f.question}</dt>
              <dd>{f.answer}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section id="resources" className="section" data-testid="section-resources">
        <h2>Resources</h2>
        <ul className="resources">
          {role.resources.map((r) => (
            <li key={r.id} data-testid="resource">
              <a href={r.url} target="_blank" rel="noopener noreferrer">
                {r.title}
              </a>{' '}
              <span className="badge">{RESOURCE_LABEL[r.kind] ?? r.kind}</span>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

function SalaryTable({ benchmark: b }: { benchmark: SalaryBenchmark }) {
  return (
    <table className="salary" data-testid="salary-table" data-country={b.country}>
      <caption>
        {countryName(b.country)} <span className="muted">({b.currency})</span>
      </caption>
      <tbody>
        <tr>
          <th scope="row">Median</th>
          <td data-testid="salary-median">{b.median.formatted}</td>
        </tr>
        <tr>
          <th scope="row">Range</th>
          <td data-testid="salary-range">
            {b.low.formatted}–{b.high.formatted}
          </td>
        </tr>
        {b.levels.map((l) => (
          <tr key={l.level}>
            <th scope="row">{LEVEL_LABEL[l.level] ?? l.level}</th>
            <td data-testid={`salary-level-${l.level}`}>{l.amount.formatted}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={2} className="muted small">
            {b.source}, as of {formatDate(b.asOf)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

function QuestionItem({ question: q, drafts }: { question: Question; drafts: Draft[] }) {
  const navigate = useNavigate();
  // One answer per question by default: the button opens the candidate's draft for
  // it when there is one (the first listed); another can still be started on purpose.
  const existing = drafts[0];
  const start = newDraftPath(
    q.competencies.map((c) => c.slug),
    q.id,
  );
  return (
    <li className="question" data-testid="question" data-question-id={q.id}>
      <p className="prompt" data-testid="question-prompt">
        {q.prompt}
      </p>
      <div className="question-actions">
        <span className="badge">{CATEGORY_LABEL[q.category] ?? q.category}</span>
        <button
          type="button"
          className="button button-small"
          data-testid="build-star-answer"
          onClick={() => navigate(existing ? `/drafts/${encodeURIComponent(existing.id)}` : start)}
        >
          {existing ? 'Open your STAR answer' : 'Build a STAR answer'}
        </button>
        {existing && (
          <Link to={start} className="small" data-testid="start-another-answer">
            Start another answer
          </Link>
        )}
        <Link className="button button-small" data-testid="practise-question" to={`/practice?question=${encodeURIComponent(q.id)}`}>
          Practise aloud
        </Link>
      </div>
      {drafts.length > 0 && (
        <ul className="my-drafts small">
          {drafts.map((d) => (
            <li key={d.id}>
              <Link to={`/drafts/${encodeURIComponent(d.id)}`} data-testid="question-draft-link">
                {d.title || 'Your draft'}
              </Link>{' '}
              <span className="muted">
                {STATUS_LABEL[d.status]} · saved {formatDateTime(d.updatedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
