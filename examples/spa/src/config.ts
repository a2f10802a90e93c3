/** Where the API lives. Same origin by default: the server serves this app's build. */
export const httpUrl: string = import.meta.env.VITE_GRAPHQL_URL ?? '/graphql';

/** The WebSocket URL for subscriptions: the HTTP one with ws(s), unless set on its own. */
export const wsUrl: string = import.meta.env.VITE_GRAPHQL_WS_URL ?? deriveWsUrl(httpUrl);

export function deriveWsUrl(http: string, base: string = window.location.href): string {
  // A relative URL is resolved against the page, so '/graphql' follows the page's host.
  const url = new URL(http, base);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  return url.toString();
}

/** Roles per page on the list. */
export const ROLES_PAGE_SIZE = 10;
/** Drafts per page on "My drafts". */
export const DRAFTS_PAGE_SIZE = 10;
/** How many days the agenda shows (and the interviews page's link to it says). */
export const AGENDA_DAYS = 14;

/** Milliseconds after typing stops before the draft editor saves by itself. */
export const AUTOSAVE_DELAY_MS = Number(import.meta.env.VITE_AUTOSAVE_DELAY_MS ?? 1200);
/** Milliseconds between attempts to save while the server cannot be reached. */
export const AUTOSAVE_RETRY_MS = 3000;
/**
 * localStorage key overriding the autosave delay in this browser: a number of
 * milliseconds, or `off` to save only with the Save button or Ctrl+S.
 */
export const AUTOSAVE_KEY = 'prep.autosave';

/** The autosave delay in this browser, or null when autosave is off. */
export function autosaveDelay(): number | null {
  const set = window.localStorage.getItem(AUTOSAVE_KEY);
  if (set === 'off') return null;
  const ms = set === null ? NaN : Number(set);
  return Number.isFinite(ms) && ms >= 0 ? ms : AUTOSAVE_DELAY_MS;
}
