import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useMutation } from 'urql';

import '../account.css';
import { sortErrors, type FormErrors } from '../components/account/fieldErrors';
import { FormField } from '../components/FormField';
import { apiErrors } from '../errors';
import { RequestPasswordResetDocument } from '../gql/passwordReset';

const FIELDS = ['email'] as const;
type Field = (typeof FIELDS)[number];

/** What the sign-in form hands over: the email typed there, if any. */
export interface ForgotPasswordState {
  email?: string;
}

/**
 * `/forgot-password`: asks for a mailed link to set a new password. The answer
 * is the same whether or not the email has an account, so nobody can use this
 * page to learn who has one.
 */
export function ForgotPasswordPage() {
  const location = useLocation();
  const [email, setEmail] = useState(() => (location.state as ForgotPasswordState | null)?.email ?? '');
  const [errors, setErrors] = useState<FormErrors<Field>>({ fields: {}, general: null });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [state, request] = useMutation(RequestPasswordResetDocument);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({ fields: {}, general: null });
    setSentTo(null);
    const address = email.trim();
    const result = await request({ email: address }, { skipAuthRedirect: true });
    if (result.data?.requestPasswordReset) {
      setSentTo(address);
      return;
    }
    const sorted = sortErrors(apiErrors(result.error), FIELDS);
    // FORBIDDEN here means the server has no way to send mail.
    if (apiErrors(result.error).some((e) => e.code === 'FORBIDDEN')) {
      sorted.general = 'This server cannot send email, so a password cannot be reset this way. Ask its administrator.';
    }
    setErrors(sorted);
  };

  return (
    <section className="auth-page card password-page">
      <h1>Forgot your password?</h1>
      <p>Give the email you signed up with, and we will send a link to set a new password.</p>
      <form onSubmit={onSubmit} noValidate>
        <FormField
          label="Email"
          type="email"
          testId="forgot-email"
          value={email}
          onChange={setEmail}
          error={errors.fields.email}
          autoComplete="email"
        />
        {errors.general && (
          <p className="alert alert-error" role="alert" data-testid="forgot-error">
            {errors.general}
          </p>
        )}
        {sentTo && (
          <p className="alert alert-info" role="status" data-testid="forgot-sent">
            If an account exists for {sentTo}, a link to reset its password is on its way. It works
            once, for a short while; check your spam folder if it does not arrive.
          </p>
        )}
        <button type="submit" className="button" data-testid="forgot-submit" disabled={state.fetching}>
          {state.fetching ? 'Sending…' : 'Send the link'}
        </button>
      </form>
      <p className="muted">
        Remembered it? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
