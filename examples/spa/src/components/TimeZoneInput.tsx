// A time zone picked by name from the IANA zones this browser knows: an input with a
// suggestion list (`<datalist>`), searchable by typing any part of a name.

import { useId } from 'react';

let zones: readonly string[] | null = null;

/** The IANA time zones this browser knows, sorted (read once). */
export function timeZones(): readonly string[] {
  if (zones) return zones;
  let known: string[] = [];
  try {
    known = Intl.supportedValuesOf('timeZone');
  } catch {
    // An older browser: the zone is then checked by the server alone.
  }
  // Some browsers list UTC only under its aliases; it is the one most people look for.
  zones = [...new Set([...known, 'UTC'])].sort();
  return zones;
}

/** The browser's own zone, the default for a new interview. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The zone of the list that `name` names (any letter case, surrounding spaces
 * ignored), or null when it names none.
 */
export function knownZone(name: string): string | null {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return null;
  const list = timeZones();
  // Without the browser's list (very old browsers) any name goes on to the server.
  if (list.length <= 1) return name.trim();
  return list.find((z) => z.toLowerCase() === wanted) ?? null;
}

/** What a form says when the zone typed is not one of the list. */
export const UNKNOWN_ZONE = 'Choose a time zone from the list, for example Europe/London.';

export function TimeZoneInput({
  value,
  onChange,
  testId,
  label = 'Time zone',
}: {
  value: string;
  onChange: (zone: string) => void;
  testId: string;
  label?: string;
}) {
  const id = useId();
  return (
    <label>
      {label}
      <input
        data-testid={testId}
        list={`${id}-zones`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        placeholder="Type a city, e.g. London"
        required
      />
      <datalist id={`${id}-zones`} data-testid={`${testId}-options`}>
        {timeZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </label>
  );
}
