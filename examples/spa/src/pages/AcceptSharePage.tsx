import { useEffect, useRef } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { AcceptShareDocument } from '../gql/sharing';

/** `/shared/:secret`: signs in first if needed, accepts the share, opens what it covers. */
export function AcceptSharePage() {
  return (
    <RequireAuth>
      <AcceptShare />
    </RequireAuth>
  );
}

function AcceptShare() {
  const { secret = '' } = useParams();
  const navigate = useNavigate();
  const [state, accept] = useMutation(AcceptShareDocument);
  // Once per secret: React's development double effects must not accept twice
  // (harmless on the server, but a second navigation would be).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (sent.current === secret) return;
    sent.current = secret;
    void accept({ secret }).then((result) => {
      const grant = result.data?.acceptShare;
      if (!grant) return;
      const to =
        grant.targetKind === 'DRAFT' && grant.draft
          ? `/shared/drafts/${encodeURIComponent(grant.draft.id)}`
          : grant.targetKind === 'INTERVIEW' && grant.interview
            ? `/shared/interviews/${encodeURIComponent(grant.interview.id)}`
            : '/shared';
      navigate(to, { replace: true });
    });
  }, [secret, accept, navigate]);
  return (
    <section data-testid="accept-share">
      <h1>Opening a shared link</h1>
      {state.error ? (
        <>
          <ErrorMessage error={state.error} />
          <p>
            The link may have been revoked or have expired; ask whoever sent it for a new one.{' '}
            <Link to="/shared">What is shared with you</Link>
          </p>
        </>
      ) : (
        <Loading what="Accepting the share" />
      )}
    </section>
  );
}
