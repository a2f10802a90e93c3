import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
  type CombinedError,
} from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

import { httpUrl, wsUrl } from './config';
import { hasCode } from './errors';
import { setSocketState } from './live';
import { prefetchingFetch } from './prefetch';

/** WebSocket close code the server uses for a rejected, revoked or expired token. */
const CLOSE_FORBIDDEN = 4403;

export interface ApiClient {
  client: Client;
  /** Closes the subscription socket; a later subscription opens a new one. */
  dispose(): void;
}

/**
 * The hex SHA-256 of a document, as Apollo's automatic persisted queries name it.
 * Web Crypto exists only in secure contexts (https, localhost); elsewhere the empty
 * hash tells the persisted exchange to send the query as before (a POST).
 */
async function documentHash(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return '';
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/**
 * A urql client signed in with `token` (or anonymous when null). The app makes a
 * new one whenever the token changes, so no cached answer or open socket of one
 * session is seen by the next.
 *
 * `onUnauthenticated` is called when the server rejects the token: an
 * UNAUTHENTICATED error over HTTP or the socket closed with 4403.
 */
export function makeApiClient(token: string | null, onUnauthenticated: () => void): ApiClient {
  let ws: WsClient | null = null;

  const socket = (): WsClient => {
    if (ws) return ws;
    // Events of a socket that was disposed since (a newer session took over) are ignored.
    const current = (): boolean => ws === created;
    const created: WsClient = createWsClient({
      url: wsUrl,
      lazy: true,
      lazyCloseTimeout: 3000,
      keepAlive: 20_000,
      retryAttempts: 30,
      connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
      shouldRetry: (e) => !(isCloseEvent(e) && e.code === CLOSE_FORBIDDEN),
      on: {
        connecting: () => current() && setSocketState('connecting'),
        connected: () => current() && setSocketState('connected'),
        closed: (event) => {
          if (!current()) return;
          setSocketState('closed');
          if (isCloseEvent(event) && event.code === CLOSE_FORBIDDEN) onUnauthenticated();
        },
      },
    });
    ws = created;
    return created;
  };

  const client = new Client({
    url: httpUrl,
    // A function, so every request reads the token this client was made for.
    fetchOptions: () => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    requestPolicy: 'cache-and-network',
    // The role page's first answer may already be on its way (index.html's inline script).
    fetch: prefetchingFetch(token),
    exchanges: [
      mapExchange({
        onError(error: CombinedError, operation) {
          // Signing in with a wrong password is UNAUTHENTICATED too; its form says so.
          if (operation.context.skipAuthRedirect) return;
          if (hasCode(error, 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      cacheExchange,
      // Anonymous queries go out as GET naming the document by its hash (the query
      // text follows once if the server does not know it yet): the server answers a
      // GET of public content with an ETag and `Cache-Control: public`, so the
      // browser and any shared cache in front can keep it and revalidate with 304.
      // Signed-in clients keep POST: the server treats every request carrying
      // Authorization as private (`no-store`), so a GET would buy no caching, only
      // a longer URL and a possible extra round trip. Mutations stay POST.
      ...(token
        ? []
        : [persistedExchange({ preferGetForPersistedQueries: 'within-url-limit', generateHash: documentHash })]),
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = socket().subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
      fetchExchange,
    ],
  });

  return {
    client,
    dispose() {
      const old = ws;
      ws = null;
      // Disposing a socket that failed to connect rejects with its close event: nothing to do.
      if (old) Promise.resolve(old.dispose()).catch(() => undefined);
      setSocketState('idle');
    },
  };
}
