// Where a next step is done: the server's machine-readable target (kind and
// id, see `ActionTarget` in schema.graphql) as a path of this app.

import type { ActionTargetKind } from './api';

/** A target as the documents read it. */
export interface Target {
  kind: ActionTargetKind;
  id?: string | null;
  dueBy?: string | null;
}

/**
 * The path that starts a draft answering `questionId` (if any) tagged with
 * `competencies`: every way of starting an answer to a question uses it, so
 * the answer counts for the question's competencies whichever button started it.
 */
export function newDraftPath(competencies: readonly string[], questionId?: string): string {
  const params = new URLSearchParams();
  if (questionId) params.append('question', questionId);
  for (const slug of competencies) params.append('competency', slug);
  const query = params.toString();
  return query ? `/drafts/new?${query}` : '/drafts/new';
}

/** The anchor of a plan's day on the interview page. */
export const planDayAnchor = (date: string) => `plan-day-${date}`;

/** The app's path for `target`; `here` is the interview page it is shown on. */
export function targetPath(target: Target, here: string): string {
  switch (target.kind) {
    case 'NEW_STORY':
      return newDraftPath(target.id ? [target.id] : []);
    case 'PLAN_TASKS':
      return `${here}#${target.dueBy ? planDayAnchor(target.dueBy) : 'plan'}`;
    case 'PRACTICE':
      return target.id ? `/roles/${encodeURIComponent(target.id)}#questions` : '/drafts';
  }
}
