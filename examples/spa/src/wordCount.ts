// Word counts and speaking time computed in the browser on every keystroke, by
// the SAME definitions as the server's feedback (src/drafts/feedback.rs):
//
// - a word is a run of characters between Unicode white space that holds at least
//   one alphanumeric character (a letter or a number of any script): "40%" and
//   "I'm" are words, "—" and "..." are not;
// - speaking time is the words at 150 a minute, rounded to the nearest second
//   (halves up): (words × 60 + 75) ÷ 150, integer division;
// - the target is 90 to 120 seconds, both included.
//
// A browser test types texts into the editor and checks these counts against the
// server's for the same text (tests/browser/autosave.test.mjs).

import type { StarSection } from './api';

/** Speaking pace of the estimate, as on the server. */
export const WORDS_PER_MINUTE = 150;
/** Shortest and longest target answer, in seconds, as on the server. */
export const TARGET_SECONDS: readonly [number, number] = [90, 120];
/** The target as the pages say it: "90–120 s". */
export const TARGET_RANGE = `${TARGET_SECONDS[0]}–${TARGET_SECONDS[1]} s`;

const WHITE_SPACE = /\p{White_Space}+/u;
const ALPHANUMERIC = /[\p{Alphabetic}\p{N}]/u;

/** The number of words in `text`. */
export function countWords(text: string): number {
  let n = 0;
  for (const token of text.split(WHITE_SPACE)) if (ALPHANUMERIC.test(token)) n += 1;
  return n;
}

/** Seconds to say `words` words. */
export function speakingSeconds(words: number): number {
  return Math.floor((words * 60 + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE);
}

export function withinTarget(seconds: number): boolean {
  return seconds >= TARGET_SECONDS[0] && seconds <= TARGET_SECONDS[1];
}

/** Fewer words than this and a section is too short, as on the server. */
export const MINIMUM_WORDS: Record<StarSection, number> = { SITUATION: 15, TASK: 10, ACTION: 40, RESULT: 15 };

/** The live figures of an answer's four sections. */
export interface LiveCounts {
  sections: { section: StarSection; wordCount: number; tooShort: boolean }[];
  wordCount: number;
  seconds: number;
  withinTarget: boolean;
  missing: StarSection[];
}

export function liveCounts(text: { situation: string; task: string; action: string; result: string }): LiveCounts {
  const sections = (
    [
      ['SITUATION', text.situation],
      ['TASK', text.task],
      ['ACTION', text.action],
      ['RESULT', text.result],
    ] as const
  ).map(([section, t]) => {
    const wordCount = countWords(t);
    return { section, wordCount, tooShort: wordCount > 0 && wordCount < MINIMUM_WORDS[section] };
  });
  const wordCount = sections.reduce((sum, s) => sum + s.wordCount, 0);
  const seconds = speakingSeconds(wordCount);
  return {
    sections,
    wordCount,
    seconds,
    withinTarget: withinTarget(seconds),
    missing: sections.filter((s) => s.wordCount === 0).map((s) => s.section),
  };
}

/** "1 min 16 s" or "45 s". */
export function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
