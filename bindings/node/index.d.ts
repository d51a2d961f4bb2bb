/* The shapes of what @lms/native takes and returns (the header of the generated
 * index.d.ts). At run time every value is a plain object or array: ids are UUID strings,
 * times ISO 8601 strings (UTC, `2026-12-01T10:00:00Z`), and documents (`content`,
 * `questions`, `answers`, `feedback`, `progress`, …) exactly as stored, their keys in
 * the library's snake_case. The other field names are camelCase. */

/** Any JSON value: what documents are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** A JSON object. */
export type JsonObject = { [key: string]: Json }
/** A UUID string. */
export type Id = string
/** A time as an ISO 8601 string (UTC). */
export type Timestamp = string

export type UserRole = 'student' | 'instructor' | 'admin'
export type DifficultyLevel = 'beginner' | 'intermediate' | 'advanced'
export type ContentType = 'rich_text' | 'image' | 'video' | 'file' | 'youtube'
export type ProgressStatus = 'not_started' | 'in_progress' | 'completed' | 'blocked'
export type RoadmapStatus = 'active' | 'completed' | 'paused'
export type AssessmentState = 'not_required' | 'not_attempted' | 'failed' | 'passed'
export type GradingMethod = 'highest' | 'first' | 'last' | 'average'

/** An error code as `err.code` carries it: `LMS_` + the library's `ErrorCode` in upper
 * case, and `LMS_INVALID_ARGUMENT` for a value JavaScript cannot hand over. */
export type LmsErrorCode =
  | 'LMS_INVALID_DOCUMENT'
  | 'LMS_NOT_FOUND'
  | 'LMS_FORBIDDEN'
  | 'LMS_NO_PROFILE'
  | 'LMS_ALREADY_ENROLLED'
  | 'LMS_NOT_ENROLLED'
  | 'LMS_ATTEMPT_LIMIT_REACHED'
  | 'LMS_ATTEMPT_NOT_STARTED'
  | 'LMS_NO_ANSWERS'
  | 'LMS_TIME_LIMIT_EXCEEDED'
  | 'LMS_PREREQUISITES_UNMET'
  | 'LMS_INVALID_TRANSITION'
  | 'LMS_NOT_PUBLISHABLE'
  | 'LMS_CONFLICT'
  | 'LMS_DATABASE'
  | 'LMS_INVALID_ARGUMENT'

/** One problem of an invalid document: a JSON pointer into it and what is wrong. */
export interface Problem {
  path: string
  reason: string
}

/** A refusal as an API returns it; empty parts are left out. */
export interface ErrorBody {
  code: string
  message: string
  document?: string
  problems?: Problem[]
  details?: Record<string, unknown>
}

/** What every refusal of the library rejects with (or throws): an `Error` with a stable
 * `code`. A value JavaScript cannot hand over is a `TypeError` with code
 * `LMS_INVALID_ARGUMENT`. */
export interface LmsError extends Error {
  code: LmsErrorCode
  /** The recommended HTTP status (404, 403, 422, 409, …). */
  httpStatus: number
  /** The document at fault (`"question_set"`, `"answers"`, …), if any. */
  document: string | null
  /** Every problem of an invalid document (`LMS_INVALID_DOCUMENT`). */
  problems: Problem[]
  /** The error's details, camelCase (`missingLessons`, `maxAttempts`, `entity`, …). */
  details: Record<string, unknown>
  /** The library's error body, what an HTTP API sends: the same JSON as the Rust
   * `ErrorBody` (`code` in snake_case without the prefix, details in snake_case). */
  body: ErrorBody
  /** `LMS_ATTEMPT_LIMIT_REACHED`: the attempts allowed. */
  max?: number
  /** `LMS_PREREQUISITES_UNMET`: the lessons still to complete. */
  missing?: Id[]
}

// documents -----------------------------------------------------------------------

/** An option of a multiple-choice question. */
export interface ChoiceOption {
  id: string
  text: string
  /** Credit for selecting it, -1..1. */
  fraction: number
}

/** A question of a question set (the `questions` document), tagged by `type`. */
export type Question =
  | { type: 'multiple_choice'; id: string; prompt: string; points: number; multiple?: boolean; options: ChoiceOption[]; explanation?: string }
  | { type: 'true_false'; id: string; prompt: string; points: number; correct: boolean; explanation?: string }
  | { type: 'short_answer'; id: string; prompt: string; points: number; accepted: { text: string; fraction: number }[]; case_sensitive?: boolean; explanation?: string }
  | { type: 'essay'; id: string; prompt: string; points: number; rubric?: string; explanation?: string }

/** A question as a student sees it: no answer keys, no explanation, no rubric. */
export type StudentQuestion =
  | { type: 'multiple_choice'; id: string; prompt: string; points: number; multiple: boolean; options: { id: string; text: string }[] }
  | { type: 'true_false'; id: string; prompt: string; points: number }
  | { type: 'short_answer'; id: string; prompt: string; points: number; case_sensitive: boolean }
  | { type: 'essay'; id: string; prompt: string; points: number }

/** A student's answer to one question, tagged by the question's `type`. */
export type Answer =
  | { type: 'multiple_choice'; selected: string[]; answered_at?: Timestamp }
  | { type: 'true_false'; value: boolean; answered_at?: Timestamp }
  | { type: 'short_answer'; text: string; answered_at?: Timestamp }
  | { type: 'essay'; text: string; answered_at?: Timestamp }

/** The `answers` document: answers keyed by question id. */
export type Answers = Record<string, Answer>

/** Feedback on one question. */
export interface QuestionFeedback {
  question_id: string
  kind: Question['type']
  outcome: 'correct' | 'partial' | 'incorrect' | 'unanswered' | 'pending_review'
  /** Exact, to the millionth. */
  points_earned: number
  max_points: number
  message?: string
  explanation?: string
  grader_comment?: string
  /** Set by an instructor (an essay's grade, an override): a regrade keeps it. */
  manual?: boolean
}

/** The `feedback` document of a scored attempt. */
export interface Feedback {
  questions: QuestionFeedback[]
  summary: {
    points_earned: number
    total_points: number
    score?: number
    passed?: boolean
    minimum_passing_score: number
    pending_review: number
  }
}

// pure rules ----------------------------------------------------------------------

/** A scored answer sheet; `score` and `passed` are `null` while essays wait for a grade. */
export interface Scored {
  /** Exact, to the millionth (`0.5` for half of a 1-point question). */
  pointsEarned: number
  totalPoints: number
  /** The exact percentage; `null` while essays wait. */
  percentage: number | null
  /** The percentage rounded down. */
  score: number | null
  /** Whether the exact percentage reaches the passing score. */
  passed: boolean | null
  feedback: Feedback
}

/** An assessment's grade from its attempts (`gradeAttempts`). */
export interface AssessmentGrade {
  /** 0–100, the exact percentage rounded down; `null` without a grade yet. */
  score: number | null
  percentage: number | null
  passed: boolean | null
  /** The attempt the grade is (highest, first, last); `null` for an average. */
  attemptNumber: number | null
  /** Whether the grade waits for an essay to be graded. */
  pendingReview: boolean
}

/** `scoreMany`'s results as columns, one value per answer sheet. */
export interface ScoreColumns {
  pointsEarned: number[]
  totalPoints: number[]
  score: (number | null)[]
  passed: (boolean | null)[]
  /** With `{feedback: true}`. */
  feedback?: Feedback[]
}

/**
 * Scores many answer sheets against one question set in one call: columns, one value
 * per sheet (`pointsEarned`, `totalPoints`, `score`, `passed`, and `feedback` with
 * `{feedback: true}`). The first invalid sheet throws, its problems under the sheet's
 * index (`/12/q3`).
 */
export declare function scoreMany(questions: Question[], answers: Answers[], options?: ScoreOptions | undefined | null): ScoreColumns

/** What an assessment stores about its attempts; what is left out takes its default. */
export interface AttemptPolicy {
  /** How attempts combine into the grade (default `"highest"`). */
  gradingMethod: GradingMethod
  /** Whether a passed assessment may be taken again (default `"allow"`, as in Moodle). */
  retakePolicy: 'allow' | 'forbid'
  /** Seconds to wait after the first attempt before the second (default 0). */
  attemptDelaySeconds: number
  /** Seconds to wait after each later attempt (default 0). */
  laterAttemptDelaySeconds: number
  /** Overdue handling: auto-submit (the default), a grace period to submit only,
   * abandon, or reject a late submission. */
  timeLimitPolicy: 'autosubmit' | 'grace_period' | 'abandon' | 'reject'
  /** Seconds after the time limit, at most a day (default 30). */
  graceSeconds: number
  /** Each attempt shows the questions in its own order, kept when resumed. */
  shuffleQuestions: boolean
  /** Each attempt shows the options of its choice questions in its own order. */
  shuffleOptions: boolean
  /** Each attempt draws this many of the questions at random, its own draw kept when
   * resumed (`null`: every question); at least 1, at most their number. */
  drawQuestions: number | null
  /** When students see a finished attempt's score, points and pass (default
   * `immediately`). */
  reviewScore: ReviewMoment
  /** When they see whether each question was answered right (default `immediately`). */
  reviewCorrectness: ReviewMoment
  /** When they see the messages, explanations and grader's comments (default
   * `immediately`). */
  reviewFeedback: ReviewMoment
  /** When they see the right answers (default `never`). */
  reviewAnswers: ReviewMoment
}

/** When a student sees a part of a finished attempt's review: `after_close` once their
 * close time has passed (never without one). */
export type ReviewMoment = 'immediately' | 'after_close' | 'never'

/** A client's pool now (`lms.poolStats()`). */
export interface PoolStats {
  size: number
  idle: number
  inUse: number
  maxConnections: number
  closed: boolean
}

/** What the review of an attempt shows the actor now. */
export interface ReviewShown {
  score: boolean
  correctness: boolean
  feedback: boolean
  answers: boolean
}

/** An attempt's review as the actor may see it now (`attemptReview`): the attempt
 * without its score while hidden, without its feedback document unless score,
 * correctness and feedback are all shown; `feedback` with the hidden fields left out;
 * `questions` with their answer keys once the right answers are shown (`null` while the
 * attempt is open). */
export interface AttemptReview {
  attempt: Attempt
  shown: ReviewShown
  feedback: JsonObject | null
  questions: JsonObject[] | null
}

/** An assessment's attempt rules: its limits and policy; what is left out takes its
 * default. */
export interface AttemptRules extends AttemptPolicy {
  /** `null`: unlimited (the default). */
  maxAttempts: number | null
  /** `null`: untimed (the default). */
  timeLimitMinutes: number | null
  /** No attempt starts before (default: none). */
  opensAt?: Timestamp | null
  /** No attempt starts after; an attempt's deadline is at most this (default: none). */
  closesAt?: Timestamp | null
  /** A submission after it is late (default: none). */
  dueAt?: Timestamp | null
  /** What late work is worth: the assessment's, else its course's (default: none). */
  latePolicy?: LatePolicy | null
}

/** What late work is worth (Canvas's late policy): `deductionPercent` percentage points
 * off per late `interval` begun after the due time, never below `floorPercent`. */
export interface LatePolicy {
  deductionPercent: number
  interval: 'hour' | 'day'
  floorPercent: number
  /** The grade of work not submitted by the close time (in the course grade). */
  missingPercent?: number
}

/** A student's accommodation at one assessment (`assessmentId`), or every assessment of
 * a course (`assessmentId` null). */
export interface Accommodation {
  id: Id
  courseId: Id
  studentId: Id
  assessmentId: Id | null
  /** Minutes added to a time limit. */
  extraMinutes: number
  /** A factor on the time limit (1.5: half as long again); the longer of the two wins. */
  timeFactor: number
  /** Attempts beyond the limit. */
  extraAttempts: number
  /** A later close time. */
  closesAt: Timestamp | null
  /** A later due time. */
  dueAt: Timestamp | null
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** What a member of a course's staff may do: author and grade, or grade only. */
export type StaffRole = 'co_instructor' | 'grader'

/** A member of a course's staff besides its instructor. */
export interface CourseStaff {
  courseId: Id
  userId: Id
  role: StaffRole
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** What `setAccommodation` sets: whose, where, and what (each left out changes nothing). */
export interface NewAccommodation {
  courseId: Id
  studentId: Id
  /** One assessment of the course; left out: every assessment of it. */
  assessmentId?: Id | null
  extraMinutes?: number
  timeFactor?: number
  extraAttempts?: number
  closesAt?: Timestamp | null
  dueAt?: Timestamp | null
}

/** A previous attempt, as `mayStart` needs it. */
export interface AttemptSummary {
  attemptNumber: number
  startedAt: Timestamp
  submittedAt?: Timestamp | null
  /** Overdue and never submitted: counts as an attempt, never graded. */
  abandonedAt?: Timestamp | null
  score?: number | null
  passed?: boolean | null
  /** Exact points, what averages are computed from. */
  pointsEarned?: number | null
  totalPoints?: number | null
}

/** May an attempt start: a new one, the open one resumed, or the expired open one to
 * close first. */
export type StartDecision =
  | { kind: 'new'; attemptNumber: number }
  | { kind: 'resume'; attemptNumber: number; deadline: Timestamp | null }
  | { kind: 'close_expired'; attemptNumber: number; deadline: Timestamp }

/** The time limit's verdict on a submission. */
export interface SubmissionVerdict {
  /** Questions whose answers count. */
  kept: string[]
  /** Questions whose answers were saved too late. */
  dropped: string[]
  late: boolean
  /** What to store as the submission time (the deadline when late). */
  submittedAt: Timestamp
  timeSpentSeconds: number
  /** Seconds after the due time of `submittedAt`; `null` when on time. */
  pastDueSeconds: number | null
}

/** A lesson's progress. */
export interface LessonProgress {
  status: ProgressStatus
  completionPercentage: number
}

/** Something that happened to a lesson, tagged by `kind`. */
export type ProgressEvent =
  | { kind: 'prerequisites_met' }
  | { kind: 'prerequisites_unmet' }
  | { kind: 'content_progress'; blocksDone: number; blocksTotal: number; assessment: AssessmentState }
  | { kind: 'assessment_submitted'; mandatory: boolean; passed: boolean; blocksDone: number; blocksTotal: number }
  | { kind: 'instructor_reset'; prerequisitesMet: boolean }

/** What is known about a student and a lesson, for `lessonProgress`. */
export interface LessonFacts {
  prerequisitesMet: boolean
  blocksDone: number
  blocksTotal: number
  assessment: AssessmentState
  accessed: boolean
  previous: LessonProgress | null
}

/** A course with its lessons, blocks and assessments, as the library returns them. */
export interface PublishOutline {
  course: Course
  lessons?: Lesson[]
  blocks?: ContentBlock[]
  assessments?: Assessment[]
}

/** One reason a course cannot be published, tagged by `problem` (`no_lessons`,
 * `lesson_without_assessment`, `invalid_content`, `prerequisite_cycle`, …). */
export interface PublishProblem {
  problem: string
  lesson?: Id
  block?: Id
  assessment?: Id
  problems?: Problem[]
  [key: string]: unknown
}

// entities ------------------------------------------------------------------------

/** A page of a list: `nextOffset` is `null` on the last page; `total` counts every row
 * when the list knows it cheaply (`null` otherwise). */
export interface Paged<T> {
  items: T[]
  nextOffset: number | null
  total: number | null
}

export interface Profile {
  id: Id
  email: string | null
  role: UserRole
  firstName: string | null
  lastName: string | null
  avatarUrl: string | null
  learningPreferences: JsonObject | null
  knowledgeProfile: JsonObject
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** A group of a grading scheme: its weight among the groups, and how many of its lowest
 * grades are dropped. */
export interface GradeGroup {
  name: string
  weight: number
  drop_lowest?: number
}

/** How one assessment counts: its group (by name) and its weight (default 1). */
export interface GradedAssessment {
  assessment_id: Id
  group?: string
  weight?: number
}

/** A course's grading scheme, a document (snake_case keys, as stored); `{}`: every
 * assessment counts alike. */
export interface GradingScheme {
  groups?: GradeGroup[]
  assessments?: GradedAssessment[]
}

/** A group's grades within a course grade. */
export interface GroupGrade {
  name: string
  weight: number
  currentPercent: number | null
  finalPercent: number | null
  /** Dropped from the current grade. */
  dropped: Id[]
  /** Dropped from the final grade. */
  finalDropped: Id[]
  counted: number
  graded: number
}

/** A course grade: `currentPercent` over graded work, `finalPercent` with ungraded work
 * as 0 (each null when nothing counts), and each group's. */
export interface CourseGrade {
  currentPercent: number | null
  finalPercent: number | null
  counted: number
  graded: number
  groups: GroupGrade[]
  /** The assessments graded as missing work (the late policy's grade). */
  missingWork: Id[]
}

/** One student's course grade, with their name to show. */
export interface StudentCourseGrade extends CourseGrade {
  studentId: Id
  studentName: string | null
  studentEmail: string | null
}

/** One page of a course's grades. */
export interface CourseGrades {
  courseId: Id
  grades: StudentCourseGrade[]
  nextOffset: number | null
  total: number
  version: string
}

export interface Course {
  id: Id
  title: string
  description: string | null
  instructorId: Id
  finalAssessmentId: Id | null
  tags: string[]
  difficultyLevel: DifficultyLevel | null
  estimatedDurationMinutes: number | null
  isPublished: boolean
  /** The late policy of every assessment without its own. */
  latePolicy: LatePolicy | null
  /** How its assessments make its grade. */
  gradingScheme: GradingScheme
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface Lesson {
  id: Id
  courseId: Id
  title: string
  description: string | null
  orderIndex: number
  learningObjectives: string[]
  estimatedDurationMinutes: number | null
  assessmentId: Id | null
  prerequisites: Id[]
  isPublished: boolean
  /** When it opens to its students (null: as soon as it is published). */
  unlocksAt: Timestamp | null
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** A lesson of a course's public outline. */
export interface OutlineLesson {
  id: Id
  courseId: Id
  title: string
  description: string | null
  orderIndex: number
  learningObjectives: string[]
  estimatedDurationMinutes: number | null
  unlocksAt: Timestamp | null
}

export interface ContentBlock {
  id: Id
  lessonId: Id
  type: ContentType
  /** The content document for the type (`{rich_text: {html}}`, …). */
  content: JsonObject
  orderIndex: number
  metadata: JsonObject
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface Assessment {
  id: Id
  lessonId: Id | null
  courseId: Id | null
  title: string
  description: string | null
  questions: Question[]
  aiGenerated: boolean
  sourceContentIds: Id[]
  isMandatory: boolean
  minimumPassingScore: number
  maxAttempts: number | null
  timeLimitMinutes: number | null
  gradingMethod: GradingMethod
  retakePolicy: AttemptPolicy['retakePolicy']
  attemptDelaySeconds: number
  laterAttemptDelaySeconds: number
  timeLimitPolicy: AttemptPolicy['timeLimitPolicy']
  graceSeconds: number
  shuffleQuestions: boolean
  shuffleOptions: boolean
  drawQuestions: number | null
  reviewScore: ReviewMoment
  reviewCorrectness: ReviewMoment
  reviewFeedback: ReviewMoment
  reviewAnswers: ReviewMoment
  opensAt: Timestamp | null
  closesAt: Timestamp | null
  dueAt: Timestamp | null
  /** Its own late policy; `null`: the course's applies. */
  latePolicy: LatePolicy | null
  /** 1 when created, one more at each change of the questions. */
  questionsVersion: number
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface Enrollment {
  id: Id
  studentId: Id
  courseId: Id
  enrolledAt: Timestamp
  completedAt: Timestamp | null
  progress: JsonObject
}

/** An enrolment of the acting student, with its course's title. */
export interface MyEnrollment extends Enrollment {
  courseTitle: string
}

export interface Attempt {
  id: Id
  assessmentId: Id
  studentId: Id
  attemptNumber: number
  answers: Answers
  score: number | null
  /** Rounded down; the exact value is `exactPointsEarned`. */
  pointsEarned: number | null
  exactPointsEarned: number | null
  totalPoints: number | null
  passed: boolean | null
  timeSpentSeconds: number | null
  startedAt: Timestamp
  submittedAt: Timestamp | null
  abandonedAt: Timestamp | null
  /** The version of the questions it is scored against. */
  questionsVersion: number
  feedback: Feedback | null
  /** Seconds after the student's due time it was submitted; `null`: on time. Its
   * `score`, points and `passed` are then what the late policy leaves. */
  lateSeconds: number | null
  /** Exact points before any late deduction. */
  rawPointsEarned: number | null
  /** Score before any late deduction. */
  rawScore: number | null
}

/** One attempt's result before and after a regrade. */
export interface RegradeChange {
  attemptId: Id
  studentId: Id
  attemptNumber: number
  oldPointsEarned: number
  newPointsEarned: number
  totalPoints: number
  oldScore: number | null
  newScore: number | null
  oldPassed: boolean | null
  newPassed: boolean | null
}

/** What `regradeAssessment` found (and, unless a dry run, wrote). */
export interface RegradeReport {
  assessmentId: Id
  dryRun: boolean
  questionsVersion: number
  attemptsRegraded: number
  changes: RegradeChange[]
}

/** What `closeOverdueAttempts` closed. */
export interface ClosedAttempts {
  closed: { attemptId: Id; assessmentId: Id; studentId: Id; closedAs: 'submitted' | 'abandoned' }[]
  /** Overdue attempts left alone because their student was busy (call again). */
  busy: number
}

/** A started (or resumed) attempt: the questions without keys, the deadline. */
export interface StartedAttempt {
  attempt: Attempt
  questions: StudentQuestion[]
  deadline: Timestamp | null
  resumed: boolean
}

/** A submitted attempt and what it changed. */
export interface SubmittedAttempt {
  attempt: Attempt
  late: boolean
  droppedAnswers: string[]
  pendingReview: string[]
  unlockedLessons: Id[]
  courseCompleted: boolean
}

export interface Progress {
  id: Id
  studentId: Id
  courseId: Id
  lessonId: Id | null
  assessmentId: Id | null
  status: ProgressStatus
  completionPercentage: number
  lastAccessed: Timestamp | null
  timeSpentSeconds: number
  attemptsCount: number
  bestScore: number | null
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface Roadmap {
  id: Id
  studentId: Id
  courseId: Id | null
  roadmapData: JsonObject
  aiReasoning: string | null
  status: RoadmapStatus
  generatedAt: Timestamp
  updatedAt: Timestamp
}

/** A student's active roadmap of a course, and whether it is stale (their progress,
 * attempts or the course's knowledge model changed since it was generated). */
export interface CourseRoadmap extends Roadmap {
  stale: boolean
}

/** Bayesian Knowledge Tracing parameters of one skill. */
export interface BktParams {
  prior: number
  learn: number
  guess: number
  slip: number
  forget?: number
}

/** One BKT update: P(correct) predicted before the answer, P(known) after. */
export interface BktStep {
  predicted: number
  mastery: number
}

/** One answer of a student to a skill, in answering order. */
export interface AnswerRow {
  student: string
  skill: string
  correct: boolean
}

/** How to fit BKT parameters. */
export interface FitOptions {
  restarts?: number
  seed?: number
  maxIterations?: number
  tolerance?: number
  forgets?: boolean
}

/** The fit of one skill. */
export interface SkillFit {
  skill: string
  params: BktParams
  logLikelihood: number
  iterations: number
  answers: number
  sequences: number
}

/** A course's BKT parameters: per skill, and the default for the others (snake_case,
 * as the library writes it). */
export interface KnowledgeModel {
  default?: BktParams | null
  skills?: Record<string, BktParams>
}

/** A knowledge profile traced from observations, each change explained. */
export interface TracedKnowledge {
  profile: JsonObject
  changes: Array<{ skill: string; question_id: string; correct: boolean; before: number; after: number }>
}

/** What the planner looks at (snake_case, as the library writes it): `Scope.roadmapInput`
 * resolves with it, `planRoadmap` takes it. */
export type PlanInput = JsonObject

/** A `roadmap_data` document (snake_case). */
export type RoadmapData = JsonObject

/** A planned roadmap: the `roadmap_data` document and the readable summary. */
export interface PlannedRoadmap {
  data: RoadmapData
  reasoning: string
}

/** A rule a roadmap proposal breaks. */
export interface RoadmapViolation {
  code:
    | 'wrong_course'
    | 'not_in_plan'
    | 'duplicate_step'
    | 'required_step_dropped'
    | 'prerequisite_order'
    | 'final_before_lessons'
    | 'unknown_content'
    | 'status_changed'
    | 'invalid_document'
  step: number | null
  message: string
}

/** The roadmap to store given a proposal, and the rules it broke. */
export interface RoadmapDecision {
  roadmap: PlannedRoadmap
  accepted: boolean
  violations: RoadmapViolation[]
}

/** What became of a proposal handed to `Scope.proposeRoadmap`. */
export interface ProposalOutcome {
  accepted: boolean
  roadmap: CourseRoadmap | null
  violations: RoadmapViolation[]
}

/** A course's fitted knowledge model. */
export interface FittedModel {
  courseId: Id
  skills: SkillFit[]
  answers: number
}

/** What `Scope.regenerateRoadmaps` did: the others were regenerated, these failed. */
export interface Regenerated {
  regenerated: number
  fresh: number
  failed: Array<{ studentId: Id; code: string; message: string }>
}

export interface LearningProgress {
  id: Id
  studentId: Id
  contentId: Id
  contentType: string
  progressData: JsonObject
  completedAt: Timestamp | null
  timeSpentSeconds: number
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** Every row about a user (GDPR portability); rows as stored, snake_case. */
export interface UserExport {
  format: string
  exportedAt: Timestamp
  userId: Id
  tables: Record<string, JsonObject[]>
}

/** What erasing a user did. */
export interface Erasure {
  userId: Id
  successor: Id | null
  transferredCourses: number
  deleted: Record<string, number>
}

export interface AuditEntry {
  id: number
  occurredAt: Timestamp
  actorId: Id | null
  actorRole: 'authenticated' | 'anon' | 'service' | 'system'
  action: 'insert' | 'update' | 'delete' | 'sign_in_failed'
  tableName: string
  rowId: Id | null
  /** The row before, as stored (snake_case). */
  oldData: JsonObject | null
  /** The row after, as stored (snake_case). */
  newData: JsonObject | null
}

// read models ---------------------------------------------------------------------

/** A student's results on one assessment. */
export interface GradeSummary {
  studentId: Id
  assessmentId: Id
  courseId: Id
  attempts: number
  submitted: number
  awaitingGrading: number
  bestScore: number | null
  passed: boolean
  lastSubmittedAt: Timestamp | null
  assessmentTitle: string | null
}

/** A gradebook row: a grade summary with the student's name and e-mail. */
export interface GradebookEntry extends GradeSummary {
  studentName: string | null
  studentEmail: string | null
}

/** One page of a course's gradebook; `version` changes when its content does. */
export interface Gradebook {
  courseId: Id
  entries: GradebookEntry[]
  nextOffset: number | null
  total: number
  /** The course grade of each student of the page. */
  courseGrades: StudentCourseGrade[]
  version: string
}

/** A course on a student's dashboard. */
export interface DashboardCourse {
  courseId: Id
  title: string
  enrolledAt: Timestamp
  completedAt: Timestamp | null
  completionPercentage: number
  lastAccessed: Timestamp | null
  /** The student's grade in the course. */
  grade: CourseGrade
}

/** The acting student's dashboard; `version` changes when its content does. */
export interface Dashboard {
  studentId: Id
  courses: DashboardCourse[]
  assessments: GradeSummary[]
  version: string
}

// course analytics ----------------------------------------------------------------

/** One published lesson of a completion funnel. */
export interface FunnelStep {
  lessonId: Id
  title: string
  /** Students enrolled in the course. */
  enrolled: number
  /** Enrolled students who opened the lesson, are in progress or completed it. */
  started: number
  completed: number
  assessmentId: Id | null
  /** Enrolled students who passed the lesson's assessment (null without one). */
  passed: number | null
  /** Median seconds spent by those who started it. */
  medianSeconds: number | null
  /** `1 − completed ÷ the previous lesson's completed` (the enrolled for the first). */
  dropOff: number | null
}

/** A course's completion funnel, its published lessons in course order. */
export interface CompletionFunnel {
  courseId: Id
  enrolled: number
  completed: number
  finalAssessmentId: Id | null
  finalPassed: number | null
  lessons: FunnelStep[]
}

/** Which graded attempts item analysis reads. */
export type AttemptFilter = 'all' | 'first' | 'last'

/** Options of `Scope.itemAnalysis`. */
export interface ItemAnalysisOptions {
  /** Every graded attempt (default), or each student's first or last. */
  attempts?: AttemptFilter
}

/** How often an option was selected (`'true'`/`'false'` for a true/false question). */
export interface OptionShare {
  optionId: string
  text: string
  /** Whether selecting it earns credit. */
  correct: boolean
  count: number
  /** `count ÷` the question's attempts. */
  share: number
}

/** A wrong short answer (trimmed, lower case) and how often it was given. */
export interface AnswerCount {
  answer: string
  count: number
  share: number
}

/** One question of an item analysis. */
export interface ItemReport {
  questionId: string
  kind: 'multiple_choice' | 'true_false' | 'short_answer' | 'essay'
  prompt: string
  maxPoints: number
  attempts: number
  /** Mean credit, 0–1. */
  facility: number | null
  /** Corrected item–total correlation. */
  discrimination: number | null
  meanPoints: number | null
  /** Attempts by outcome. */
  outcomes: { correct?: number; partial?: number; incorrect?: number; unanswered?: number; pendingReview?: number }
  options: OptionShare[]
  wrongAnswers: AnswerCount[]
}

/** One bar of a score histogram: scores `from` to `to` (excluded, but 100 in the last). */
export interface HistogramBin {
  from: number
  to: number
  count: number
}

/** Item analysis of an assessment (definitions in docs/analytics.md). */
export interface ItemAnalysis {
  assessmentId: Id
  title: string
  attemptsRead: AttemptFilter
  attempts: number
  completeAttempts: number
  meanScore: number | null
  stdDevScore: number | null
  cronbachAlpha: number | null
  passRate: number | null
  histogram: HistogramBin[]
  items: ItemReport[]
}

/** When a student is at risk; each optional (the defaults in brackets). */
export interface RiskThresholds {
  /** Inactive for at least this many days [14]. */
  inactiveDays?: number
  /** Behind below this share of the cohort's median pace [0.5]. */
  paceRatio?: number
  /** Pace judged after this many days of enrolment [7]. */
  minDaysEnrolled?: number
  /** Failed attempts at one assessment never passed [3]. */
  failedAttempts?: number
  /** A course skill's mastery below this [0.4]… */
  masteryBelow?: number
  /** …on at least this many graded answers [3]. */
  minEvidence?: number
}

/** Why a student is at risk, with the numbers behind it. */
export type RiskReason =
  | { reason: 'inactive'; days: number; lastActiveAt: Timestamp | null }
  | { reason: 'behind_pace'; pace: number; cohortMedian: number }
  | { reason: 'repeatedly_failing'; assessmentId: Id; failedAttempts: number }
  | { reason: 'low_mastery'; skill: string; mastery: number; evidence: number }

/** A student at risk. */
export interface AtRiskStudent {
  studentId: Id
  studentName: string | null
  studentEmail: string | null
  enrolledAt: Timestamp
  lastActiveAt: Timestamp | null
  completedLessons: number
  /** Lessons completed a week since enrolling. */
  pace: number
  reasons: RiskReason[]
}

/** The students at risk in a course, most reasons first. */
export interface AtRiskReport {
  courseId: Id
  computedAt: Timestamp
  thresholds: Required<RiskThresholds>
  cohort: number
  cohortMedianPace: number | null
  students: AtRiskStudent[]
}

/** Options of `Scope.activity`. */
export interface ActivityOptions {
  /** `'day'` (default) or `'week'` (from Monday). */
  bucket?: 'day' | 'week'
  /** First UTC day, `'YYYY-MM-DD'` (default: the first enrolment). */
  since?: string
  /** Last UTC day, included (default: today). */
  until?: string
}

/** One bucket of a course's activity. */
export interface ActivityPoint {
  /** The bucket's first day, `'YYYY-MM-DD'`. */
  start: string
  activeStudents: number
  submissions: number
  completions: number
  seconds: number
}

/** A stored document the library would not store as it is. */
export interface StoredDocument {
  column: { table: string; column: string; document: string }
  rowId: Id
  issue: { kind: 'invalid'; problems: Problem[] } | { kind: 'not_normalized' }
}

/** The stored documents checked by the library's rules. */
export interface DocumentReport {
  checked: number
  invalid: number
  notNormalized: number
  /** At most 1,000 of them. */
  documents: StoredDocument[]
}

/** What `repairDocuments` rewrote, and what is left (documents it cannot repair). */
export interface DocumentRepair {
  repaired: number
  remaining: DocumentReport
}

// changes (the arguments of the update* methods) -----------------------------------

export interface CourseChanges {
  title?: string
  description?: string | null
  finalAssessmentId?: Id | null
  tags?: string[]
  difficultyLevel?: DifficultyLevel | null
  estimatedDurationMinutes?: number | null
  latePolicy?: LatePolicy | null
}

export interface LessonChanges {
  title?: string
  description?: string | null
  orderIndex?: number
  learningObjectives?: string[]
  estimatedDurationMinutes?: number | null
  assessmentId?: Id | null
  prerequisites?: Id[]
  isPublished?: boolean
  /** When it opens to its students (null: as soon as it is published). */
  unlocksAt?: Timestamp | null
}

export interface AssessmentChanges {
  title?: string
  description?: string | null
  questions?: Question[]
  isMandatory?: boolean
  minimumPassingScore?: number
  maxAttempts?: number | null
  timeLimitMinutes?: number | null
  gradingMethod?: GradingMethod
  retakePolicy?: AttemptPolicy['retakePolicy']
  attemptDelaySeconds?: number
  laterAttemptDelaySeconds?: number
  timeLimitPolicy?: AttemptPolicy['timeLimitPolicy']
  graceSeconds?: number
  shuffleQuestions?: boolean
  shuffleOptions?: boolean
  drawQuestions?: number | null
  reviewScore?: ReviewMoment
  reviewCorrectness?: ReviewMoment
  reviewFeedback?: ReviewMoment
  reviewAnswers?: ReviewMoment
  opensAt?: Timestamp | null
  closesAt?: Timestamp | null
  dueAt?: Timestamp | null
  /** `null`: the course's applies. */
  latePolicy?: LatePolicy | null
}

export interface ProfileChanges {
  firstName?: string | null
  lastName?: string | null
  /** An https URL. */
  avatarUrl?: string | null
  /** The learning-preferences document (its keys as the document has them). */
  learningPreferences?: JsonObject
  /** The knowledge-profile document. */
  knowledgeProfile?: JsonObject
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** A connection to an lms database: a pool shared by every scope and every call. */
export declare class Lms {
  /** Connects to the database at `url` (`postgres://…`). */
  static connect(url: string, options?: ConnectOptions | undefined | null): Promise<Lms>
  /** Applies the library's pending migrations. */
  migrate(): Promise<void>
  /**
   * A scope acting as the user `userId` (a UUID string), under Row Level Security as
   * the `authenticated` role. The library trusts this id: pass the `sub` of a token
   * your server has verified, never an id a client sent.
   */
  asUser(userId: string): Scope
  /** A scope for a visitor who is not signed in (the public catalog). */
  asAnon(): Scope
  /**
   * A scope for trusted back-office jobs (`service_role`, which bypasses Row Level
   * Security). Never use it for a request of an end user.
   */
  asService(): Scope
  /**
   * Closes the pool; later calls reject with `LMS_DATABASE`. Closing twice is
   * harmless.
   */
  close(): Promise<void>
  /** Whether `close()` was called. */
  get closed(): boolean
  /** Whether it goes through a transaction pooler (`connect(url, { pooled: true })`). */
  get pooled(): boolean
  /** The number of read replicas (`connect(url, { replicas })`). */
  get replicaCount(): number
  /**
   * The pool's statistics now: connections open (`size`), `idle`, `inUse`, its
   * `maxConnections`, and whether it is `closed`.
   */
  poolStats(): PoolStats
}

/**
 * Every use case of the library, acting for one actor (see `Lms.asUser`); each call is
 * one transaction and returns a Promise.
 */
export declare class Scope {
  /**
   * Who this scope acts for: `{kind: "user", userId}`, `{kind: "anon"}` or
   * `{kind: "service"}`.
   */
  get actor(): { kind: 'user' | 'anon' | 'service'; userId?: string }
  /** Creates an unpublished course. */
  createCourse(course: CreateCourse): Promise<Course>
  /** One course, as the actor may see it. */
  getCourse(courseId: string): Promise<Course>
  /** Courses the actor may see, newest first: a page `{items, nextOffset, total}`. */
  listCourses(query?: CourseQuery | undefined | null): Promise<Paged<Course>>
  /**
   * Changes a course (its author): `title`, `description`, `finalAssessmentId`,
   * `tags`, `difficultyLevel`, `estimatedDurationMinutes`.
   */
  updateCourse(courseId: string, changes: CourseChanges): Promise<Course>
  /** Deletes a course with everything in it (its author). */
  deleteCourse(courseId: string): Promise<void>
  /** Adds a lesson; its prerequisites must keep the course's lessons a DAG. */
  createLesson(lesson: CreateLesson): Promise<Lesson>
  /** The lessons of a course the actor may see, in order. */
  listLessons(courseId: string): Promise<Lesson[]>
  /** A course's public outline (also for anonymous visitors). */
  courseOutline(courseId: string): Promise<OutlineLesson[]>
  /**
   * Changes a lesson: `title`, `description`, `orderIndex`, `learningObjectives`,
   * `estimatedDurationMinutes`, `assessmentId`, `prerequisites`, `isPublished`.
   */
  updateLesson(lessonId: string, changes: LessonChanges): Promise<Lesson>
  /** Puts a course's lessons in the order given (every one, once). */
  reorderLessons(courseId: string, order: Array<string>): Promise<Lesson[]>
  /** Adds a content block: validated for its type, stored normalized (HTML sanitized). */
  createBlock(block: CreateBlock): Promise<ContentBlock>
  /** The blocks of a lesson the actor may see, in order. */
  listBlocks(lessonId: string): Promise<ContentBlock[]>
  /** Changes a block: a new `content` with its `type`, `orderIndex`, `metadata`. */
  updateBlock(blockId: string, changes: UpdateBlock): Promise<ContentBlock>
  /** Puts a lesson's blocks in the order given (every one, once). */
  reorderBlocks(lessonId: string, order: Array<string>): Promise<ContentBlock[]>
  /**
   * Adds an assessment to a lesson or a course (a final assessment); its questions
   * are validated.
   */
  createAssessment(assessment: CreateAssessment): Promise<Assessment>
  /**
   * Changes an assessment: `title`, `description`, `questions`, `isMandatory`,
   * `minimumPassingScore`, `maxAttempts`, `timeLimitMinutes`, and the policy:
   * `gradingMethod`, `retakePolicy`, `attemptDelaySeconds`, `laterAttemptDelaySeconds`,
   * `timeLimitPolicy`, `graceSeconds`, `shuffleQuestions`, `shuffleOptions`.
   */
  updateAssessment(assessmentId: string, changes: AssessmentChanges): Promise<Assessment>
  /** An assessment with its answer keys (the course's author, admins, the service). */
  getAssessment(assessmentId: string): Promise<Assessment>
  /**
   * The questions as the actor may see them: with keys for the course's staff, the
   * student view for its students.
   */
  assessmentQuestions(assessmentId: string): Promise<Question[] | StudentQuestion[]>
  /**
   * Publishes a course and its lessons, or rejects with `LMS_NOT_PUBLISHABLE` and
   * every problem.
   */
  publishCourse(courseId: string): Promise<Course>
  /** Enrols the acting student in a published course. */
  enroll(courseId: string): Promise<Enrollment>
  /**
   * Records progress on a content block (a progress document and the seconds spent
   * since the last report) and updates the lesson's progress.
   */
  recordContentProgress(blockId: string, progressData: Record<string, unknown>, seconds?: number | undefined | null): Promise<Progress>
  /**
   * Starts (or resumes) an attempt: the attempt, the questions without keys, the
   * deadline.
   */
  startAttempt(assessmentId: string): Promise<StartedAttempt>
  /** Saves answers on the open attempt. */
  saveAnswers(assessmentId: string, answers: Answers): Promise<Attempt>
  /**
   * Submits answers: scores them, stores the result, updates progress. Answers that
   * answer nothing reject with `LMS_NO_ANSWERS` unless `{allowEmpty: true}`.
   */
  submitAttempt(assessmentId: string, answers: Answers, options?: SubmitOptions | undefined | null): Promise<SubmittedAttempt>
  /** The acting student's attempts at an assessment. */
  myAttempts(assessmentId: string): Promise<Attempt[]>
  /**
   * The review of an attempt as the actor may see it now: to its student, what the
   * assessment's review options show; to the course's staff, everything.
   */
  attemptReview(attemptId: string): Promise<AttemptReview>
  /** Grades one essay of a submitted attempt (the course's instructor, admins). */
  gradeEssay(attemptId: string, questionId: string, points: number, comment?: string | undefined | null): Promise<Attempt>
  /**
   * Overrides the points of any question of a submitted attempt (the course's
   * instructor, admins, the service): `points` exact (`0.75`), a comment.
   */
  overrideQuestion(attemptId: string, questionId: string, points: number, comment?: string | undefined | null): Promise<Attempt>
  /**
   * Re-scores the finished attempts of an assessment against its current questions
   * (the course's instructor, admins, the service); `{dryRun: true}` writes nothing.
   */
  regradeAssessment(assessmentId: string, options?: RegradeOptions | undefined | null): Promise<RegradeReport>
  /**
   * Closes up to `limit` (default 500) open attempts whose time ran out, by their
   * assessments' overdue handling (the service only; a cron job's call).
   */
  closeOverdueAttempts(limit?: number | undefined | null): Promise<ClosedAttempts>
  /**
   * Puts a user on a course's staff, or changes their role (the course's instructor,
   * admins, the service): `'co_instructor'` (authors and grades) or `'grader'` (reads
   * the gradebook and grades; no authoring).
   */
  addStaff(courseId: string, userId: string, role: StaffRole): Promise<CourseStaff>
  /**
   * Takes a user off a course's staff (the course's instructor, admins, the service),
   * or the caller off it (leaving).
   */
  removeStaff(courseId: string, userId: string): Promise<void>
  /** A course's staff besides its instructor, as the actor may see them. */
  listStaff(courseId: string): Promise<CourseStaff[]>
  /**
   * Sets how a course's assessments make its grade (its authors, admins, the
   * service): a grading-scheme document, `{groups: [{name, weight, drop_lowest}],
   * assessments: [{assessment_id, group, weight}]}` (`{}`: every assessment counts
   * alike), validated against the course. Returns the course.
   */
  setGradingScheme(courseId: string, scheme: GradingScheme): Promise<Course>
  /**
   * One page of a course's grades, a grade per enrolled student by name: `{courseId,
   * grades, nextOffset, total, version}` (the course's staff, admins, the service).
   */
  courseGrades(courseId: string, options?: PageOptions | undefined | null): Promise<CourseGrades>
  /**
   * Sets a student's accommodation at one assessment (`assessmentId`) or every
   * assessment of the course (the course's instructor, admins, the service): extra
   * minutes or a time factor, extra attempts, a later close and due time. Replaces the
   * one set for the same student and scope; the most lenient that applies wins.
   */
  setAccommodation(accommodation: NewAccommodation): Promise<Accommodation>
  /** Removes an accommodation (the course's instructor, admins, the service). */
  removeAccommodation(accommodationId: string): Promise<void>
  /** The accommodations of a course the actor may see (a student: their own). */
  listAccommodations(courseId: string): Promise<Accommodation[]>
  /**
   * The attempt rules that apply to a student at an assessment: limits, policy,
   * dates and late policy, their accommodations applied.
   */
  assessmentRules(assessmentId: string, studentId: string): Promise<AttemptRules>
  /** The acting student's progress rows on a course. */
  myProgress(courseId: string): Promise<Progress[]>
  /** The acting student's enrolments with their course titles. */
  myEnrollments(): Promise<MyEnrollment[]>
  /** The acting student's learning-progress records. */
  myLearningProgress(): Promise<LearningProgress[]>
  /** The acting student's roadmaps. */
  myRoadmaps(): Promise<Roadmap[]>
  /**
   * What the planner sees for the acting student in a course (the course graph, their
   * progress, mastery traced from their answers, preferences), snake_case as
   * `planRoadmap` takes it: what your own model looks at before `proposeRoadmap`.
   */
  roadmapInput(courseId: string): Promise<PlanInput>
  /**
   * Plans and stores a new active roadmap of the course for the acting student (or,
   * for the service, `studentId`), their mastery traced anew; the previous one is
   * paused or completed.
   */
  generateRoadmap(courseId: string, studentId?: string | undefined | null): Promise<CourseRoadmap>
  /**
   * The active roadmap of the course — the acting student's, or `studentId`'s as the
   * actor may read it — with `stale`; `null` if there is none.
   */
  currentRoadmap(courseId: string, studentId?: string | undefined | null): Promise<CourseRoadmap | null>
  /**
   * Stores your model's `proposal` (a roadmap_data document) as the acting student's
   * roadmap of the course if it breaks none of the course's rules against the
   * library's plan; refused, nothing is stored and `violations` say why.
   */
  proposeRoadmap(courseId: string, proposal: RoadmapData, options?: ProposeOptions | undefined | null): Promise<ProposalOutcome>
  /**
   * Generates anew every stale active roadmap of the course (its instructor, admins,
   * the service).
   */
  regenerateRoadmaps(courseId: string): Promise<Regenerated>
  /** The course's knowledge model (its instructor, admins, the service). */
  knowledgeModel(courseId: string): Promise<KnowledgeModel>
  /**
   * Sets BKT parameters of `skill`, or without one the course's default, by hand;
   * resolves with the model.
   */
  setKnowledgeModel(courseId: string, params: BktParams, skill?: string | undefined | null): Promise<KnowledgeModel>
  /**
   * Fits the course's knowledge model to its students' graded answers (its
   * instructor, admins, the service) and stores it.
   */
  fitKnowledgeModel(courseId: string, options?: FitOptions): Promise<FittedModel>
  /** The acting user's profile. */
  myProfile(): Promise<Profile>
  /**
   * Changes a profile: `firstName`, `lastName`, `avatarUrl` (https),
   * `learningPreferences` (validated; its keys as the document has them).
   */
  updateProfile(userId: string, changes: ProfileChanges): Promise<Profile>
  /** Sets another user's role (admins; nobody changes their own). */
  setRole(userId: string, role: UserRole): Promise<Profile>
  /** Signs a user up on plain PostgreSQL (the service; refused on Supabase). */
  signUp(user: SignUp): Promise<Profile>
  /** The profile of `userId`, created when missing (the service). */
  ensureProfile(userId: string, email?: string | undefined | null): Promise<Profile>
  /** Every row about a user (GDPR portability). */
  exportUserData(userId: string): Promise<UserExport>
  /** Erases a user (GDPR erasure); their courses go to `successor`. */
  eraseUser(userId: string, successor?: string | undefined | null): Promise<Erasure>
  /** Entries of the audit log, newest first (admins, the service): a page. */
  auditLog(query?: AuditQuery | undefined | null): Promise<Paged<AuditEntry>>
  /** Records a failed sign-in in the audit log. */
  recordFailedSignIn(email: string, reason: string): Promise<number>
  /**
   * One page of a course's gradebook: `{courseId, entries, nextOffset, total,
   * courseGrades, version}` (the course grade of each student of the page).
   */
  gradebook(courseId: string, options?: PageOptions | undefined | null): Promise<Gradebook>
  /** The acting student's dashboard: `{studentId, courses, assessments, version}`. */
  studentDashboard(): Promise<Dashboard>
  /**
   * A course's completion funnel: `{courseId, enrolled, completed, finalAssessmentId,
   * finalPassed, lessons}`, a line per published lesson in course order.
   */
  completionFunnel(courseId: string): Promise<CompletionFunnel>
  /**
   * Item analysis of an assessment over its graded attempts (`attempts`: `'all'`,
   * each student's `'first'` or `'last'`): the test's statistics and, per question,
   * facility, discrimination, outcomes, option shares and common wrong answers.
   */
  itemAnalysis(assessmentId: string, options?: ItemAnalysisOptions): Promise<ItemAnalysis>
  /**
   * The students at risk in a course, each with the reasons and the numbers behind
   * them; `thresholds` override the defaults (`inactiveDays` 14, `paceRatio` 0.5,
   * `minDaysEnrolled` 7, `failedAttempts` 3, `masteryBelow` 0.4, `minEvidence` 3).
   */
  atRiskStudents(courseId: string, thresholds?: RiskThresholds): Promise<AtRiskReport>
  /**
   * A course's activity per day or week (`bucket`), from `since` to `until`
   * (`'YYYY-MM-DD'`, UTC days, both included; by default from the first enrolment to
   * today): `[{start, activeStudents, submissions, completions, seconds}]`.
   */
  activity(courseId: string, options?: ActivityOptions): Promise<ActivityPoint[]>
  /** Checks every stored document by the library's rules (the service). */
  checkDocuments(): Promise<DocumentReport>
  /** Rewrites the stored documents only not in the library's form (the service). */
  repairDocuments(): Promise<DocumentRepair>
}

/** A lesson's progress (`{status, completionPercentage}`) after `event`. */
export declare function apply(progress: LessonProgress, event: ProgressEvent): LessonProgress

/**
 * The area under the ROC curve of `predictions` for `outcomes` (ties count half);
 * `null` without both outcomes or when the lengths differ.
 */
export declare function auc(predictions: Array<number>, outcomes: Array<boolean>): number | null

/** An audit log query. */
export interface AuditQuery {
  /** Only changes of this table. */
  tableName?: string
  /** Only changes of this row. */
  rowId?: string
  /** Only changes in this user's name. */
  actorId?: string
  /** `"insert"`, `"update"`, `"delete"` or `"sign_in_failed"`. */
  action?: string
  /** Entries at or after this time (ISO 8601). */
  since?: string
  /** Entries before this time (ISO 8601). */
  until?: string
  /** Rows of the page. */
  limit?: number
  /** Rows to skip. */
  offset?: number
}

/**
 * The P(correct) predicted before each answer of `rows` (`{student, skill, correct}` in
 * answering order; each student's sequence per skill traced apart) under `model`
 * (`{default, skills: {name: params}}`).
 */
export declare function bktPredict(rows: AnswerRow[], model?: KnowledgeModel): number[]

/**
 * One Bayesian Knowledge Tracing update from P(known) = `mastery` after an answer:
 * `{predicted, mastery}` (P(correct) before, P(known) after), with `params` (default
 * the library's).
 */
export declare function bktUpdate(mastery: number, correct: boolean, params?: BktParams): BktStep

/**
 * Calls the pure function `name` with an object of its named arguments and
 * returns its JSON as the library writes it (snake_case): the entry point of the
 * shared conformance vectors (`tests/vectors/`).
 */
export declare function callRule(name: string, input: Record<string, unknown>): unknown

/**
 * Every rule `proposal` (a roadmap_data document) breaks against the plan of `input`;
 * empty when it may replace the plan.
 */
export declare function checkRoadmap(input: PlanInput, proposal: RoadmapData): RoadmapViolation[]

/** Options of `Lms.connect`. */
export interface ConnectOptions {
  /** Connections of the pool (default 10). */
  maxConnections?: number
  /**
   * Seconds a call waits for a connection before failing with `LMS_DATABASE`
   * (default 5).
   */
  acquireTimeout?: number
  /**
   * Through a connection pooler in transaction mode (PgBouncer, Supabase's pooler on
   * port 6543): no statement kept prepared between transactions; `migrate` refused
   * (run migrations on a direct connection). Default false.
   */
  pooled?: boolean
  /**
   * Read replicas' URLs: the read models and a visitor's catalog run on one that
   * streams within `maxReplicaLag`, else on the primary.
   */
  replicas?: Array<string>
  /** Seconds a replica may lag behind to be used (default 10). */
  maxReplicaLag?: number
  /**
   * Milliseconds after which a statement is logged as slow on standard error
   * (`lms WARN sqlx::query: slow statement: …`; default 1000).
   */
  slowStatementMs?: number
}

/**
 * Whether a course is complete: every lesson `"completed"` and the final assessment
 * `"passed"` or `"not_required"` (the default).
 */
export declare function courseComplete(lessons: ProgressStatus[], finalAssessment?: AssessmentState): boolean

/** A catalog query: a filter and a page. */
export interface CourseQuery {
  /** Only courses carrying this tag. */
  tag?: string
  /** Only courses of this difficulty. */
  difficulty?: DifficultyLevel
  /** Only published (`true`) or draft (`false`) courses. */
  published?: boolean
  /** Only courses of this instructor. */
  instructorId?: string
  /** Rows of the page (default 50). */
  limit?: number
  /** Rows to skip. */
  offset?: number
}

/** A new assessment of a lesson (`lessonId`) or a course (`courseId`, a final one). */
export interface CreateAssessment {
  /** Title. */
  title: string
  /** The questions (a question set). */
  questions: Question[]
  /** The lesson it belongs to. */
  lessonId?: string
  /** The course it is the final assessment of. */
  courseId?: string
  /** Description. */
  description?: string
  /** Whether an AI wrote it. */
  aiGenerated?: boolean
  /** The content blocks it was made from. */
  sourceContentIds?: Array<string>
  /** Whether passing is needed to complete the lesson (default true). */
  isMandatory?: boolean
  /** The passing score 0–100 (default 70). */
  minimumPassingScore?: number
  /** Attempts allowed (default unlimited). */
  maxAttempts?: number
  /** Minutes (default untimed). */
  timeLimitMinutes?: number
  /**
   * The attempt policy (`gradingMethod`, `retakePolicy`, `attemptDelaySeconds`,
   * `laterAttemptDelaySeconds`, `timeLimitPolicy`, `graceSeconds`, `shuffleQuestions`,
   * `shuffleOptions`); each left out takes its default.
   */
  policy?: Partial<AttemptPolicy>
  /** No attempt starts before (ISO 8601). */
  opensAt?: string
  /** No attempt starts after; open attempts end by it (ISO 8601). */
  closesAt?: string
  /** A submission after it is late (ISO 8601). */
  dueAt?: string
  /** Its own late policy (default: the course's). */
  latePolicy?: LatePolicy | null
}

/** A new content block. */
export interface CreateBlock {
  /** The lesson. */
  lessonId: string
  /** `"rich_text"`, `"image"`, `"video"`, `"file"` or `"youtube"`. */
  type: ContentType
  /** The content document for the type (`{rich_text: {html}}`, …). */
  content: Record<string, unknown>
  /** Position in the lesson, from 0. */
  orderIndex: number
  /** Free properties (`{source: "…"}`). */
  metadata?: Record<string, unknown>
}

/** A new course. */
export interface CreateCourse {
  /** Title. */
  title: string
  /** The owning instructor. */
  instructorId: string
  /** Description. */
  description?: string
  /** Tags. */
  tags?: Array<string>
  /** `"beginner"`, `"intermediate"` or `"advanced"`. */
  difficultyLevel?: DifficultyLevel
  /** Estimated duration in minutes. */
  estimatedDurationMinutes?: number
}

/** A new lesson. */
export interface CreateLesson {
  /** The course. */
  courseId: string
  /** Title. */
  title: string
  /** Position in the course, from 0. */
  orderIndex: number
  /** Description. */
  description?: string
  /** What the lesson teaches. */
  learningObjectives?: Array<string>
  /** Estimated duration in minutes. */
  estimatedDurationMinutes?: number
  /** Lessons of the course to complete first. */
  prerequisites?: Array<string>
}

/**
 * The roadmap to store given an advisor's `proposal` for `input`: the proposal when it
 * breaks no rule, else the plan, the verdict in its `advisor` note.
 */
export declare function decideRoadmap(input: PlanInput, proposal: RoadmapData, source?: string | undefined | null, reasoning?: string | undefined | null): RoadmapDecision

/** The names of the documents `validate` and `jsonSchema` know. */
export declare function documents(): Array<string>

/**
 * Every error code, as `err.code` carries it (`LMS_` + upper case), with its
 * recommended HTTP status.
 */
export declare function errorCodes(): Record<string, number>

/**
 * Fits BKT parameters to `rows` (as `bktPredict` takes them) per skill, by EM from
 * seeded starts (`{restarts, seed, maxIterations, tolerance, forgets}`).
 */
export declare function fitBkt(rows: AnswerRow[], options?: FitOptions): SkillFit[]

/** The grade over attempts' scores (in attempt order); `null` without scores. */
export declare function grade(scores: Array<number>, options?: GradeOptions | undefined | null): number | null

/**
 * The grade of an assessment from its attempts, with Moodle's semantics: finished
 * attempts only, averages from exact points, first/last "no grade yet" while that
 * attempt awaits grading.
 */
export declare function gradeAttempts(attempts: AttemptSummary[], options?: GradeAttemptsOptions | undefined | null): AssessmentGrade

/** Options of `gradeAttempts`. */
export interface GradeAttemptsOptions {
  /** `"highest"` (default), `"first"`, `"last"` or `"average"`. */
  method?: GradingMethod
  /** The passing score 0–100 (default 70). */
  passing?: number
}

/**
 * Grades one essay of a scored attempt (`scored`: what `score` returned): `points` in
 * 0..=the question's points, an optional comment.
 */
export declare function gradeEssay(scored: Scored, questionId: string, points: number, comment?: string | undefined | null): Scored

/** Options of `grade`. */
export interface GradeOptions {
  /** `"highest"` (default), `"first"`, `"last"` or `"average"` (rounded down). */
  method?: GradingMethod
}

/**
 * Overrides the points of any question of a scored attempt (`scored`: what `score`
 * returned): `points` in 0..=the question's points, exact to the millionth, an
 * optional comment; the entry is marked `manual` (a regrade keeps it).
 */
export declare function gradeQuestion(scored: Scored, questionId: string, points: number, comment?: string | undefined | null): Scored

/** The JSON Schema (draft 2020-12) of the document named `document`. */
export declare function jsonSchema(document: string): Record<string, unknown>

/** A lesson and its prerequisites. */
export interface LessonNode {
  /** The lesson. */
  id: string
  /** Lessons to complete first. */
  prerequisites?: Array<string>
}

/**
 * A lesson's progress from facts (`prerequisitesMet`, `blocksDone`, `blocksTotal`,
 * `assessment`, `accessed`, `previous`).
 */
export declare function lessonProgress(facts: LessonFacts): LessonProgress

/**
 * May an attempt start? `{kind: "new" | "resume" | "close_expired", attemptNumber,
 * deadline?}`, or throws (`LMS_PREREQUISITES_UNMET`, `LMS_ATTEMPT_LIMIT_REACHED`,
 * `LMS_CONFLICT` when passed).
 */
export declare function mayStart(input?: MayStartInput | undefined | null): StartDecision

/** What `mayStart` is asked about. */
export interface MayStartInput {
  /**
   * The assessment's rules (`maxAttempts`, `timeLimitMinutes`, `graceSeconds`,
   * `retakePolicy`, `timeLimitPolicy`, `gradingMethod`); default unlimited, untimed.
   */
  rules?: Partial<AttemptRules>
  /**
   * The student's attempts (`attemptNumber`, `startedAt`, `submittedAt`, `score`,
   * `passed`).
   */
  previous?: AttemptSummary[]
  /** Prerequisite lessons still to complete. */
  missing?: Array<string>
  /** The time (ISO 8601), default now. */
  now?: string
}

/** The prerequisites of `lesson` not in `completed`. */
export declare function missing(lessons: Array<LessonNode>, lesson: string, completed?: Array<string> | undefined | null): string[]

/** A page of a list. */
export interface PageOptions {
  /** Rows of the page (default 50, at most 500). */
  limit?: number
  /** Rows to skip (default 0). */
  offset?: number
}

/**
 * Plans a roadmap from `input` (what `Scope.roadmapInput` resolves with, snake_case):
 * `{data, reasoning}`, as the library writes them.
 */
export declare function planRoadmap(input: PlanInput): PlannedRoadmap

/** Options of `proposeRoadmap`. */
export interface ProposeOptions {
  /** Who proposed (recorded with the verdict; default `"advisor"`). */
  source?: string
  /** The proposal's own summary (default: the plan's). */
  reasoning?: string
}

/**
 * Every reason a course cannot be published (empty when it can): `outline` is
 * `{course, lessons, blocks, assessments}` as the library returns them.
 */
export declare function publishProblems(outline: PublishOutline): PublishProblem[]

/**
 * Re-scores a finished attempt's `answers` against (edited) `questions`, keeping the
 * grades set by hand in `previous` (the attempt's feedback document).
 */
export declare function regrade(questions: Question[], answers: Answers, previous: Feedback, options?: ScoreOptions | undefined | null): Scored

/** Options of `regradeAssessment`. */
export interface RegradeOptions {
  /** Report what would change and write nothing. */
  dryRun?: boolean
}

/**
 * Scores `answers` (an answers document) against `questions` (a question set):
 * `pointsEarned`, `totalPoints`, `score`, `passed` (`null` while essays wait) and the
 * `feedback` document.
 */
export declare function score(questions: Question[], answers: Answers, options?: ScoreOptions | undefined | null): Scored

/** Options of `score` and `scoreMany`. */
export interface ScoreOptions {
  /** The passing score, 0–100 (default 70). */
  passing?: number
  /** `scoreMany`: include each sheet's feedback document. */
  feedback?: boolean
}

/** A new user (`signUp`, plain PostgreSQL). */
export interface SignUp {
  /** E-mail address. */
  email: string
  /** `"student"` (default), `"instructor"` or `"admin"`. */
  role?: UserRole
  /** Given name. */
  firstName?: string
  /** Family name. */
  lastName?: string
}

/** What a student sees of `questions`: no answer keys. */
export declare function studentView(questions: Question[]): StudentQuestion[]

/**
 * The time limit's verdict on a submission: which answers count, whether it is late,
 * the `submittedAt` to store and the time spent.
 */
export declare function submission(input: SubmissionInput): SubmissionVerdict

/** What `submission` is asked about. */
export interface SubmissionInput {
  /** When the attempt started (ISO 8601). */
  startedAt: string
  /** When it is submitted (ISO 8601). */
  submittedAt: string
  /** The answers' questions and when they were saved. */
  answers?: { questionId: string; answeredAt: string }[]
  /** The assessment's rules, as for `mayStart`. */
  rules?: Partial<AttemptRules>
}

/** Options of `submitAttempt`. */
export interface SubmitOptions {
  /**
   * Hand in answers that answer nothing (a blank attempt) instead of rejecting with
   * `LMS_NO_ANSWERS`.
   */
  allowEmpty?: boolean
}

/** Every lesson after its prerequisites; a cycle throws `LMS_INVALID_DOCUMENT`. */
export declare function topologicalOrder(lessons: Array<LessonNode>): string[]

/**
 * A knowledge profile traced from `observations` (`{skill, question_id, correct, at?}`
 * in answering order) under `model`: `{profile, changes}`, as the library writes them.
 */
export declare function traceKnowledge(observations: Record<string, unknown>[], model?: KnowledgeModel): TracedKnowledge

/** A lesson's status after `event` (`{kind: "content_progress", blocksDone, …}`). */
export declare function transition(status: ProgressStatus, event: ProgressEvent): ProgressStatus

/** The lessons whose prerequisites are all in `completed`, in topological order. */
export declare function unlocked(lessons: Array<LessonNode>, completed?: Array<string> | undefined | null): string[]

/** Changes to a content block. */
export interface UpdateBlock {
  /** The new type, with `content`. */
  type?: ContentType
  /** The new content document, with `type`. */
  content?: Record<string, unknown>
  /** The new position. */
  orderIndex?: number
  /** The new metadata. */
  metadata?: Record<string, unknown>
}

/**
 * Validates `value` as the document named `document` (`"question_set"`, `"answers"`,
 * `"content_data"`, … see `DOCUMENTS`) and returns it normalized: rich-text HTML
 * sanitized, defaults filled in. Throws `LMS_INVALID_DOCUMENT` with every problem.
 */
export declare function validate(document: string, value: unknown): Json

/**
 * Validates the content document of a block of type `contentType` and returns it
 * normalized.
 */
export declare function validateContent(contentType: ContentType, value: unknown): Record<string, unknown>
