// The types the app shares about the API (types only: no code).
//
// Nothing here is written against the schema by hand. Every query, mutation,
// subscription and fragment the app sends is in src/documents/NAME.graphql; GraphQL
// Code Generator (codegen.ts, `npm run codegen`) checks them against schema.graphql
// at the repository's root and writes, per file, src/gql/NAME.ts:
//
// - `FooDocument` for the operation `Foo`: a DocumentNode that carries its result and
//   variables types, so `useQuery({ query: FooDocument, variables })`,
//   `useMutation(FooDocument)` and `client.query(FooDocument, ...)` are typed by it;
// - `FooQuery` / `FooMutation` / `FooSubscription` and `FooQueryVariables` (etc.);
// - `BarFragment` for the fragment `Bar`;
//
// and src/gql/types.ts, re-exported here: the schema's enums as unions of strings
// (`StarDraftStatus` is 'ARCHIVED' | 'DRAFT' | 'READY') and its input types.
//
// Pages import documents from src/gql/NAME.ts directly, so that each chunk of the
// build holds only the documents it sends. This module imports types only, so it
// adds no document to any chunk.

import type { DraftFieldsFragment, RevisionFieldsFragment } from './gql/drafts';
import type { PracticeAttemptFieldsFragment } from './gql/practice';

export type * from './gql/types';

/** A draft as the editor has it (the `DraftFields` fragment). */
export type StarDraft = DraftFieldsFragment;

/** A saved version of a draft (the `RevisionFields` fragment). */
export type StarDraftRevision = RevisionFieldsFragment;

/** A question a draft answers, with its role. */
export type LinkedQuestion = StarDraft['questions'][number];

/** A practice attempt, with its feedback once finished (the `PracticeAttemptFields` fragment). */
export type PracticeAttempt = PracticeAttemptFieldsFragment;

/**
 * What the editor's form holds and a save sends: the draft's text and status as the
 * server has them, with its links as lists of slugs and ids (`UpdateStarDraftInput`
 * without the id and the expected version).
 */
export type DraftText = Pick<StarDraft, 'title' | 'situation' | 'task' | 'action' | 'result' | 'status'> & {
  /** Slugs of the competencies the story shows. */
  competencies: string[];
  /** The questions the draft answers. */
  questionIds: string[];
};
