import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';

import { useAuth } from '../../auth';
import { apiErrors } from '../../errors';
import { DeleteAccountDocument } from '../../gql/accountPage';
import { FormField } from '../FormField';
import type { NoticeState } from '../FlashNotice';
import { sortErrors, type FormErrors } from './fieldErrors';

/** What the visitor types to show they mean it. */
export const CONFIRM_WORD = 'DELETE';

const FIELDS = ['password'] as const;
type Field = (typeof FIELDS)[number];

/**
 * "Delete my account": says what goes, asks for the word and the password, and
 * once the server has deleted it, forgets the session here and goes home
 * (`onDeleted` first, so the page can step aside).
 */
export function DeleteAccount({ onDeleted }: { onDeleted(): void }) {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors<Field>>({ fields: {}, general: null });
  const [state, remove] = useMutation(DeleteAccountDocument);
  const confirmed = confirm.trim() === CONFIRM_WORD;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    setErrors({ fields: {}, general: null });
    const result = await remove({ password });
    if (result.data?.deleteAccount) {
      const notice: NoticeState = {
        notice: 'Your account and everything in it are deleted. You are signed out.',
      };
      // The router draws the home page in a transition, after the sign-out:
      // `onDeleted` keeps the page from sending the visitor to sign in meanwhile.
      onDeleted();
      signOut();
      navigate('/', { replace: true, state: notice });
    } else {
      setErrors(sortErrors(apiErrors(result.error), FIELDS));
    }
  };

  return (
    <section className="card account-section danger-zone" aria-labelledby="delete-title" data-testid="delete-account">
      <h2 id="delete-title">Delete your account</h2>
      <p>
        This deletes the account at once and for good, with everything it owns: every draft with its
        saved versions, your interviews and their plans, your practice attempts and feedback, the
        links you shared, the comments you wrote and your calendar feed. Nothing can be restored afterwards; download your
        data first if you want to keep it. Every device signed in to the account is signed out.
      </p>
      <form onSubmit={onSubmit} noValidate>
        <FormField
          label={`Type ${CONFIRM_WORD} to confirm`}
          testId="delete-confirm"
          value={confirm}
          onChange={setConfirm}
          autoComplete="off"
        />
        <FormField
          label="Your password"
          type="password"
          testId="delete-password"
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          autoComplete="current-password"
        />
        {errors.general && (
          <p className="alert alert-error" role="alert" data-testid="delete-error">
            {errors.general}
          </p>
        )}
        <button
          type="submit"
          className="button button-danger"
          data-testid="delete-submit"
          disabled={!confirmed || !password || state.fetching}
        >
          {state.fetching ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  );
}
