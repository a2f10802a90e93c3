import type { InterviewStage, QuestionCategory, ResourceKind, SeniorityLevel, StarDraftStatus, StarSection } from './api';

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

/** A draft's statuses, in the order the editor offers them. */
export const DRAFT_STATUSES: readonly StarDraftStatus[] = ['DRAFT', 'READY', 'ARCHIVED'];

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

const savedAtParts = { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
const savedAt = new Intl.DateTimeFormat('en-GB', savedAtParts);
const savedAtWithYear = new Intl.DateTimeFormat('en-GB', { ...savedAtParts, year: 'numeric' });

/**
 * When something was saved, short, in the reader's time zone: "3 Dec, 14:05"
 * ("3 Dec 2025, 14:05" in another year than `now`'s).
 */
export function formatSavedAt(value: string, now: Date = new Date()): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return (date.getFullYear() === now.getFullYear() ? savedAt : savedAtWithYear).format(date);
}

const dayOfWeek = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });
const dayOfWeekMonth = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * A run of `YYYY-MM-DD` dates for people, the month said once where it can be:
 * "Fri 4 Dec" (one day), "Fri 4 – Mon 7 Dec", "Mon 30 Nov – Fri 4 Dec".
 */
export function formatDayRange(from: string, to: string = from): string {
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return from === to ? from : `${from} – ${to}`;
  if (from === to) return dayOfWeekMonth.format(start);
  const sameMonth = start.getUTCFullYear() === end.getUTCFullYear() && start.getUTCMonth() === end.getUTCMonth();
  return `${(sameMonth ? dayOfWeek : dayOfWeekMonth).format(start)} – ${dayOfWeekMonth.format(end)}`;
}

/** A `YYYY-MM-DD` date for people. */
export function formatDate(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : dateOnly.format(date);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const STAGE_LABEL: Record<InterviewStage, string> = {
  RECRUITER_SCREEN: 'Recruiter screen',
  HIRING_MANAGER: 'Hiring manager',
  TECHNICAL: 'Technical',
  FINAL_PANEL: 'Final panel',
  OTHER: 'Other',
};

/** An interview's stages, in the order the schedule form offers them. */
export const INTERVIEW_STAGES: readonly InterviewStage[] = [
  'RECRUITER_SCREEN',
  'HIRING_MANAGER',
  'TECHNICAL',
  'FINAL_PANEL',
  'OTHER',
];

/** An instant as wall-clock time in `timeZone` ("28 Mar 2027, 00:30"). */
export function formatInZone(value: string, timeZone: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return dateTime.format(date);
  }
}

/** Today's date (`YYYY-MM-DD`) in the browser's zone. */
export function todayLocal(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The instant (RFC 3339, UTC) at which clocks in `timeZone` show `local`
 * (`YYYY-MM-DDTHH:MM`), found by correcting a first guess with the zone's offset
 * at that guess, twice (enough for every offset change there is).
 */
export function zonedToUtc(local: string, timeZone: string): string | null {
  const match = local.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const wanted = Date.UTC(y!, mo! - 1, d!, h!, mi!);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
  } catch {
    return null;
  }
  const shown = (t: number) => {
    const parts = Object.fromEntries(format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  };
  let guess = wanted;
  for (let i = 0; i < 2; i++) guess += wanted - shown(guess);
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

/** The instant `value` as `YYYY-MM-DDTHH:MM` on clocks in `timeZone` (for a datetime-local input). */
export function utcToZoned(value: string, timeZone: string): string {
  const date = new Date(value);
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(date)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  } catch {
    return value.slice(0, 16);
  }
}

/**
 * How far a `YYYY-MM-DD` date is from `today` (also `YYYY-MM-DD`), in words:
 * "Today", "Tomorrow", "in 10 days", "Yesterday", "3 days ago".
 */
export function relativeDay(date: string, today: string = todayLocal()): string {
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (Number.isNaN(days)) return '';
  if (days === 0) return 'Today';
  if (days === 1) return 'Tomorrow';
  if (days === -1) return 'Yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/**
 * How long ago an RFC 3339 time was, in words: "just now", "5 min ago", "3 h ago",
 * then the date and time (older than a day).
 */
export function relativeTime(value: string, now: number = Date.now()): string {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return value;
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `on ${formatDateTime(value)}`;
}
