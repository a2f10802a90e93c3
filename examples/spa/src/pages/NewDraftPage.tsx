import { useEffect, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';

import { CREATE_DRAFT, type CreateDraftData, type CreateDraftVars } from '../api';
import { RequireAuth } from '../components/RequireAuth';
import { ErrorMessage, Loading } from '../components/Status';

/** `/drafts/new?question=ID`: starts a draft (for that question) and opens it. */
export function NewDraftPage() {
  return (
    <RequireAuth>
      <CreateDraft />
    </RequireAuth>
  );
}

function CreateDraft() {
  const [params] = useSearchParams();
  const questionId = params.get('question');
  const navigate = useNavigate();
  const [state, create] = useMutation<CreateDraftData, CreateDraftVars>(CREATE_DRAFT);
  // One draft per visit of this page, even when effects run twice in development.
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void create({ input: questionId ? { questionId } : {} }).then((result) => {
      const draft = result.data?.createStarDraft;
      // Replace this page in the history, so Back does not make another draft.
      if (draft) navigate(`/drafts/${encodeURIComponent(draft.id)}`, { replace: true });
    });
  }, [create, navigate, questionId]);

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
