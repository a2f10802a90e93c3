import { useId } from 'react';

/**
 * A labelled input with an optional hint and an error said beside it (the
 * label, then what is wrong: "New password must be at least 10 characters long").
 */
export function FormField(props: {
  label: string;
  testId: string;
  value: string;
  onChange(value: string): void;
  type?: string;
  error?: string | null | undefined;
  hint?: string | undefined;
  autoComplete?: string;
}) {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      <input
        id={id}
        type={props.type ?? 'text'}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
        required
      />
      {props.error && (
        <p id={`${id}-error`} className="field-error" data-testid={`${props.testId}-error`}>
          {props.label} {props.error}
        </p>
      )}
    </div>
  );
}

/** What the server asks of a new password (it checks, and says what is wrong beside the field). */
export const NEW_PASSWORD_HINT = 'At least 10 characters.';
