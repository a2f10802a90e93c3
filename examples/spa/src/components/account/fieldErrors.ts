import { describeApiError, fieldMessage, type ApiError } from '../../errors';

/** A form's errors sorted out: those about its own fields, and the rest as sentences. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  general: string | null;
}

/**
 * Splits API errors between the form's `fields` (BAD_USER_INPUT naming one of
 * them, said beside it) and one general message for everything else.
 */
export function sortErrors<F extends string>(errors: ApiError[], fields: readonly F[]): FormErrors<F> {
  const out: FormErrors<F> = { fields: {}, general: null };
  const general: string[] = [];
  for (const e of errors) {
    const field = e.extensions.field as F | undefined;
    if (e.code === 'BAD_USER_INPUT' && field && fields.includes(field)) {
      out.fields[field] = fieldMessage(e);
    } else {
      general.push(describeApiError(e));
    }
  }
  out.general = general.length ? general.join(' ') : null;
  return out;
}
