import type { QuestionCategory, ResourceKind, SeniorityLevel, StarDraftStatus, StarSection } from './api';

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

/** "GB" → "United Kingdom"; the code itself when the browser cannot name it. */
export function countryName(code: string): string {
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

export const LEVEL_LABEL: Record<SeniorityLevel, string> = {
  JUNIOR: 'Junior',
  MID: 'Mid-level',
  SENIOR: 'Senior',
};

export const CATEGORY_LABEL: Record<QuestionCategory, string> = {
  BEHAVIOURAL: 'Behavioural',
  TECHNICAL: 'Technical',
  SITUATIONAL: 'Situational',
  GENERAL: 'General',
};

export const RESOURCE_LABEL: Record<ResourceKind, string> = {
  SALARY_GUIDE: 'Salary guide',
  ARTICLE: 'Article',
  VIDEO: 'Video',
  COURSE: 'Course',
  TOOL: 'Tool',
};

export const STATUS_LABEL: Record<StarDraftStatus, string> = {
  DRAFT: 'Draft',
  READY: 'Ready',
  ARCHIVED: 'Archived',
};

export const SECTION_LABEL: Record<StarSection, string> = {
  SITUATION: 'Situation',
  TASK: 'Task',
  ACTION: 'Action',
  RESULT: 'Result',
};

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

/** An RFC 3339 time for people, in their time zone. */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** A `YYYY-MM-DD` date for people. */
export function formatDate(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : dateOnly.format(date);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
