// The subscription socket's state, as a tiny store React reads with
// useSyncExternalStore, the hook the pages subscribe with, and the hook that
// reloads a page's query when such a subscription says something changed.
//
// `connections` counts acknowledged connections. graphql-ws resends every open
// subscription after a reconnect, but with the variables it was started with; the
// hook below starts its subscription anew whenever the socket drops, so what is sent
// on the next connection says what the page knows by then (its newest version or
// time), and the server's catch-up starts from there.

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { AnyVariables, OperationResult, TypedDocumentNode } from '@urql/core';
import { useClient, type UseQueryExecute } from 'urql';

/** What a subscription's `since` is when the page has loaded nothing: every change is news. */
export const EPOCH = '1970-01-01T00:00:00Z';

export type SocketState = 'idle' | 'connecting' | 'connected' | 'closed';

export interface LiveSnapshot {
  state: SocketState;
  connections: number;
}

let snapshot: LiveSnapshot = { state: 'idle', connections: 0 };
const listeners = new Set<() => void>();

export function setSocketState(state: SocketState): void {
  if (state === snapshot.state && state !== 'connected') return;
  snapshot = {
    state,
    connections: state === 'connected' ? snapshot.connections + 1 : snapshot.connections,
  };
  for (const listener of listeners) listener();
}

function subscribeLive(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function getLiveSnapshot(): LiveSnapshot {
  return snapshot;
}

/** The connection a subscription started now is sent on: the open one, else the next. */
function connectionFor(s: LiveSnapshot): number {
  return s.state === 'connected' ? s.connections : s.connections + 1;
}

export interface Live {
  /** The socket is connected and this subscription was sent on it (and has not failed). */
  live: boolean;
  socket: SocketState;
}

/**
 * One subscription to `query` while `enabled`, with the variables `variables()` gives
 * when it starts. It is started again (calling `variables()` again) only after the
 * socket dropped, never because the page's state changed: pass the latest known
 * version or time through a ref, and a keystroke does not resubscribe.
 *
 * `onResult` gets every result; the latest function passed is called. `query` is a
 * generated `...SubscriptionDocument`, which types the variables and the results.
 */
export function useLiveSubscription<Data, Vars extends AnyVariables>(
  query: TypedDocumentNode<Data, Vars>,
  enabled: boolean,
  variables: () => Vars,
  onResult: (result: OperationResult<Data, Vars>) => void,
): Live {
  const client = useClient();
  const socket = useSyncExternalStore(subscribeLive, getLiveSnapshot);
  const connection = connectionFor(socket);
  const latest = useRef({ variables, onResult });
  latest.current = { variables, onResult };
  // The connection the open subscription was sent on, and whether it failed.
  const [sent, setSent] = useState<{ connection: number; failed: boolean } | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let open = true;
    const { unsubscribe } = client
      .subscription<Data, Vars>(query, latest.current.variables())
      .subscribe((result) => {
        if (!open) return;
        if (result.error) setSent({ connection, failed: true });
        latest.current.onResult(result);
      });
    setSent({ connection, failed: false });
    return () => {
      open = false;
      unsubscribe();
      setSent(null);
    };
  }, [client, query, enabled, connection]);

  const live =
    enabled &&
    socket.state === 'connected' &&
    sent !== null &&
    sent.connection === socket.connections &&
    !sent.failed;
  return { live, socket: socket.state };
}

/**
 * Reloads a page's query (from the network) after a live change: returns `changed`,
 * to call from a subscription's `onResult` whenever an event is news to the page.
 * However many events arrive before the page renders again, the query is asked
 * again once. `reexecute` is the second item `useQuery` returns.
 */
export function useReloadOnLiveChange(reexecute: UseQueryExecute): () => void {
  // Changes heard so far, and how many of them the last reload was for.
  const [changes, setChanges] = useState(0);
  const reloadedFor = useRef(0);
  useEffect(() => {
    if (changes === reloadedFor.current) return;
    reloadedFor.current = changes;
    reexecute({ requestPolicy: 'network-only' });
  }, [changes, reexecute]);
  return useCallback(() => setChanges((n) => n + 1), []);
}
