import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { Pager } from '../components/Pager';
import { RequireAuth } from '../components/RequireAuth';
import { ShareDialog } from '../components/ShareDialog';
import { ErrorMessage, Loading } from '../components/Status';
import { DRAFTS_PAGE_SIZE } from '../config';
import { STATUS_LABEL, formatDateTime } from '../format';
import { MyStoriesDocument, type MyStoriesQuery } from '../gql/storyBank';

/** A story as the story bank lists it. */
type StoryListItem = MyStoriesQuery['myStarDrafts']['edges'][number]['node'];

/** `/stories`: the viewer's stories with the competencies they show and the questions they answer. */
export function StoryBankPage() {
  return (
    <RequireAuth>
      <StoryBank />
    </RequireAuth>
  );
}

function StoryBank() {
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MyStoriesDocument,
    variables: { first: DRAFTS_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  const stories = data?.myStarDrafts;
  const pageInfo = stories?.pageInfo;

  return (
    <section className="story-bank-page">
      <div className="title-row">
        <h1>Story bank</h1>
        <Link to="/drafts/new" className="button">
          New story
        </Link>
        <ShareDialog target={{ kind: 'STORY_BANK' }} />
      </div>
      <p className="muted">
        Aim for 8–10 stories between them covering leadership, conflict, an achievement, a failure,
        adaptability, teamwork and innovation, and do not tell the same one for every role.
      </p>
      <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      {!stories && fetching && <Loading what="Loading your stories" />}
      {stories && (
        <>
          <p className="result-count">
            <span data-testid="stories-total-count">{stories.totalCount}</span>{' '}
            {stories.totalCount === 1 ? 'story' : 'stories'}
          </p>
          {stories.edges.length === 0 ? (
            <p className="empty">No stories yet. Start one, or open a role and see its gaps.</p>
          ) : (
            <ul className="draft-list" data-testid="story-list">
              {stories.edges.map(({ node }) => (
                <StoryCard key={node.id} story={node} />
              ))}
            </ul>
          )}
          <Pager
            label="Pages of stories"
            onPrevious={
              trail.length > 0
                ? () => {
                    setAfter(trail[trail.length - 1] ?? null);
                    setTrail(trail.slice(0, -1));
                  }
                : null
            }
            onNext={
              pageInfo?.hasNextPage && pageInfo.endCursor
                ? () => {
                    setTrail([...trail, after]);
                    setAfter(pageInfo.endCursor ?? null);
                  }
                : null
            }
          />
        </>
      )}
    </section>
  );
}

function StoryCard({ story }: { story: StoryListItem }) {
  return (
    <li className="card draft-card" data-testid="story" data-draft-id={story.id}>
      <h2>
        <Link to={`/drafts/${encodeURIComponent(story.id)}`} data-testid="story-title">
          {story.title || 'Untitled story'}
        </Link>
      </h2>
      <p className="meta small">
        <span className={`badge status-${story.status.toLowerCase()}`} data-testid="story-status">
          {STATUS_LABEL[story.status]}
        </span>
        <span>updated {formatDateTime(story.updatedAt)}</span>
      </p>
      {story.competencies.length === 0 ? (
        <p className="muted small">No competencies tagged.</p>
      ) : (
        <ul className="chips" aria-label="Competencies">
          {story.competencies.map((c) => (
            <li key={c.slug} className="chip" data-testid="story-competency" title={c.description}>
              {c.name}
            </li>
          ))}
        </ul>
      )}
      {story.questions.length > 0 && (
        <ul className="small story-questions" aria-label="Questions it answers">
          {story.questions.map((q) => (
            <li key={q.id} data-testid="story-question">
              {q.prompt}{' '}
              <Link to={`/roles/${encodeURIComponent(q.role.slug)}#questions`}>{q.role.title}</Link>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
