/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The GraphQL endpoint over HTTP; `/graphql` (same origin) when unset. */
  readonly VITE_GRAPHQL_URL?: string;
  /** The GraphQL WebSocket endpoint; derived from the HTTP one when unset. */
  readonly VITE_GRAPHQL_WS_URL?: string;
  /** Milliseconds after typing stops before the editor saves (default 1200). */
  readonly VITE_AUTOSAVE_DELAY_MS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
