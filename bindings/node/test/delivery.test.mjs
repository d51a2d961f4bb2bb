// Course delivery from Node: open, close and due times, late policies with the raw
// result kept, accommodations for one student — the same calls and shapes as Rust's.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, lms, refused, world } from './helpers.mjs'

const at = (ms) => new Date(Date.now() + ms).toISOString()
const HOUR = 3_600_000
const MINUTE = 60_000
const sameInstant = (a, b) => assert.equal(new Date(a).getTime(), new Date(b).getTime())

test('an assessment opens and closes', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const opens = at(HOUR)
  const quiz = await author.updateAssessment(w.quiz1, { opensAt: opens })
  sameInstant(quiz.opensAt, opens)
  assert.deepEqual([quiz.closesAt, quiz.dueAt, quiz.latePolicy], [null, null, null])
  const early = await refused(me.startAttempt(w.quiz1), 'LMS_CONFLICT')
  assert.equal(early.details.reason, 'not_open')
  sameInstant(early.details.opensAt, opens)
  // no question before the open time
  await refused(me.assessmentQuestions(w.quiz1), 'LMS_NOT_FOUND')

  const closes = at(10 * MINUTE)
  await author.updateAssessment(w.quiz1, { opensAt: null, closesAt: closes })
  const started = await me.startAttempt(w.quiz1)
  sameInstant(started.deadline, closes)
  await author.updateAssessment(w.quiz1, { closesAt: at(-MINUTE) })
  const other = w.client.asUser(w.otherStudent)
  await other.enroll(w.course)
  const late = await refused(other.startAttempt(w.quiz1), 'LMS_CONFLICT')
  assert.equal(late.details.reason, 'closed')
})

test('dates out of order and bad late policies name their field', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const bad = await refused(author.updateAssessment(w.quiz1, { opensAt: at(0), closesAt: at(-HOUR) }), 'LMS_INVALID_DOCUMENT')
  assert.equal(bad.document, 'assessment')
  assert.deepEqual(bad.problems.map((p) => p.path), ['/closes_at'])
  const pct = await refused(author.updateCourse(w.course, { latePolicy: { deductionPercent: 120, interval: 'day', floorPercent: 0 } }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(pct.problems.map((p) => p.path), ['/late_policy/deduction_percent'])
  const due = await refused(author.createAssessment({ title: 'Dated', questions: [], lessonId: w.lesson1, opensAt: at(0), dueAt: at(-HOUR) }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(due.problems.map((p) => p.path), ['/due_at'])
  const week = await refused(author.createAssessment({ title: 'Dated', questions: [], lessonId: w.lesson1, latePolicy: { interval: 'week' } }), 'LMS_INVALID_ARGUMENT')
  assert.match(week.message, /latePolicy/)
  await refused(author.createAssessment({ title: 'Dated', questions: [], lessonId: w.lesson1, opensAt: 'tomorrow' }), 'LMS_INVALID_ARGUMENT')
})

test('late work is deducted and recorded again when the policy changes', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const policy = { deductionPercent: 10, interval: 'day', floorPercent: 50 }
  const course = await author.updateCourse(w.course, { latePolicy: policy })
  assert.deepEqual(course.latePolicy, policy)
  await author.updateAssessment(w.quiz1, { dueAt: at(-25 * HOUR) })
  const { attempt } = await me.submitAttempt(w.quiz1, answers(2))
  // two days begun: -20 %
  assert.deepEqual([attempt.rawScore, attempt.score, attempt.passed], [100, 80, true])
  assert.deepEqual([attempt.rawPointsEarned, attempt.exactPointsEarned], [2, 1.6])
  assert.ok(attempt.lateSeconds >= 25 * 3600)
  const quiz = await author.updateAssessment(w.quiz1, { latePolicy: { deductionPercent: 12.5, interval: 'hour', floorPercent: 0 } })
  assert.deepEqual(quiz.latePolicy, { deductionPercent: 12.5, interval: 'hour', floorPercent: 0 })
  let [again] = await me.myAttempts(w.quiz1)
  assert.deepEqual([again.rawScore, again.score, again.passed], [100, 0, false])
  await author.updateAssessment(w.quiz1, { latePolicy: null, dueAt: at(HOUR) })
  ;[again] = await me.myAttempts(w.quiz1)
  assert.deepEqual([again.lateSeconds, again.score], [null, 100])
})

test('an accommodation is one student\'s', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  const other = w.client.asUser(w.otherStudent)
  await me.enroll(w.course)
  await other.enroll(w.course)
  await author.updateAssessment(w.quiz1, { timeLimitMinutes: 30 })
  const set = await author.setAccommodation({ courseId: w.course, studentId: w.student, assessmentId: w.quiz1, timeFactor: 1.5, extraAttempts: 1 })
  assert.deepEqual(Object.keys(set).sort(), ['assessmentId', 'closesAt', 'courseId', 'createdAt', 'dueAt', 'extraAttempts', 'extraMinutes', 'id', 'studentId', 'timeFactor', 'updatedAt'])
  assert.deepEqual([set.timeFactor, set.extraAttempts, set.extraMinutes, set.assessmentId], [1.5, 1, 0, w.quiz1])
  const rules = await me.assessmentRules(w.quiz1, w.student)
  assert.deepEqual([rules.timeLimitMinutes, rules.maxAttempts], [45, 4])
  assert.equal((await other.assessmentRules(w.quiz1, w.otherStudent)).timeLimitMinutes, 30)
  const mine = await me.startAttempt(w.quiz1)
  const theirs = await other.startAttempt(w.quiz1)
  assert.equal(new Date(mine.deadline) - new Date(mine.attempt.startedAt), 45 * MINUTE)
  assert.equal(new Date(theirs.deadline) - new Date(theirs.attempt.startedAt), 30 * MINUTE)
  // its student reads it, the other student does not
  assert.deepEqual(await me.listAccommodations(w.course), [set])
  assert.deepEqual(await other.listAccommodations(w.course), [])
  await refused(me.setAccommodation({ courseId: w.course, studentId: w.student, extraMinutes: 600 }), 'LMS_FORBIDDEN')
  await author.removeAccommodation(set.id)
  assert.deepEqual(await author.listAccommodations(w.course), [])
  await refused(author.removeAccommodation(set.id), 'LMS_NOT_FOUND')
})

test('bad accommodations are typed errors', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const bad = await refused(author.setAccommodation({ courseId: w.course, studentId: w.student, extraMinutes: -5, timeFactor: 0.5 }), 'LMS_INVALID_DOCUMENT')
  assert.equal(bad.document, 'accommodation')
  assert.deepEqual(bad.problems.map((p) => p.path), ['/extra_minutes', '/time_factor'])
  const order = await refused(author.setAccommodation({ courseId: w.course, studentId: w.student, dueAt: at(48 * HOUR), closesAt: at(24 * HOUR) }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(order.problems.map((p) => p.path), ['/due_at'])
  await refused(author.setAccommodation({ courseId: 'not-a-uuid', studentId: w.student }), 'LMS_INVALID_ARGUMENT')
  await refused(author.setAccommodation({ studentId: w.student }), 'LMS_INVALID_ARGUMENT')
  await refused(author.removeAccommodation('nope'), 'LMS_INVALID_ARGUMENT')
})

test('a lesson opens to its students at its unlock time', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * HOUR).toISOString()
  const lesson = await author.updateLesson(w.lesson1, { unlocksAt: later })
  sameInstant(lesson.unlocksAt, later)
  const [first] = await me.courseOutline(w.course)
  sameInstant(first.unlocksAt, later)
  // before: no content, no study, no attempt
  assert.deepEqual(await me.listBlocks(w.lesson1), [])
  const locked = await refused(me.recordContentProgress(w.block1, { completed: true }, 5), 'LMS_CONFLICT')
  assert.equal(locked.details.reason, 'locked')
  assert.equal(locked.details.lessonId, w.lesson1)
  sameInstant(locked.details.unlocksAt, later)
  assert.equal((await refused(me.startAttempt(w.quiz1), 'LMS_CONFLICT')).details.reason, 'locked')
  // the staff see it all; once unlocked, so do the students
  assert.equal((await author.listBlocks(w.lesson1)).length, 1)
  await author.updateLesson(w.lesson1, { unlocksAt: at(-MINUTE) })
  assert.equal((await me.listBlocks(w.lesson1)).length, 1)
  await me.recordContentProgress(w.block1, { completed: true }, 5)
  assert.equal((await author.updateLesson(w.lesson1, { unlocksAt: null })).unlocksAt, null)
})

test('a shuffled attempt keeps its order', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const eight = Array.from({ length: 8 }, (_, k) => ({
    type: 'multiple_choice', id: `s${k + 1}`, prompt: `${k + 1}?`, points: 1,
    options: ['a', 'b', 'c', 'd'].map((o) => ({ id: o, text: o.toUpperCase(), fraction: o === 'a' ? 1 : 0 })),
  }))
  const quiz = await author.updateAssessment(w.final, { questions: eight, shuffleQuestions: true, shuffleOptions: true })
  assert.deepEqual([quiz.shuffleQuestions, quiz.shuffleOptions], [true, true])
  const started = await me.startAttempt(w.final)
  const order = started.questions.map((q) => q.id)
  assert.deepEqual([...order].sort(), eight.map((q) => q.id))
  const resumed = await me.startAttempt(w.final)
  assert.equal(resumed.resumed, true)
  assert.deepEqual(resumed.questions, started.questions)
  assert.deepEqual(await me.assessmentQuestions(w.final), started.questions)
  const done = await me.submitAttempt(w.final, Object.fromEntries(order.map((id) => [id, { type: 'multiple_choice', selected: ['a'] }])))
  assert.equal(done.attempt.score, 100)
})

test('review options decide what a student sees of a finished attempt, and when', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const quiz = await author.updateAssessment(w.quiz1, {
    reviewScore: 'never', reviewFeedback: 'after_close', reviewAnswers: 'after_close', closesAt: at(HOUR),
  })
  assert.deepEqual([quiz.reviewScore, quiz.reviewCorrectness, quiz.reviewFeedback, quiz.reviewAnswers],
    ['never', 'immediately', 'after_close', 'after_close'])
  const done = await me.submitAttempt(w.quiz1, answers(1))
  assert.deepEqual([done.attempt.score, done.attempt.passed, done.attempt.feedback], [null, null, null])
  const [mine] = await me.myAttempts(w.quiz1)
  assert.equal(mine.score, null)
  const review = await me.attemptReview(done.attempt.id)
  assert.deepEqual(review.shown, { score: false, correctness: true, feedback: false, answers: false })
  // the outcome of each question, no points, no explanation; no answer key
  assert.deepEqual(review.feedback.questions.map((q) => q.outcome), ['correct', 'incorrect'])
  assert.ok(review.feedback.questions.every((q) => !('points_earned' in q) && !('explanation' in q)))
  assert.equal(review.feedback.summary.score, undefined)
  assert.ok(review.questions[0].options.every((o) => !('fraction' in o)))
  // the staff see it all
  const theirs = await author.attemptReview(done.attempt.id)
  assert.deepEqual(theirs.shown, { score: true, correctness: true, feedback: true, answers: true })
  assert.equal(theirs.attempt.score, 50)
  // closed: the explanations and right answers; the score never
  await author.updateAssessment(w.quiz1, { closesAt: at(-MINUTE) })
  const later = await me.attemptReview(done.attempt.id)
  assert.deepEqual(later.shown, { score: false, correctness: true, feedback: true, answers: true })
  assert.equal(later.feedback.questions[0].explanation, 'A reference borrows.')
  assert.equal(later.questions[0].options[1].fraction, 1)
  assert.equal(later.attempt.score, null)
  // the same rule by name
  const rule = lms.callRule('review', { options: { review_score: 'never' }, now: at(0) })
  assert.deepEqual(rule.shown, { score: false, correctness: true, feedback: true, answers: false })
  // a moment is one of three; another student's attempt is not theirs to review
  await refused(author.updateAssessment(w.quiz1, { reviewAnswers: 'sometimes' }), 'LMS_INVALID_ARGUMENT')
  await refused(w.client.asUser(w.otherStudent).attemptReview(done.attempt.id), 'LMS_NOT_FOUND')
})

test('an attempt draws its questions from the pool', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const pool = Array.from({ length: 6 }, (_, k) => ({ type: 'true_false', id: `t${k + 1}`, prompt: `${k + 1}?`, points: 1, correct: true }))
  const quiz = await author.updateAssessment(w.final, { questions: pool, drawQuestions: 2 })
  assert.equal(quiz.drawQuestions, 2)
  // the pool stays hidden: questions only within an attempt, which is started first
  await refused(me.assessmentQuestions(w.final), 'LMS_ATTEMPT_NOT_STARTED')
  await refused(me.submitAttempt(w.final, { t1: { type: 'true_false', value: true } }), 'LMS_ATTEMPT_NOT_STARTED')
  const started = await me.startAttempt(w.final)
  const drawn = started.questions.map((q) => q.id)
  assert.equal(drawn.length, 2)
  assert.deepEqual((await me.startAttempt(w.final)).questions, started.questions)
  const done = await me.submitAttempt(w.final, Object.fromEntries(drawn.map((id) => [id, { type: 'true_false', value: true }])))
  assert.deepEqual([done.attempt.score, done.attempt.totalPoints], [100, 2])
  for (const bad of [0, 7]) {
    const e = await refused(author.updateAssessment(w.final, { drawQuestions: bad }), 'LMS_INVALID_DOCUMENT')
    assert.deepEqual(e.problems.map((p) => p.path), ['/draw_questions'])
  }
  assert.equal((await author.updateAssessment(w.final, { drawQuestions: null })).drawQuestions, null)
})
