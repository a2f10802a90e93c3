import type { CombinedError } from '@urql/core';

/** The `extensions` the API puts on its errors. */
export interface ApiErrorExtensions {
  code?: string;
  field?: string;
  currentVersion?: number;
  retryAfterSeconds?: number;
  errorId?: string;
}

export interface ApiError {
  code: string;
  message: string;
  extensions: ApiErrorExtensions;
}

/** The API errors in a urql error, first the GraphQL ones; a transport fault becomes NETWORK. */
export function apiErrors(error: CombinedError | undefined | null): ApiError[] {
  if (!error) return [];
  const out: ApiError[] = error.graphQLErrors.map((e) => {
    const extensions = (e.extensions ?? {}) as ApiErrorExtensions;
    return { code: extensions.code ?? 'UNKNOWN', message: e.message, extensions };
  });
  if (out.length === 0 && error.networkError) {
    out.push({ code: 'NETWORK', message: error.networkError.message, extensions: {} });
  }
  if (out.length === 0) out.push({ code: 'UNKNOWN', message: error.message, extensions: {} });
  return out;
}

export function firstApiError(error: CombinedError | undefined | null): ApiError | null {
  return apiErrors(error)[0] ?? null;
}

export function hasCode(error: CombinedError | undefined | null, code: string): boolean {
  return apiErrors(error).some((e) => e.code === code);
}

/**
 * The server writes a bad argument as `field: what is wrong`; this is the part after
 * the field, to show beside that field.
 */
export function fieldMessage(e: ApiError): string {
  const field = e.extensions.field;
  if (field && e.message.startsWith(`${field}: `)) return e.message.slice(field.length + 2);
  return e.message;
}

/** A sentence for a person, by error code. */
export function describeApiError(e: ApiError): string {
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Please sign in again.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that.';
    case 'NOT_FOUND':
      return 'That no longer exists, or it is not yours.';
    case 'BAD_USER_INPUT':
      return e.extensions.field ? `${e.extensions.field}: ${fieldMessage(e)}` : e.message;
    case 'VERSION_CONFLICT':
      return `This was changed elsewhere (the current version is ${e.extensions.currentVersion ?? '?'}).`;
    case 'RATE_LIMITED': {
      const s = e.extensions.retryAfterSeconds;
      return s != null
        ? `Too many attempts. Try again in ${formatWait(s)}.`
        : 'Too many attempts. Try again later.';
    }
    case 'INTERNAL_SERVER_ERROR':
      return e.extensions.errorId
        ? `Something went wrong on the server (error id ${e.extensions.errorId}).`
        : 'Something went wrong on the server.';
    case 'SERVICE_UNAVAILABLE':
    case 'TIMEOUT':
      return 'The service is busy or unavailable right now. Please retry in a moment.';
    case 'NETWORK':
      return 'Cannot reach the server. Check your connection and retry.';
    default:
      return e.message || 'Something went wrong.';
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
