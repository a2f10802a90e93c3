import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';

import { safeNext, useAuth, type SignInReason } from '../auth';
import { FormField, NEW_PASSWORD_HINT } from '../components/FormField';
import { apiErrors, describeApiError, fieldMessage, type ApiError } from '../errors';
import { LoginDocument, RegisterDocument } from '../gql/accounts';

type Mode = 'signin' | 'signup';
type Field = 'email' | 'password' | 'displayName';

/** Sign-in and sign-up forms; both return to `?next=` afterwards. */
export function AuthPage({ mode }: { mode: Mode }) {
  const { token, signIn, signInReason, acknowledge } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  // Why the visitor is here, if the app sent them: kept for this visit of the page.
  const [reason] = useState<SignInReason | null>(
    () => (location.state as { reason?: SignInReason } | null)?.reason ?? signInReason,
  );
  useEffect(() => acknowledge(), [acknowledge]);

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const [registerState, register] = useMutation(RegisterDocument);
  const [loginState, login] = useMutation(LoginDocument);
  const busy = registerState.fetching || loginState.fetching;

  // A fresh form when switching between the two pages.
  useEffect(() => {
    setFieldErrors({});
    setFormError(null);
  }, [mode]);

  // Already signed in (say, in another tab): nothing to do here.
  if (token && !done) return <Navigate to={next} replace />;

  const showErrors = (errors: ApiError[]) => {
    const byField: Partial<Record<Field, string>> = {};
    const general: string[] = [];
    for (const e of errors) {
      const field = e.extensions.field;
      if (e.code === 'BAD_USER_INPUT' && (field === 'email' || field === 'password' || field === 'displayName')) {
        byField[field] = fieldMessage(e);
      } else if (e.code === 'UNAUTHENTICATED' && mode === 'signin') {
        general.push('Invalid email or password.');
      } else {
        general.push(describeApiError(e));
      }
    }
    setFieldErrors(byField);
    setFormError(general.length ? general.join(' ') : null);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    // No checks of its own: the server reports every bad field at once, each shown beside it.
    setFieldErrors({});

    const context = { skipAuthRedirect: true };
    const result =
      mode === 'signup'
        ? await register({ input: { email: email.trim(), password, displayName: displayName.trim() } }, context)
        : await login({ input: { email: email.trim(), password } }, context);
    const payload =
      result.data && ('register' in result.data ? result.data.register : result.data.login);
    if (payload) {
      setDone(true);
      signIn(payload.token);
      navigate(next, { replace: true });
    } else {
      showErrors(apiErrors(result.error));
    }
  };

  const other = mode === 'signin' ? 'signup' : 'signin';
  const otherLink = `/${other}${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`;

  return (
    <section className="auth-page card">
      <h1>{mode === 'signin' ? 'Sign in' : 'Create your account'}</h1>
      {reason === 'expired' && (
        <p className="alert alert-info" role="status" data-testid="signin-reason" data-reason="expired">
          Your session has ended. Please sign in again.
        </p>
      )}
      {reason === 'required' && next !== '/' && (
        <p className="alert alert-info" role="status" data-testid="signin-reason" data-reason="required">
          Sign in (or create an account) to continue.
        </p>
      )}
      <form onSubmit={onSubmit} noValidate>
        {mode === 'signup' && (
          <FormField
            label="Your name"
            testId="signup-name"
            value={displayName}
            onChange={setDisplayName}
            error={fieldErrors.displayName}
            autoComplete="name"
          />
        )}
        <FormField
          label="Email"
          type="email"
          testId={`${mode}-email`}
          value={email}
          onChange={setEmail}
          error={fieldErrors.email}
          autoComplete="email"
        />
        <FormField
          label="Password"
          type="password"
          testId={`${mode}-password`}
          value={password}
          onChange={setPassword}
          error={fieldErrors.password}
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          hint={mode === 'signup' ? NEW_PASSWORD_HINT : undefined}
        />
        {mode === 'signin' && (
          <p>
            <Link to="/forgot-password" state={{ email: email.trim() }} data-testid="forgot-password-link">
              Forgot password?
            </Link>
          </p>
        )}
        {formError && (
          <p className="alert alert-error" role="alert" data-testid="auth-error">
            {formError}
          </p>
        )}
        <button type="submit" className="button" data-testid={`${mode}-submit`} disabled={busy}>
          {busy ? 'Please wait…' : mode === 'signin' ? 'Sign in' : 'Sign up'}
        </button>
      </form>
      <p className="muted">
        {mode === 'signin' ? 'New here? ' : 'Already have an account? '}
        <Link to={otherLink}>{mode === 'signin' ? 'Create an account' : 'Sign in'}</Link>
      </p>
    </section>
  );
}
