// The state of the subscription socket, as a tiny store React reads with
// useSyncExternalStore. `connections` counts acknowledged connections, so a
// component can reload what it shows after every (re)connect: events sent while
// the socket was down are not replayed by the server.

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

export function subscribeLive(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getLiveSnapshot(): LiveSnapshot {
  return snapshot;
}

/**
 * How long to wait after the socket is ready before reloading what a page shows, so
 * the page's subscribe message reaches the server first and no change falls between.
 */
export const SETTLE_MS = 100;
