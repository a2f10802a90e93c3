// GraphQL documents and the TypeScript shapes of their results, written by hand
// against schema.graphql at the repository's root.

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
}

export interface Money {
  amount: number;
  currency: string;
  formatted: string;
}

export type SeniorityLevel = 'JUNIOR' | 'MID' | 'SENIOR';
export type QuestionCategory = 'BEHAVIOURAL' | 'TECHNICAL' | 'SITUATIONAL' | 'GENERAL';
export type ResourceKind = 'SALARY_GUIDE' | 'ARTICLE' | 'VIDEO' | 'COURSE' | 'TOOL';
export type StarDraftStatus = 'DRAFT' | 'READY' | 'ARCHIVED';
export type StarSection = 'SITUATION' | 'TASK' | 'ACTION' | 'RESULT';
export type StarDraftEventKind = 'CREATED' | 'UPDATED' | 'DELETED';

export const DRAFT_STATUSES: readonly StarDraftStatus[] = ['DRAFT', 'READY', 'ARCHIVED'];

export interface RoleSummary {
  id: string;
  slug: string;
  title: string;
  summary: string;
  keySkills: { id: string; name: string }[];
}

export interface SalaryBenchmark {
  id: string;
  country: string;
  currency: string;
  median: Money;
  low: Money;
  high: Money;
  levels: { level: SeniorityLevel; amount: Money }[];
  source: string;
  asOf: string;
}

export interface DraftRef {
  id: string;
  title: string;
  status: StarDraftStatus;
  version: number;
  updatedAt: string;
}

export interface Question {
  id: string;
  position: number;
  prompt: string;
  category: QuestionCategory;
  myStarDrafts: DraftRef[];
}

export interface Role {
  id: string;
  slug: string;
  title: string;
  summary: string;
  updatedAt: string;
  reviewer: { name: string; title: string };
  keySkills: { id: string; name: string; slug: string }[];
  questions: Question[];
  prepSteps: { id: string; position: number; text: string }[];
  timeline: {
    id: string;
    position: number;
    label: string;
    daysBefore: number;
    tasks: { id: string; position: number; text: string }[];
  }[];
  mistakes: { id: string; position: number; title: string; explanation: string }[];
  salaryBenchmarks: SalaryBenchmark[];
  faqs: { id: string; position: number; question: string; answer: string }[];
  resources: { id: string; position: number; title: string; kind: ResourceKind; url: string }[];
}

export interface StarFeedback {
  wordCount: number;
  estimatedSpeakingSeconds: number;
  withinTargetLength: boolean;
  resultQuantified: boolean;
  firstPersonCount: number;
  teamPersonCount: number;
  missingSections: StarSection[];
  fillerWords: string[];
  sections: { section: StarSection; wordCount: number; tooShort: boolean }[];
  suggestions: { code: string; section: StarSection | null; message: string }[];
}

export interface Competency {
  slug: string;
  name: string;
  description: string;
}

/** A question a draft answers, with its role. */
export interface LinkedQuestion {
  id: string;
  prompt: string;
  role: { slug: string; title: string };
}

export interface StarDraft {
  id: string;
  title: string;
  situation: string;
  task: string;
  action: string;
  result: string;
  status: StarDraftStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  question: { id: string; prompt: string; role: { slug: string; title: string } } | null;
  questions: LinkedQuestion[];
  competencies: Competency[];
  feedback: StarFeedback;
}

export interface StarDraftEvent {
  kind: StarDraftEventKind;
  draftId: string;
  version: number;
  draft: StarDraft | null;
}

// ---------------------------------------------------------------- accounts

const USER_FIELDS = `
  fragment UserFields on User { id email displayName }
`;

export const ME = `
  query Me { me { ...UserFields } }
  ${USER_FIELDS}
`;
export interface MeData {
  me: User | null;
}

export const REGISTER = `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { token user { ...UserFields } }
  }
  ${USER_FIELDS}
`;
export interface RegisterData {
  register: { token: string; user: User };
}
export interface RegisterVars {
  input: { email: string; password: string; displayName: string };
}

export const LOGIN = `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token user { ...UserFields } }
  }
  ${USER_FIELDS}
`;
export interface LoginData {
  login: { token: string; user: User };
}
export interface LoginVars {
  input: { email: string; password: string };
}

export const LOGOUT = `
  mutation Logout { logout }
`;
export interface LogoutData {
  logout: boolean;
}

// ---------------------------------------------------------------- roles

export const ROLES = `
  query Roles(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $search: String
    $skill: String
  ) {
    roles(
      first: $first
      after: $after
      last: $last
      before: $before
      search: $search
      skill: $skill
    ) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node { id slug title summary keySkills { id name } }
      }
    }
  }
`;
export interface RolesData {
  roles: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: { cursor: string; node: RoleSummary }[];
  };
}
export interface RolesVars {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  search?: string | null;
  skill?: string | null;
}

export { ROLE_PAGE } from './rolePageQuery';

export interface RolePageData {
  role: Role | null;
}
export interface RolePageVars {
  slug: string;
}

// ---------------------------------------------------------------- drafts

export const DRAFT_FIELDS = `
  fragment DraftFields on StarDraft {
    id title situation task action result status version createdAt updatedAt
    question { id prompt role { slug title } }
    questions { id prompt role { slug title } }
    competencies { slug name description }
    feedback {
      wordCount estimatedSpeakingSeconds withinTargetLength resultQuantified
      firstPersonCount teamPersonCount missingSections fillerWords
      sections { section wordCount tooShort }
      suggestions { code section message }
    }
  }
`;

export const DRAFT = `
  query Draft($id: ID!) { starDraft(id: $id) { ...DraftFields } }
  ${DRAFT_FIELDS}
`;
export interface DraftData {
  starDraft: StarDraft | null;
}

export const MY_DRAFTS = `
  query MyDrafts($first: Int, $after: String) {
    myStarDrafts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node {
          id title status version updatedAt
          question { id prompt role { slug title } }
          feedback { wordCount }
        }
      }
    }
  }
`;
export interface DraftListItem {
  id: string;
  title: string;
  status: StarDraftStatus;
  version: number;
  updatedAt: string;
  question: { id: string; prompt: string; role: { slug: string; title: string } } | null;
  feedback: { wordCount: number };
}
export interface MyDraftsData {
  myStarDrafts: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: { cursor: string; node: DraftListItem }[];
  };
}

export const CREATE_DRAFT = `
  mutation CreateDraft($input: CreateStarDraftInput!) {
    createStarDraft(input: $input) { ...DraftFields }
  }
  ${DRAFT_FIELDS}
`;
export interface CreateDraftData {
  createStarDraft: StarDraft;
}
export interface CreateDraftVars {
  input: { questionIds?: string[]; competencies?: string[]; title?: string };
}

export interface DraftText {
  title: string;
  situation: string;
  task: string;
  action: string;
  result: string;
  status: StarDraftStatus;
  /** Slugs of the competencies the story shows. */
  competencies: string[];
  /** The questions the draft answers. */
  questionIds: string[];
}

export const UPDATE_DRAFT = `
  mutation UpdateDraft($input: UpdateStarDraftInput!) {
    updateStarDraft(input: $input) { ...DraftFields }
  }
  ${DRAFT_FIELDS}
`;
export interface UpdateDraftData {
  updateStarDraft: StarDraft;
}
export interface UpdateDraftVars {
  input: DraftText & { id: string; expectedVersion: number };
}

export const DRAFT_MERGE_BASE = `
  query DraftMergeBase($id: ID!) {
    starDraft(id: $id) {
      ...DraftFields
      revisions(first: 50) { nodes { version title situation task action result status createdAt } }
    }
  }
  ${DRAFT_FIELDS}
`;
export interface StarDraftRevision {
  version: number;
  title: string;
  situation: string;
  task: string;
  action: string;
  result: string;
  status: StarDraftStatus;
  createdAt: string;
}
export interface DraftMergeBaseData {
  starDraft: (StarDraft & { revisions: { nodes: StarDraftRevision[] } }) | null;
}

export const DRAFT_REVISIONS = `
  query DraftRevisions($id: ID!, $first: Int, $after: String) {
    starDraft(id: $id) {
      id version
      revisions(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { version title situation task action result status createdAt }
      }
    }
  }
`;
export interface DraftRevisionsData {
  starDraft: {
    id: string;
    version: number;
    revisions: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: StarDraftRevision[] };
  } | null;
}

export const RESTORE_REVISION = `
  mutation RestoreRevision($id: ID!, $version: Int!, $expectedVersion: Int) {
    restoreStarDraftRevision(id: $id, version: $version, expectedVersion: $expectedVersion) { ...DraftFields }
  }
  ${DRAFT_FIELDS}
`;
export interface RestoreRevisionData {
  restoreStarDraftRevision: StarDraft;
}

export const DELETE_DRAFT = `
  mutation DeleteDraft($id: ID!) { deleteStarDraft(id: $id) }
`;
export interface DeleteDraftData {
  deleteStarDraft: string;
}

export const DRAFT_UPDATED = `
  subscription DraftUpdated($id: ID!, $knownVersion: Int) {
    starDraftUpdated(id: $id, knownVersion: $knownVersion) {
      kind draftId version
      draft { ...DraftFields }
    }
  }
  ${DRAFT_FIELDS}
`;
export interface DraftUpdatedData {
  starDraftUpdated: StarDraftEvent;
}
export interface DraftUpdatedVars {
  id: string;
  /** The version the editor has: a newer one is sent at once. */
  knownVersion: number;
}

export const MY_DRAFT_EVENTS = `
  subscription MyDraftEvents($since: DateTime) {
    myStarDraftEvents(since: $since) {
      kind draftId version
      draft { id version updatedAt }
    }
  }
`;
export interface MyDraftEventsData {
  myStarDraftEvents: {
    kind: StarDraftEventKind;
    draftId: string;
    version: number;
    draft: { id: string; version: number; updatedAt: string } | null;
  };
}
export interface MyDraftEventsVars {
  /** RFC 3339: drafts changed at or after it are sent first. */
  since: string;
}

// ---------------------------------------------------------------- story bank

export const COMPETENCIES = `
  query Competencies { competencies { slug name description } }
`;
export interface CompetenciesData {
  competencies: Competency[];
}

/** Every role's questions, for linking a story to questions of any role. */
export const ALL_QUESTIONS = `
  query AllQuestions { roles(first: 100) { edges { node { id slug title questions { id prompt } } } } }
`;
export interface AllQuestionsData {
  roles: {
    edges: { node: { id: string; slug: string; title: string; questions: { id: string; prompt: string }[] } }[];
  };
}

export const MY_STORIES = `
  query MyStories($first: Int, $after: String) {
    myStarDrafts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node {
          id title status version updatedAt
          competencies { slug name description }
          questions { id prompt role { slug title } }
        }
      }
    }
  }
`;
export interface StoryListItem {
  id: string;
  title: string;
  status: StarDraftStatus;
  version: number;
  updatedAt: string;
  competencies: Competency[];
  questions: LinkedQuestion[];
}
export interface MyStoriesData {
  myStarDrafts: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: { cursor: string; node: StoryListItem }[];
  };
}

export interface CoverageStory {
  id: string;
  title: string;
  status: StarDraftStatus;
}

export const ROLE_COVERAGE = `
  query RoleCoverage($slug: String!) {
    role(slug: $slug) {
      id
      myCoverage {
        readyStories
        gaps { slug name }
        competencies {
          covered
          competency { slug name description }
          stories { id title status }
        }
        questions {
          covered
          question { id prompt competencies { slug } }
          stories { id title status }
        }
      }
    }
  }
`;
export interface Coverage {
  readyStories: number;
  gaps: { slug: string; name: string }[];
  competencies: { covered: boolean; competency: Competency; stories: CoverageStory[] }[];
  questions: {
    covered: boolean;
    question: { id: string; prompt: string; competencies: { slug: string }[] };
    stories: CoverageStory[];
  }[];
}
export interface RoleCoverageData {
  role: { id: string; myCoverage: Coverage | null } | null;
}

// ---------------------------------------------------------------- interviews

export type InterviewStage = 'RECRUITER_SCREEN' | 'HIRING_MANAGER' | 'TECHNICAL' | 'FINAL_PANEL' | 'OTHER';
export type InterviewEventKind = 'CREATED' | 'UPDATED' | 'DELETED';

export const INTERVIEW_STAGES: readonly InterviewStage[] = [
  'RECRUITER_SCREEN',
  'HIRING_MANAGER',
  'TECHNICAL',
  'FINAL_PANEL',
  'OTHER',
];

export interface PlanTask {
  id: string;
  text: string;
  dueOn: string;
  done: boolean;
  doneAt: string | null;
  phaseLabel: string | null;
  daysBefore: number | null;
  custom: boolean;
  compressed: boolean;
  overdue: boolean;
}

export interface Interview {
  id: string;
  company: string;
  stage: InterviewStage;
  notes: string;
  scheduledAt: string;
  timeZone: string;
  localDate: string;
  version: number;
  updatedAt: string;
  role: { id: string; slug: string; title: string };
  plan: PlanTask[];
}

export const INTERVIEW_FIELDS = `
  fragment InterviewFields on Interview {
    id company stage notes scheduledAt timeZone localDate version updatedAt
    role { id slug title }
    plan { id text dueOn done doneAt phaseLabel daysBefore custom compressed overdue }
  }
`;

export const INTERVIEW = `
  query Interview($id: ID!) { interview(id: $id) { ...InterviewFields } }
  ${INTERVIEW_FIELDS}
`;
export interface InterviewData {
  interview: Interview | null;
}

export const MY_INTERVIEWS = `
  query MyInterviews($first: Int, $after: String, $upcoming: Boolean) {
    myInterviews(first: $first, after: $after, upcoming: $upcoming) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node {
          id company stage scheduledAt timeZone localDate version updatedAt
          role { id slug title }
          plan { id done }
        }
      }
    }
  }
`;
export interface InterviewListItem {
  id: string;
  company: string;
  stage: InterviewStage;
  scheduledAt: string;
  timeZone: string;
  localDate: string;
  version: number;
  updatedAt: string;
  role: { id: string; slug: string; title: string };
  plan: { id: string; done: boolean }[];
}
export interface MyInterviewsData {
  myInterviews: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: { cursor: string; node: InterviewListItem }[];
  };
}

export const MY_AGENDA = `
  query MyAgenda($from: NaiveDate!, $days: Int!) {
    myAgenda(from: $from, days: $days) {
      date
      interviews { id company stage scheduledAt timeZone role { title } }
      tasks { id text done overdue compressed custom interview { id company } }
    }
  }
`;
export interface AgendaDay {
  date: string;
  interviews: {
    id: string;
    company: string;
    stage: InterviewStage;
    scheduledAt: string;
    timeZone: string;
    role: { title: string };
  }[];
  tasks: {
    id: string;
    text: string;
    done: boolean;
    overdue: boolean;
    compressed: boolean;
    custom: boolean;
    interview: { id: string; company: string };
  }[];
}
export interface MyAgendaData {
  myAgenda: AgendaDay[];
}

export const SCHEDULE_INTERVIEW = `
  mutation ScheduleInterview($input: ScheduleInterviewInput!) {
    scheduleInterview(input: $input) { ...InterviewFields }
  }
  ${INTERVIEW_FIELDS}
`;
export interface ScheduleInterviewData {
  scheduleInterview: Interview;
}
export interface ScheduleInterviewVars {
  input: {
    roleId: string;
    company: string;
    stage: InterviewStage;
    scheduledAt: string;
    timeZone: string;
    notes?: string;
  };
}

export const UPDATE_INTERVIEW = `
  mutation UpdateInterview($input: UpdateInterviewInput!) {
    updateInterview(input: $input) { ...InterviewFields }
  }
  ${INTERVIEW_FIELDS}
`;
export interface UpdateInterviewData {
  updateInterview: Interview;
}
export interface UpdateInterviewVars {
  input: {
    id: string;
    expectedVersion: number;
    scheduledAt?: string;
    timeZone?: string;
    company?: string;
    stage?: InterviewStage;
    notes?: string;
  };
}

export const DELETE_INTERVIEW = `
  mutation DeleteInterview($id: ID!) { deleteInterview(id: $id) }
`;

export const SET_PLAN_TASK_DONE = `
  mutation SetPlanTaskDone($id: ID!, $done: Boolean!) {
    setPlanTaskDone(id: $id, done: $done) { id done doneAt overdue interview { id version updatedAt } }
  }
`;

export const ADD_PLAN_TASK = `
  mutation AddPlanTask($input: AddPlanTaskInput!) {
    addPlanTask(input: $input) { id interview { ...InterviewFields } }
  }
  ${INTERVIEW_FIELDS}
`;
export interface AddPlanTaskData {
  addPlanTask: { id: string; interview: Interview };
}

export const DELETE_PLAN_TASK = `
  mutation DeletePlanTask($id: ID!) { deletePlanTask(id: $id) }
`;

export const ROTATE_CALENDAR_TOKEN = `
  mutation RotateCalendarToken { rotateCalendarToken }
`;
export interface RotateCalendarTokenData {
  rotateCalendarToken: string;
}

export const MY_INTERVIEW_EVENTS = `
  subscription MyInterviewEvents($since: DateTime) {
    myInterviewEvents(since: $since) {
      kind interviewId version
      interview { ...InterviewFields }
    }
  }
  ${INTERVIEW_FIELDS}
`;
export interface MyInterviewEventsData {
  myInterviewEvents: {
    kind: InterviewEventKind;
    interviewId: string;
    version: number;
    interview: Interview | null;
  };
}
export interface MyInterviewEventsVars {
  /** RFC 3339: interviews changed at or after it are sent first. */
  since: string;
}
