import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';

import { apiErrors } from '../../errors';
import { ChangePasswordDocument } from '../../gql/accountPage';
import { FormField, NEW_PASSWORD_HINT } from '../FormField';
import { sortErrors, type FormErrors } from './fieldErrors';

const FIELDS = ['current', 'new'] as const;
type Field = (typeof FIELDS)[number];

/** The current password and a new one; the server ends every other session on success. */
export function ChangePassword({ onChanged }: { onChanged(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<FormErrors<Field>>({ fields: {}, general: null });
  const [done, setDone] = useState(false);
  const [state, change] = useMutation(ChangePasswordDocument);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setErrors({ fields: {}, general: null });
    const result = await change({ current, new: next });
    if (result.data?.changePassword) {
      setCurrent('');
      setNext('');
      setDone(true);
      onChanged();
    } else {
      setErrors(sortErrors(apiErrors(result.error), FIELDS));
    }
  };

  return (
    <section className="card account-section" aria-labelledby="change-password-title" data-testid="change-password">
      <h2 id="change-password-title">Change your password</h2>
      <form onSubmit={onSubmit} noValidate>
        <FormField
          label="Current password"
          type="password"
          testId="current-password"
          value={current}
          onChange={setCurrent}
          error={errors.fields.current}
          autoComplete="current-password"
        />
        <FormField
          label="New password"
          type="password"
          testId="new-password"
          value={next}
          onChange={setNext}
          error={errors.fields.new}
          hint={NEW_PASSWORD_HINT}
          autoComplete="new-password"
        />
        {errors.general && (
          <p className="alert alert-error" role="alert" data-testid="change-password-error">
            {errors.general}
          </p>
        )}
        {done && (
          <p className="alert alert-info" role="status" data-testid="change-password-done">
            Your password is changed. Every other device that was signed in to this account has been
            signed out; this one stays signed in.
          </p>
        )}
        <button type="submit" className="button" data-testid="change-password-submit" disabled={state.fetching}>
          {state.fetching ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
