// The draft editor's pickers: the competencies a story shows (chips) and the
// questions it answers (a search over every role's questions).

import { useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';

import type { LinkedQuestion } from '../api';
import { AllQuestionsDocument, CompetenciesDocument } from '../gql/storyBank';

/** How many search results are listed at once. */
const MAX_RESULTS = 8;

export function CompetencyPicker({
  value,
  onChange,
  disabled,
}: {
  value: string[];
  onChange: (slugs: string[]) => void;
  disabled?: boolean;
}) {
  const [{ data, error }] = useQuery({ query: CompetenciesDocument });
  const headingId = useId();
  const toggle = (slug: string) =>
    onChange(value.includes(slug) ? value.filter((s) => s !== slug) : [...value, slug]);
  return (
    <fieldset className="field story-picker" data-testid="competency-picker">
      <legend id={headingId}>Competencies this story shows</legend>
      {error && <p className="alert alert-error small">Could not load the competencies.</p>}
      <ul className="chips chip-toggles" aria-labelledby={headingId}>
        {(data?.competencies ?? []).map((c) => {
          const on = value.includes(c.slug);
          return (
            <li key={c.slug}>
              <button
                type="button"
                className={`chip-toggle${on ? ' on' : ''}`}
                aria-pressed={on}
                title={c.description}
                data-testid="competency-chip"
                data-slug={c.slug}
                disabled={disabled}
                onClick={() => toggle(c.slug)}
              >
                {c.name}
              </button>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

export function QuestionPicker({
  value,
  known,
  onChange,
  disabled,
}: {
  value: string[];
  /** Questions already linked on the server, so their prompts show before the search loads. */
  known: LinkedQuestion[];
  onChange: (ids: string[]) => void;
  disabled?: boolean;
}) {
  const [{ data, error }] = useQuery({ query: AllQuestionsDocument });
  const [search, setSearch] = useState('');
  const byId = useMemo(() => {
    const map = new Map<string, LinkedQuestion>(known.map((q) => [q.id, q]));
    for (const { node } of data?.roles.edges ?? []) {
      for (const q of node.questions) {
        map.set(q.id, { id: q.id, prompt: q.prompt, role: { slug: node.slug, title: node.title } });
      }
    }
    return map;
  }, [data, known]);
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const results =
    words.length === 0
      ? []
      : [...byId.values()]
          .filter((q) => !value.includes(q.id))
          .filter((q) => {
            const text = `${q.prompt} ${q.role.title}`.toLowerCase();
            return words.every((w) => text.includes(w));
          })
          .slice(0, MAX_RESULTS);

  return (
    <fieldset className="field story-picker" data-testid="question-picker">
      <legend>Questions this story answers</legend>
      {value.length === 0 ? (
        <p className="muted small">No question linked yet.</p>
      ) : (
        <ul className="linked-questions">
          {value.map((id) => {
            const q = byId.get(id);
            return (
              <li key={id} data-testid="linked-question" data-question-id={id}>
                <span data-testid="linked-question-prompt">{q?.prompt ?? 'A question'}</span>{' '}
                {q && <span className="muted small">({q.role.title})</span>}{' '}
                <button
                  type="button"
                  className="link-button"
                  data-testid="unlink-question"
                  disabled={disabled}
                  onClick={() => onChange(value.filter((v) => v !== id))}
                  aria-label={`Unlink “${q?.prompt ?? id}”`}
                >
                  Unlink
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <label htmlFor="question-search">Find a question of any role</label>
      <input
        id="question-search"
        type="search"
        data-testid="question-search"
        value={search}
        placeholder="e.g. incident, schema, security"
        onChange={(e) => setSearch(e.target.value)}
        disabled={disabled}
      />
      {error && <p className="alert alert-error small">Could not load the questions.</p>}
      {words.length > 0 && results.length === 0 && data && (
        <p className="muted small">No other question matches.</p>
      )}
      {results.length > 0 && (
        <ul className="question-results">
          {results.map((q) => (
            <li key={q.id} data-testid="question-result" data-question-id={q.id}>
              <span>{q.prompt}</span> <span className="muted small">({q.role.title})</span>{' '}
              <button
                type="button"
                className="button button-small button-secondary"
                data-testid="link-question"
                disabled={disabled}
                onClick={() => onChange([...value, q.id])}
                aria-label={`Link “${q.prompt}”`}
              >
                Link
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
