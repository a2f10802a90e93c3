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
      return describeBadInput(e);
    case 'VERSION_CONFLICT':
      return 'This was changed elsewhere in the meantime: reload it to see the latest.';
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
      // A code this app does not know: its message is written for developers.
      return 'Something went wrong. Please retry in a moment.';
  }
}

/** What a field the server refused is, for people (the API's input field names). */
const FIELD_LABEL: Record<string, string> = {
  scheduledAt: 'The start time',
  timeZone: 'The time zone',
  durationMinutes: 'The length',
  durationSeconds: 'The length of the attempt',
  company: 'The company',
  notes: 'The notes',
  title: 'The title',
  situation: 'The situation',
  task: 'The task',
  action: 'The action',
  result: 'The result',
  transcript: 'The transcript',
  competencies: 'The competencies',
  questionId: 'The question',
  questionIds: 'The questions',
  dueOn: 'The due date',
  text: 'The text',
  note: 'The note',
  quote: 'The quoted text',
  email: 'The email address',
  password: 'The password',
  displayName: 'The name',
  expiresAt: 'The expiry date',
  from: 'The first day',
  days: 'The number of days',
};

/**
 * A refused input in plain words: what the field is and, when the server's reason is
 * one of the usual ones, what is wrong with it. Never the server's own wording, which
 * names API fields ("scheduledAt: is not in the future").
 */
function describeBadInput(e: ApiError): string {
  const field = e.extensions.field;
  const label = field ? FIELD_LABEL[field] : undefined;
  if (!label) return 'Something in the form was not accepted. Please check it and try again.';
  const why = fieldMessage(e).toLowerCase();
  if (field === 'scheduledAt' && why.includes('not in the future')) return 'Choose a start time that has not passed yet.';
  if (field === 'scheduledAt' && why.includes('days ahead')) return 'Choose a start time closer to today.';
  if (field === 'timeZone') return 'Choose a time zone from the list.';
  if (why.includes('empty') || why.includes('blank')) return `${label} is missing.`;
  if (why.includes('limit') || why.includes('too long')) return `${label} is too long.`;
  return `${label} was not accepted. Please check it and try again.`;
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
