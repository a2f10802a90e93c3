import { useEffect, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';

import type { CreateStarDraftInput } from '../api';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';
import { CreateDraftDocument } from '../gql/drafts';

/**
 * `/drafts/new?question=ID&competency=SLUG`: starts a draft (answering that question,
 * tagged with that competency; both may be given more than once, or left out) and opens it.
 */
export function NewDraftPage() {
  return (
    <RequireAuth>
      <CreateDraft />
    </RequireAuth>
  );
}

function CreateDraft() {
  const [params] = useSearchParams();
  // As strings, so the effect below does not run again for equal lists.
  const questions = params.getAll('question').join('\n');
  const competencies = params.getAll('competency').join('\n');
  const navigate = useNavigate();
  const [state, create] = useMutation(CreateDraftDocument);
  // One draft per visit of this page, even when effects run twice in development.
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const input: CreateStarDraftInput = {};
    if (questions) input.questionIds = questions.split('\n');
    if (competencies) input.competencies = competencies.split('\n');
    void create({ input }).then((result) => {
      const draft = result.data?.createStarDraft;
      // Replace this page in the history, so Back does not make another draft.
      if (draft) navigate(`/drafts/${encodeURIComponent(draft.id)}`, { replace: true });
    });
  }, [create, navigate, questions, competencies]);

  if (state.error) {
    return (
      <section>
        <h1>Could not start a draft</h1>
        <ErrorMessage error={state.error} />
        <p>
          <Link to="/drafts">Back to your drafts</Link>
        </p>
      </section>
    );
  }
  return <Loading what="Starting your draft" />;
}
