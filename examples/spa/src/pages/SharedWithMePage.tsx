import { Link } from 'react-router';
import { useQuery } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { SharedWithMeDocument, type SharedWithMeQuery } from '../gql/sharing';
import '../sharing.css';

type Grant = SharedWithMeQuery['sharedWithMe'][number];

/** `/shared`: what others shared with the viewer and is still live. */
export function SharedWithMePage() {
  return (
    <RequireAuth>
      <SharedWithMe />
    </RequireAuth>
  );
}

function What({ grant }: { grant: Grant }) {
  if (grant.targetKind === 'DRAFT' && grant.draft) {
    return <Link to={`/shared/drafts/${encodeURIComponent(grant.draft.id)}`}>Draft: {grant.draft.title || 'Untitled draft'}</Link>;
  }
  if (grant.targetKind === 'INTERVIEW' && grant.interview) {
    return (
      <Link to={`/shared/interviews/${encodeURIComponent(grant.interview.id)}`}>
        Interview: {grant.interview.company} ({grant.interview.role.title})
      </Link>
    );
  }
  const drafts = grant.drafts?.edges ?? [];
  return (
    <>
      Story bank
      {drafts.length > 0 && (
        <ul>
          {drafts.map(({ node }) => (
            <li key={node.id}>
              <Link to={`/shared/drafts/${encodeURIComponent(node.id)}`}>{node.title || 'Untitled draft'}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function SharedWithMe() {
  const [{ data, error, fetching }, reexecute] = useQuery({ query: SharedWithMeDocument, requestPolicy: 'network-only' });
  const grants = data?.sharedWithMe ?? [];
  return (
    <section data-testid="shared-with-me">
      <h1>Shared with me</h1>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <Loading />
      ) : grants.length === 0 ? (
        <p className="muted" data-testid="shared-empty">
          Nothing is shared with you. When someone sends you a link, open it to see what they shared here.
        </p>
      ) : (
        <table className="shared-table">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">What</th>
              <th scope="col">Access</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} data-testid="grant-row">
                <td>
                  {g.ownerName}
                  {g.note && <div className="small muted">“{g.note}”</div>}
                </td>
                <td>
                  <What grant={g} />
                </td>
                <td>{g.access === 'COMMENTER' ? 'Read and comment' : 'Read only'}</td>
                <td>
                  {formatDateTime(g.since)}
                  {g.expiresAt && <div className="small muted">until {formatDateTime(g.expiresAt)}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
