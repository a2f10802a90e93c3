// "Your coverage" on a role page: which of the role's competencies and questions the
// signed-in viewer has a READY story for, kept live as their drafts change.

import { useRef } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { STATUS_LABEL, plural } from '../format';
import { RoleCoverageDocument, type RoleCoverageQuery } from '../gql/coverage';
import { MyDraftEventsDocument } from '../gql/draftEvents';
import { useLiveSubscription, useReloadOnLiveChange } from '../live';
import { newDraftPath } from '../targets';
import { ErrorMessage, Loading } from './Status';

/** The viewer's coverage of a role's competencies and questions. */
type Coverage = NonNullable<NonNullable<RoleCoverageQuery['role']>['myCoverage']>;
/** A story as the coverage names it. */
type CoverageStory = Coverage['competencies'][number]['stories'][number];

/** Every story of the coverage once, in the order first met. */
function storiesOf(coverage: Coverage): CoverageStory[] {
  const seen = new Map<string, CoverageStory>();
  for (const row of [...coverage.competencies, ...coverage.questions]) {
    for (const story of row.stories) if (!seen.has(story.id)) seen.set(story.id, story);
  }
  return [...seen.values()];
}

export function CoverageSection({ slug }: { slug: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: RoleCoverageDocument,
    variables: { slug },
    requestPolicy: 'cache-and-network',
  });

  // Any change to any of the viewer's drafts, in this tab or another, reloads the coverage.
  // Changes since this section opened are sent first, so none between the read and the
  // subscription is missed (at worst the coverage is read once more).
  const since = useRef(new Date(Date.now() - 1000).toISOString());
  const changed = useReloadOnLiveChange(reexecute);
  const { live } = useLiveSubscription(
    MyDraftEventsDocument,
    data !== undefined,
    () => ({ since: since.current }),
    (result) => {
      if (result.data?.myStarDraftEvents) changed();
    },
  );

  const coverage = data?.role?.myCoverage ?? null;
  return (
    <section id="coverage" className="section" data-testid="section-coverage">
      <h2>Your coverage</h2>
      <p className="muted small" data-testid="coverage-live" data-live={live ? 'true' : 'false'}>
        {live ? 'Live: stories marked ready in other tabs show here.' : 'Connecting for live updates…'}
      </p>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {!data && fetching && <Loading what="Loading your coverage" />}
      {coverage && <CoverageView coverage={coverage} />}
    </section>
  );
}

function CoverageView({ coverage }: { coverage: Coverage }) {
  const stories = storiesOf(coverage);
  return (
    <>
      <p data-testid="coverage-summary">
        {plural(coverage.readyStories, 'ready story', 'ready stories')} ·{' '}
        {coverage.gaps.length === 0 ? (
          <strong>every competency covered</strong>
        ) : (
          <span data-testid="coverage-gaps">
            {coverage.gaps.length} {coverage.gaps.length === 1 ? 'gap' : 'gaps'}:{' '}
            {coverage.gaps.map((g) => g.name).join(', ')}
          </span>
        )}
      </p>
      <div className="coverage-scroll">
        <table className="coverage-grid" data-testid="coverage-grid">
          <caption className="muted small">
            Competencies the interviews probe, and which of your stories show them. A competency is
            covered once one of its stories is ready.
          </caption>
          <thead>
            <tr>
              <th scope="col">Competency</th>
              {stories.map((s) => (
                <th scope="col" key={s.id} data-testid="coverage-story">
                  <Link to={`/drafts/${encodeURIComponent(s.id)}`}>{s.title || 'Untitled story'}</Link>
                  <span className={`badge status-${s.status.toLowerCase()}`}>{STATUS_LABEL[s.status]}</span>
                </th>
              ))}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {coverage.competencies.map(({ competency: c, covered, stories: tagged }) => (
              <tr
                key={c.slug}
                className={covered ? 'covered' : 'gap'}
                data-testid="coverage-row"
                data-slug={c.slug}
                data-covered={covered ? 'true' : 'false'}
              >
                <th scope="row" title={c.description}>
                  {c.name}
                </th>
                {stories.map((s) => {
                  const has = tagged.some((t) => t.id === s.id);
                  return (
                    <td key={s.id} className={has ? `has status-${s.status.toLowerCase()}` : ''}>
                      {has ? (
                        <span aria-label={`${s.title || 'Untitled story'} shows ${c.name}`}>✓</span>
                      ) : (
                        <span className="visually-hidden">—</span>
                      )}
                    </td>
                  );
                })}
                <td>
                  {covered ? (
                    <span className="coverage-ok" data-testid="coverage-status">
                      Covered
                    </span>
                  ) : (
                    <>
                      <span className="coverage-gap" data-testid="coverage-status">
                        Gap
                      </span>{' '}
                      <Link to={newDraftPath([c.slug])} className="small" data-testid="write-for-gap">
                        Write a story for this gap
                      </Link>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Stories per question</h3>
      <ol className="question-coverage">
        {coverage.questions.map(({ question: q, covered, stories: answering }) => (
          <li
            key={q.id}
            className={covered ? 'covered' : 'gap'}
            data-testid="question-coverage"
            data-question-id={q.id}
            data-covered={covered ? 'true' : 'false'}
          >
            <p className="prompt">{q.prompt}</p>
            {answering.length === 0 ? (
              <p className="muted small">No story answers it yet.</p>
            ) : (
              <ul className="small">
                {answering.map((s) => (
                  <li key={s.id}>
                    <Link to={`/drafts/${encodeURIComponent(s.id)}`} data-testid="question-coverage-story">
                      {s.title || 'Untitled story'}
                    </Link>{' '}
                    <span className="muted">{STATUS_LABEL[s.status]}</span>
                  </li>
                ))}
              </ul>
            )}
            {!covered && (
              <Link
                to={newDraftPath(
                  q.competencies.map((c) => c.slug),
                  q.id,
                )}
                className="small"
                data-testid="write-for-question"
              >
                Write a story for this question
              </Link>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
