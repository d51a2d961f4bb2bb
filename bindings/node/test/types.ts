// A TypeScript back end's use of the API, checked by `tsc --noEmit --strict` against the
// generated index.d.ts (never run): the types must be usable, not `any` everywhere. The
// `@ts-expect-error` lines must stay errors.

import {
  Lms,
  Scope,
  bktUpdate,
  planRoadmap,
  type Accommodation,
  type ActivityPoint,
  type AttemptRules,
  type LatePolicy,
  type AtRiskReport,
  type BktStep,
  type CompletionFunnel,
  type ItemAnalysis,
  type CourseRoadmap,
  type PlannedRoadmap,
  type RoadmapViolation,
  score,
  scoreMany,
  mayStart,
  validate,
  errorCodes,
  studentView,
  type Answers,
  type Attempt,
  type Course,
  type LmsError,
  type LmsErrorCode,
  type Paged,
  type Question,
  type Scored,
  type StartDecision,
  type SubmittedAttempt,
} from '@lms/native'

const questions: Question[] = [
  { type: 'true_false', id: 'q1', prompt: 'A value has one owner.', points: 1, correct: true },
  {
    type: 'multiple_choice', id: 'q2', prompt: 'Which one borrows?', points: 1,
    options: [{ id: 'a', text: 'let x = y;', fraction: 0 }, { id: 'b', text: 'let x = &y;', fraction: 1 }],
  },
]
const answers: Answers = { q1: { type: 'true_false', value: true }, q2: { type: 'multiple_choice', selected: ['b'] } }

const scored: Scored = score(questions, answers, { passing: 70 })
const percent: number | null = scored.score
const outcome: 'correct' | 'partial' | 'incorrect' | 'unanswered' | 'pending_review' = scored.feedback.questions[0].outcome
const columns = scoreMany(questions, [answers, {}], { feedback: true })
const firstScores: (number | null)[] = columns.score
const decision: StartDecision = mayStart({ rules: { maxAttempts: 3 }, previous: [], now: new Date().toISOString() })
if (decision.kind === 'close_expired') {
  const deadline: string = decision.deadline
  void deadline
}
const seen = studentView(questions)
const statuses: Record<string, number> = errorCodes()
const normalized = validate('block_metadata', { source: 'notes' })

// @ts-expect-error: a question needs its points
const broken: Question = { type: 'essay', id: 'e', prompt: 'Why?' }
// @ts-expect-error: answers are keyed by question id, each tagged by its type
const wrongAnswers: Answers = { q1: { value: true } }

function isLmsError(e: unknown): e is LmsError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string'
}

async function submit(url: string, userId: string, assessmentId: string): Promise<number> {
  const lms: Lms = await Lms.connect(url, { maxConnections: 4, acquireTimeout: 5 })
  try {
    const me: Scope = lms.asUser(userId)
    const catalog: Paged<Course> = await lms.asAnon().listCourses({ tag: 'rust', limit: 10 })
    const titles: string[] = catalog.items.map((c) => c.title)
    const next: number | null = catalog.nextOffset
    const started = await me.startAttempt(assessmentId)
    const deadline: string | null = started.deadline
    const submitted: SubmittedAttempt = await me.submitAttempt(assessmentId, answers, { allowEmpty: false })
    const attempt: Attempt = submitted.attempt
    const unlocked: string[] = submitted.unlockedLessons
    const book = await me.gradebook(attempt.assessmentId, { limit: 50, offset: 0 })
    const best: number | null = book.entries[0]?.bestScore ?? null
    const current: number | null = book.courseGrades[0]?.currentPercent ?? null
    const course = await me.updateCourse('00000000-0000-4000-8000-000000000001', { title: 'New', description: null })
    const graded = await me.setGradingScheme(course.id, {
      groups: [{ name: 'Homework', weight: 40, drop_lowest: 1 }],
      assessments: [{ assessment_id: attempt.assessmentId, group: 'Homework' }],
    })
    const groups: number = graded.gradingScheme.groups?.length ?? 0
    // @ts-expect-error: a grading scheme's keys are a document's, snake_case
    await me.setGradingScheme(course.id, { groups: [{ name: 'A', weight: 1, dropLowest: 1 }] })
    const grades = await me.courseGrades(course.id, { limit: 10 })
    const dropped: string[] = grades.grades[0]?.groups[0]?.finalDropped ?? []
    void current, groups, dropped
    // @ts-expect-error: a misspelt change is caught before it runs
    await me.updateCourse(course.id, { titel: 'typo' })
    void titles, next, deadline, unlocked, best
    return attempt.score ?? 0
  } catch (e) {
    if (isLmsError(e)) {
      const code: LmsErrorCode = e.code
      switch (code) {
        case 'LMS_ATTEMPT_LIMIT_REACHED':
          return -(e.max ?? 0)
        case 'LMS_PREREQUISITES_UNMET':
          return -(e.missing?.length ?? 0)
        case 'LMS_INVALID_DOCUMENT':
          return -e.problems.map((p) => p.path).length
        default:
          return -e.httpStatus
      }
    }
    throw e
  } finally {
    await lms.close()
  }
}

void percent, outcome, firstScores, seen, statuses, normalized, broken, wrongAnswers, submit

// roadmaps: the planner's input goes back to the library as it came
async function roadmaps(me: Scope, courseId: string): Promise<number> {
  const step: BktStep = bktUpdate(0.2, true, { prior: 0.2, learn: 0.1, guess: 0.2, slip: 0.1 })
  const mine: CourseRoadmap = await me.generateRoadmap(courseId)
  const plan: PlannedRoadmap = planRoadmap(await me.roadmapInput(courseId))
  const out = await me.proposeRoadmap(courseId, plan.data, { source: 'my-model' })
  const codes: RoadmapViolation['code'][] = out.violations.map((v) => v.code)
  const stale: boolean = out.roadmap?.stale ?? mine.stale
  const fitted = await me.fitKnowledgeModel(courseId, { seed: 1, forgets: true })
  // @ts-expect-error: a course id is a string
  await me.generateRoadmap(42)
  void codes, stale
  return step.mastery + fitted.skills.length
}

void roadmaps

// course analytics: typed reports, narrowed reasons
async function analytics(staff: Scope, courseId: string, quizId: string): Promise<number> {
  const funnel: CompletionFunnel = await staff.completionFunnel(courseId)
  const drops: (number | null)[] = funnel.lessons.map((l) => l.dropOff)
  const items: ItemAnalysis = await staff.itemAnalysis(quizId, { attempts: 'first' })
  const hardest = items.items.filter((i) => (i.facility ?? 1) < 0.3).map((i) => i.questionId)
  const risk: AtRiskReport = await staff.atRiskStudents(courseId, { inactiveDays: 7 })
  const failing = risk.students.flatMap((s) =>
    s.reasons.flatMap((r) => (r.reason === 'repeatedly_failing' ? [r.assessmentId] : [])),
  )
  const days: ActivityPoint[] = await staff.activity(courseId, { bucket: 'week', since: '2026-11-01' })
  // @ts-expect-error: buckets are days or weeks
  await staff.activity(courseId, { bucket: 'month' })
  void drops, hardest, failing
  return days.length + (items.cronbachAlpha ?? 0)
}

void analytics

// course delivery: dates as ISO strings, late policies, accommodations
async function delivery(staff: Scope, courseId: string, quizId: string, studentId: string): Promise<number> {
  const policy: LatePolicy = { deductionPercent: 10, interval: 'day', floorPercent: 50 }
  await staff.updateCourse(courseId, { latePolicy: policy })
  const quiz = await staff.updateAssessment(quizId, { dueAt: '2027-01-10T23:59:00Z', latePolicy: null })
  const due: string | null = quiz.dueAt
  // @ts-expect-error: late intervals are hours or days
  await staff.updateCourse(courseId, { latePolicy: { deductionPercent: 5, interval: 'week', floorPercent: 0 } })
  const set: Accommodation = await staff.setAccommodation({ courseId, studentId, assessmentId: quizId, timeFactor: 1.5 })
  const rules: AttemptRules = await staff.assessmentRules(quizId, studentId)
  const mine: Accommodation[] = await staff.listAccommodations(courseId)
  await staff.removeAccommodation(set.id)
  const [attempt] = await staff.myAttempts(quizId)
  const raw: number | null = attempt?.rawScore ?? null
  void due, raw
  return (rules.timeLimitMinutes ?? 0) + mine.length + set.extraMinutes
}

void delivery
