import { useCallback, useState } from 'react';
import { useQuery } from 'urql';

import '../account.css';
import { ChangePassword } from '../components/account/ChangePassword';
import { DeleteAccount } from '../components/account/DeleteAccount';
import { DownloadData } from '../components/account/DownloadData';
import { Sessions } from '../components/account/Sessions';
import { RequireAuth } from '../components/RequireAuth';
import { MySessionsDocument } from '../gql/accountPage';
import { MeDocument } from '../gql/accounts';

/** `/account`: the password, the sessions, the data export and deleting the account. */
export function AccountPage() {
  // Once the account is deleted the token goes at once, while the way home is
  // still being drawn: the page then shows nothing rather than the sign-in form.
  const [deleted, setDeleted] = useState(false);
  if (deleted) return null;
  return (
    <RequireAuth>
      <Account onDeleted={() => setDeleted(true)} />
    </RequireAuth>
  );
}

function Account({ onDeleted }: { onDeleted(): void }) {
  const [{ data: me }] = useQuery({ query: MeDocument });
  const [sessions, reexecute] = useQuery({ query: MySessionsDocument, requestPolicy: 'network-only' });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  return (
    <div className="account-page" data-testid="account-page">
      <h1>Your account</h1>
      {me?.me && (
        <p className="muted" data-testid="account-email">
          Signed in as {me.me.displayName} ({me.me.email}).
        </p>
      )}
      <ChangePassword onChanged={refresh} />
      <Sessions sessions={sessions} refresh={refresh} />
      <DownloadData />
      <DeleteAccount onDeleted={onDeleted} />
    </div>
  );
}
