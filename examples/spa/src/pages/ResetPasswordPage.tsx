import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';

import '../account.css';
import { sortErrors, type FormErrors } from '../components/account/fieldErrors';
import type { NoticeState } from '../components/FlashNotice';
import { FormField, NEW_PASSWORD_HINT } from '../components/FormField';
import { useAuth } from '../auth';
import { apiErrors } from '../errors';
import { ResetPasswordDocument } from '../gql/passwordReset';

const FIELDS = ['secret', 'new'] as const;
type Field = (typeof FIELDS)[number];

/** The secret of a mailed link, `#secret=...`; null when the address has none. */
function secretFromHash(hash: string): string | null {
  const secret = new URLSearchParams(hash.replace(/^#/, '')).get('secret');
  return secret ? secret : null;
}

/**
 * `/reset-password#secret=...`, the page a reset mail links to: a new password,
 * typed twice. The secret is read once and taken out of the address bar, so it
 * stays in neither the history nor a bookmark.
 */
export function ResetPasswordPage() {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const [secret] = useState(() => secretFromHash(window.location.hash));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [errors, setErrors] = useState<FormErrors<Field>>({ fields: {}, general: null });
  const [state, reset] = useMutation(ResetPasswordDocument);

  useEffect(() => {
    if (window.location.hash) {
      // The router's own state stays; only the fragment goes.
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    }
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!secret) return;
    setErrors({ fields: {}, general: null });
    const differ = password !== again;
    setMismatch(differ);
    if (differ) return;
    const result = await reset({ secret, new: password }, { skipAuthRedirect: true });
    if (result.data?.resetPassword) {
      // Every session of the account ended, this browser's too if it had one.
      // Signed out first: the sign-in page sends a signed-in visitor on.
      signOut();
      const notice: NoticeState = {
        notice: 'Your password is changed, and every device was signed out. Sign in with the new password.',
      };
      navigate('/signin', { replace: true, state: notice });
    } else {
      setErrors(sortErrors(apiErrors(result.error), FIELDS));
    }
  };

  const invalid = !secret || errors.fields.secret;
  return (
    <section className="auth-page card password-page" data-testid="reset-page">
      <h1>Set a new password</h1>
      {invalid ? (
        <div className="alert alert-error" role="alert" data-testid="reset-invalid">
          <p>
            {secret
              ? 'This link does not work any more: it was already used, or it is too old.'
              : 'This address has no reset link in it. Open the link from the email as it is.'}
          </p>
          <p>
            <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <FormField
            label="New password"
            type="password"
            testId="reset-password"
            value={password}
            onChange={setPassword}
            error={errors.fields.new}
            hint={NEW_PASSWORD_HINT}
            autoComplete="new-password"
          />
          <FormField
            label="New password, again"
            type="password"
            testId="reset-password-again"
            value={again}
            onChange={setAgain}
            error={mismatch ? 'is not the same as the first one' : null}
            autoComplete="new-password"
          />
          {errors.general && (
            <p className="alert alert-error" role="alert" data-testid="reset-error">
              {errors.general}
            </p>
          )}
          <button type="submit" className="button" data-testid="reset-submit" disabled={state.fetching}>
            {state.fetching ? 'Saving…' : 'Set the new password'}
          </button>
        </form>
      )}
    </section>
  );
}
