// GraphQL documents and result shapes of practice against the clock and of an
// interview's readiness, written by hand against schema.graphql.

import type { StarSection } from './api';

export interface PracticeSuggestion {
  code: string;
  section: StarSection | null;
  message: string;
}

export interface PracticeFeedback {
  wordCount: number;
  wordsPerMinute: number;
  withinTargetLength: boolean;
  fillerWords: string[];
  fillerPerMinute: number;
  sectionsCovered: StarSection[];
  resultQuantified: boolean;
  suggestions: PracticeSuggestion[];
  previousWordsPerMinute: number | null;
}

export interface PracticeAttempt {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  transcript: string | null;
  feedback: PracticeFeedback | null;
}

const ATTEMPT_FIELDS = `
  id startedAt finishedAt durationSeconds transcript
  feedback {
    wordCount wordsPerMinute withinTargetLength fillerWords fillerPerMinute
    sectionsCovered resultQuantified suggestions { code section message } previousWordsPerMinute
  }
`;

export const START_PRACTICE = `
  mutation StartPractice($input: StartPracticeInput!) {
    startPractice(input: $input) { ${ATTEMPT_FIELDS} }
  }
`;
export interface StartPracticeData {
  startPractice: PracticeAttempt;
}
export interface StartPracticeVars {
  input: { draftId?: string; questionId?: string };
}

export const FINISH_PRACTICE = `
  mutation FinishPractice($input: FinishPracticeInput!) {
    finishPractice(input: $input) { ${ATTEMPT_FIELDS} }
  }
`;
export interface FinishPracticeData {
  finishPractice: PracticeAttempt;
}
export interface FinishPracticeVars {
  input: { id: string; transcript: string; durationSeconds?: number };
}

/** What is practised: the draft's title and sections, or the question's prompt. */
export const PRACTICE_SUBJECT = `
  query PracticeSubject($id: ID!) {
    node(id: $id) {
      id
      ... on StarDraft { title situation task action result }
      ... on Question { prompt }
    }
  }
`;
export interface PracticeSubjectData {
  node:
    | { id: string; title?: string; situation?: string; task?: string; action?: string; result?: string; prompt?: string }
    | null;
}

export interface Readiness {
  score: number;
  planDone: number;
  planTotal: number;
  competenciesCovered: number;
  competenciesTotal: number;
  readyStories: number;
  practiceAttemptsLast7Days: number;
  nextActions: string[];
}

export const INTERVIEW_READINESS = `
  query InterviewReadiness($id: ID!) {
    interview(id: $id) {
      id
      readiness {
        score planDone planTotal competenciesCovered competenciesTotal
        readyStories practiceAttemptsLast7Days nextActions
      }
    }
  }
`;
export interface InterviewReadinessData {
  interview: { id: string; readiness: Readiness } | null;
}
