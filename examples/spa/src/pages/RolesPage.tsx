import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { Pager } from '../components/Pager';
import { ErrorMessage, Loading } from '../components/Status';
import { ROLES_PAGE_SIZE } from '../config';
import { plural } from '../format';
import { RolesDocument, type RolesQueryVariables } from '../gql/roles';

const SEARCH_DELAY_MS = 300;

export function RolesPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const skill = params.get('skill');
  const after = params.get('after');
  const before = params.get('before');
  const [text, setText] = useState(search);
  // The last search this page put in the URL itself.
  const applied = useRef(search);

  // The box follows the URL when something else changed it (Back, Forward, a link),
  // never overwriting what is being typed after a search of our own.
  useEffect(() => {
    if (search !== applied.current) {
      applied.current = search;
      setText(search);
    }
  }, [search]);

  const applySearch = (value: string) => {
    applied.current = value;
    const next = new URLSearchParams();
    if (value) next.set('q', value);
    if (skill) next.set('skill', skill);
    // A new search starts at the first page.
    setParams(next, { replace: true });
  };

  // Search as the visitor types, once they pause.
  useEffect(() => {
    const value = text.trim();
    if (value === search) return;
    const timer = window.setTimeout(() => applySearch(value), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
    // applySearch reads only `skill` (listed) and the stable `setParams`.
  }, [text, search, skill]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    applySearch(text.trim());
  };

  const filters = { search: search || null, skill: skill || null };
  const variables: RolesQueryVariables = before
    ? { last: ROLES_PAGE_SIZE, before, ...filters }
    : { first: ROLES_PAGE_SIZE, after, ...filters };
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: RolesDocument,
    variables,
  });

  const page = (cursor: { after?: string; before?: string }) => {
    const next = new URLSearchParams();
    if (search) next.set('q', search);
    if (skill) next.set('skill', skill);
    if (cursor.after) next.set('after', cursor.after);
    if (cursor.before) next.set('before', cursor.before);
    setParams(next);
  };

  const roles = data?.roles;
  const info = roles?.pageInfo;
  // Going forward the server need not tell whether earlier pages exist (and the
  // other way round), but having come by a cursor we know they do.
  const hasPrevious = Boolean(info?.hasPreviousPage || after);
  const hasNext = Boolean(info?.hasNextPage || before);
  const previousCursor = hasPrevious ? info?.startCursor : null;
  const nextCursor = hasNext ? info?.endCursor : null;

  return (
    <section className="roles-page">
      <h1>Prepare for your interview</h1>
      <p className="lead">
        Pick a role: salaries, the skills interviewers look for, common questions, a plan and the
        mistakes to avoid.
      </p>

      <form className="search" role="search" onSubmit={onSubmit}>
        <label htmlFor="role-search" className="visually-hidden">
          Search roles
        </label>
        <input
          id="role-search"
          type="search"
          data-testid="role-search"
          placeholder="Search roles, e.g. backend"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>

      {skill && (
        <p className="filter-note">
          Roles that list the skill <strong>{skill}</strong>.{' '}
          <Link to={search ? `/?q=${encodeURIComponent(search)}` : '/'}>Show all roles</Link>
        </p>
      )}

      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {!roles && fetching && <Loading what="Loading roles" />}

      {roles && (
        <>
          <p className="result-count" aria-live="polite">
            <span data-testid="total-count">{roles.totalCount}</span>{' '}
            {roles.totalCount === 1 ? 'role' : 'roles'}
            {search ? ` matching “${search}”` : ''}
          </p>
          {roles.edges.length === 0 ? (
            <p className="empty" data-testid="role-list-empty">
              No role matches your search.
            </p>
          ) : (
            <ul className="role-list" data-testid="role-list">
              {roles.edges.map(({ node }) => (
                <li key={node.id} className="card role-card" data-testid="role-list-item">
                  <h2>
                    <Link to={`/roles/${encodeURIComponent(node.slug)}`}>{node.title}</Link>
                  </h2>
                  <p>{node.summary}</p>
                  {node.keySkills.length > 0 && (
                    <p className="muted small">
                      {plural(node.keySkills.length, 'key skill')}:{' '}
                      {node.keySkills.map((s) => s.name).join(', ')}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          )}
          <Pager
            label="Pages of roles"
            onPrevious={previousCursor ? () => page({ before: previousCursor }) : null}
            onNext={nextCursor ? () => page({ after: nextCursor }) : null}
          />
        </>
      )}
    </section>
  );
}
