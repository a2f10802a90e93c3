import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { AGENDA_DAYS } from '../config';
import { STAGE_LABEL, formatInZone } from '../format';
import { MeDocument } from '../gql/accounts';
import { MyInterviewsDocument, RotateCalendarTokenDocument } from '../gql/interviews';
import { useReloadOnLiveChange } from '../live';
import { useInterviewEvents } from './interviewLive';

export function InterviewsPage() {
  return (
    <RequireAuth>
      <InterviewList />
      <CalendarFeed />
    </RequireAuth>
  );
}

function InterviewList() {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MyInterviewsDocument,
    variables: { first: 50, upcoming: true },
    requestPolicy: 'cache-and-network',
  });
  const newest = useRef<string | null>(null);
  useEffect(() => {
    for (const { node } of data?.myInterviews.edges ?? []) {
      if (newest.current === null || Date.parse(node.updatedAt) > Date.parse(newest.current)) newest.current = node.updatedAt;
    }
  }, [data]);
  const changed = useReloadOnLiveChange(reexecute);
  const { live } = useInterviewEvents(data !== undefined, () => newest.current, changed);

  const list = data?.myInterviews;
  return (
    <section className="interviews-page">
      <div className="title-row">
        <h1>Upcoming interviews</h1>
        <Link to="/agenda" className="button">
          Next {AGENDA_DAYS} days
        </Link>
      </div>
      <p className="muted small" data-testid="live-state" data-live={live ? 'true' : 'false'}>
        {live ? 'Live: changes made in other tabs appear here.' : 'Connecting for live updates…'}
      </p>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {!list && fetching && <Loading what="Loading your interviews" />}
      {list &&
        (list.edges.length === 0 ? (
          <p className="empty">No interviews yet. Open a role and press “Schedule an interview”.</p>
        ) : (
          <ul className="draft-list" data-testid="interview-list">
            {list.edges.map(({ node }) => (
              <li key={node.id} className="card draft-card" data-testid="interview-list-item" data-interview-id={node.id}>
                <h2>
                  <Link to={`/interviews/${encodeURIComponent(node.id)}`}>
                    {node.company}: {STAGE_LABEL[node.stage]}
                  </Link>
                </h2>
                <p className="meta small">
                  <span>{node.role.title}</span>
                  <span>
                    {formatInZone(node.scheduledAt, node.timeZone)} ({node.timeZone})
                  </span>
                  <span data-testid="interview-list-progress">
                    {node.plan.filter((t) => t.done).length} of {node.plan.length} done
                  </span>
                </p>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/** Where this device keeps the feed's address of the account `id`: the server keeps only a hash of it. */
const feedKey = (id: string) => `prep.calendar-feed.${id}`;

/**
 * The secret feed URL: kept on this device when made and shown on demand, with
 * `webcal:`, Google and Apple links; a new one is made only after a confirmation
 * that says what it breaks (every calendar subscribed to the old one).
 */
function CalendarFeed() {
  const [me] = useQuery({ query: MeDocument });
  const account = me.data?.me?.id ?? null;
  const [result, rotate] = useMutation(RotateCalendarTokenDocument);
  const [url, setUrl] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (account) setUrl(localStorage.getItem(feedKey(account)));
  }, [account]);
  const onRotate = async () => {
    const question = url
      ? 'Make a new address? Every calendar subscribed to the current one stops updating, and must be subscribed again with the new one.'
      : 'Make a calendar address? If you made one before (on another device), calendars subscribed to it stop updating.';
    if (!window.confirm(question)) return;
    const done = await rotate({});
    const path = done.data?.rotateCalendarToken;
    if (path) {
      const made = new URL(path, window.location.origin).toString();
      setUrl(made);
      if (account) localStorage.setItem(feedKey(account), made);
      setShown(true);
      setCopied(false);
    }
  };
  const onCopy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const webcal = url ? url.replace(/^https?:/, 'webcal:') : null;
  return (
    <section className="section card" data-testid="calendar-feed">
      <h2>In your calendar</h2>
      <p className="muted">
        Subscribe to your address in your calendar app to see your interviews and
        your plan&apos;s tasks. Anyone with the address can read it, so it is hidden until you ask; this device keeps
        it for you.
      </p>
      {url && !shown && (
        <button type="button" className="button button-secondary" onClick={() => setShown(true)} data-testid="calendar-feed-show">
          Show the address
        </button>
      )}
      {url && shown && webcal && (
        <>
          <p className="inline-form">
            <input readOnly value={url} data-testid="calendar-feed-url" aria-label="Calendar feed address" />
            <button type="button" className="button button-small" onClick={onCopy} data-testid="calendar-feed-copy">
              {copied ? 'Copied' : 'Copy'}
            </button>
          </p>
          <p className="calendar-links">
            <a href={webcal} data-testid="calendar-feed-webcal">
              Open in your calendar app (Apple Calendar, Outlook)
            </a>{' '}
            ·{' '}
            <a
              href={`https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="calendar-feed-google"
            >
              Add to Google Calendar
            </a>
          </p>
        </>
      )}
      <p>
        <button type="button" className="button" onClick={onRotate} disabled={result.fetching || !account} data-testid="calendar-feed-rotate">
          {url ? 'Make a new address…' : 'Make a calendar address'}
        </button>
      </p>
      <ErrorMessage error={result.error} />
    </section>
  );
}
