import type { CombinedError } from '@urql/core';

import { apiErrors, describeApiError } from '../errors';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** The errors of a failed request, each as a sentence, with an optional retry. */
export function ErrorMessage({
  error,
  onRetry,
}: {
  error: CombinedError | undefined;
  onRetry?: () => void;
}) {
  if (!error) return null;
  const errors = apiErrors(error);
  return (
    <div className="alert alert-error" role="alert" data-testid="error">
      {errors.map((e, i) => (
        <p key={i} data-code={e.code}>
          {describeApiError(e)}
        </p>
      ))}
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
