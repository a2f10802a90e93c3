// Following the viewer's interviews live: one subscription to myInterviewEvents,
// started from the newest change the page has shown, so that a change between
// the page's read and its subscription is sent first.

import { useRef } from 'react';

import { MyInterviewEventsDocument, type MyInterviewEventsSubscription } from '../gql/interviews';
import { EPOCH, type Live, useLiveSubscription } from '../live';

export type InterviewEvent = MyInterviewEventsSubscription['myInterviewEvents'];

/**
 * Calls `onEvent` with every change to the viewer's interviews that is newer than
 * what the page has seen; `newest()` gives the newest `updatedAt` the page shows.
 */
export function useInterviewEvents(
  enabled: boolean,
  newest: () => string | null,
  onEvent: (event: InterviewEvent) => void,
): Live {
  const versions = useRef(new Map<string, number>());
  return useLiveSubscription(
    MyInterviewEventsDocument,
    enabled,
    () => ({ since: newest() ?? EPOCH }),
    (result) => {
      const event = result.data?.myInterviewEvents;
      if (!event) return;
      const known = versions.current.get(event.interviewId) ?? 0;
      if (event.kind !== 'DELETED' && event.version <= known) return;
      versions.current.set(event.interviewId, event.version);
      onEvent(event);
    },
  );
}
