// Attempts done right, from Node: exact scoring, frozen questions, regrade, manual
// override, the stored attempt policy, closing overdue attempts.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'

import { answers, lms, refused, thrown, world } from './helpers.mjs'

const multi = () => ({
  type: 'multiple_choice', id: 'm', prompt: 'Both?', points: 1, multiple: true,
  options: [{ id: 'a', text: 'A', fraction: 0.5 }, { id: 'b', text: 'B', fraction: 0.5 }, { id: 'c', text: 'C', fraction: -1 }],
})

test('exact points, passing on the exact percentage, escaped stars', () => {
  const half = lms.score([multi()], { m: { type: 'multiple_choice', selected: ['a'] } }, { passing: 50 })
  assert.deepEqual([half.pointsEarned, half.score, half.percentage, half.passed], [0.5, 50, 50, true])
  assert.equal(half.feedback.questions[0].outcome, 'partial')
  const q = {
    type: 'multiple_choice', id: 'm', prompt: '?', points: 2, multiple: true,
    options: [{ id: 'a', text: 'A', fraction: 0.695 }, { id: 'b', text: 'B', fraction: 0.305 }],
  }
  const near = lms.score([q], { m: { type: 'multiple_choice', selected: ['a'] } })
  assert.deepEqual([near.pointsEarned, near.score, near.passed], [1.39, 69, false])
  const star = { type: 'short_answer', id: 's', prompt: '?', points: 1, accepted: [{ text: 'a \\* b', fraction: 1 }] }
  assert.equal(lms.score([star], { s: { type: 'short_answer', text: ' a * b ' } }).pointsEarned, 1)
  assert.equal(lms.score([star], { s: { type: 'short_answer', text: 'a x b' } }).pointsEarned, 0)
  assert.deepEqual(lms.scoreMany([multi()], [{ m: { type: 'multiple_choice', selected: ['a'] } }]).pointsEarned, [0.5])
})

test('override, regrade and gradeAttempts as pure rules', () => {
  const given = { m: { type: 'multiple_choice', selected: ['a'] } }
  const scored = lms.score([multi()], given)
  const over = lms.gradeQuestion(scored, 'm', 0.75, 'close enough')
  const entry = over.feedback.questions[0]
  assert.deepEqual([entry.points_earned, entry.manual, entry.grader_comment], [0.75, true, 'close enough'])
  assert.deepEqual([over.score, over.passed], [75, true])
  thrown(() => lms.gradeQuestion(scored, 'm', 1.5), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(lms.regrade([multi()], given, over.feedback), over)
  const attempt = { attemptNumber: 1, startedAt: '2026-12-01T09:00:00Z', submittedAt: '2026-12-01T09:05:00Z' }
  const grade = lms.gradeAttempts([
    { ...attempt, score: 69, passed: false, pointsEarned: 6.95, totalPoints: 10 },
    { ...attempt, attemptNumber: 2, score: 70, passed: true, pointsEarned: 7.05, totalPoints: 10 },
  ], { method: 'average', passing: 70 })
  assert.deepEqual([grade.score, grade.passed, grade.attemptNumber], [70, true, null])
  const pending = lms.gradeAttempts([{ ...attempt, score: null, passed: null }], { method: 'last' })
  assert.deepEqual([pending.score, pending.pendingReview, pending.attemptNumber], [null, true, 1])
})

test('frozen questions, regrade and override through the database', async (t) => {
  const w = await world(t)
  const me = w.client.asUser(w.student)
  const author = w.client.asUser(w.instructor)
  await me.enroll(w.course)
  const started = await me.startAttempt(w.quiz1)
  assert.equal(started.attempt.questionsVersion, 1)
  const edited = (await author.getAssessment(w.quiz1)).questions
  edited[1].correct = false
  assert.equal((await author.updateAssessment(w.quiz1, { questions: edited })).questionsVersion, 2)
  assert.equal((await me.startAttempt(w.quiz1)).resumed, true)
  // scored against the questions it started with
  const submitted = (await me.submitAttempt(w.quiz1, answers(2))).attempt
  assert.deepEqual([submitted.score, submitted.questionsVersion, submitted.exactPointsEarned], [100, 1, 2])

  const dry = await author.regradeAssessment(w.quiz1, { dryRun: true })
  assert.deepEqual([dry.dryRun, dry.attemptsRegraded, dry.questionsVersion], [true, 1, 2])
  assert.deepEqual(dry.changes.map((c) => [c.attemptId, c.oldScore, c.newScore, c.oldPassed, c.newPassed]),
    [[submitted.id, 100, 50, true, false]])
  assert.equal((await me.myAttempts(w.quiz1))[0].score, 100)
  await refused(me.regradeAssessment(w.quiz1), 'LMS_FORBIDDEN')
  const real = await author.regradeAssessment(w.quiz1)
  assert.equal(real.changes.length, 1)
  const after = (await me.myAttempts(w.quiz1))[0]
  assert.deepEqual([after.score, after.passed, after.questionsVersion], [50, false, 2])

  const over = await author.overrideQuestion(after.id, 'q2', 0.75, 'half right')
  assert.deepEqual([over.exactPointsEarned, over.pointsEarned, over.score, over.passed], [1.75, 1, 87, true])
  await refused(me.overrideQuestion(after.id, 'q2', 1), 'LMS_FORBIDDEN')
  await refused(author.overrideQuestion(after.id, 'q2', 2), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual((await author.regradeAssessment(w.quiz1)).changes, [])
  assert.deepEqual((await author.regradeAssessment(w.quiz2)).changes, [])
})

test('the stored policy governs retakes, delays and grading; overdue attempts close by it', async (t) => {
  const w = await world(t)
  const me = w.client.asUser(w.student)
  const author = w.client.asUser(w.instructor)
  const service = w.client.asService()
  await me.enroll(w.course)
  const a = await author.getAssessment(w.quiz1)
  assert.deepEqual([a.gradingMethod, a.retakePolicy, a.graceSeconds, a.timeLimitPolicy], ['highest', 'allow', 30, 'autosubmit'])
  const bad = await refused(author.updateAssessment(w.quiz1, { graceSeconds: 86_401 }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(bad.problems.map((p) => p.path), ['/grace_seconds'])
  const median = await refused(author.updateAssessment(w.quiz1, { gradingMethod: 'median' }), 'LMS_INVALID_ARGUMENT')
  assert.match(median.message, /gradingMethod: unknown variant `median`/)
  await me.submitAttempt(w.quiz1, answers(2))
  await me.submitAttempt(w.quiz1, answers(1)) // a retake after a pass: allowed by default
  const grade = async () => (await me.myProgress(w.course)).find((p) => p.assessmentId === w.quiz1).bestScore
  assert.equal(await grade(), 100)
  await author.updateAssessment(w.quiz1, { gradingMethod: 'last' })
  assert.equal(await grade(), 50)
  await author.updateAssessment(w.quiz1, { laterAttemptDelaySeconds: 3600 })
  const soon = await refused(me.submitAttempt(w.quiz1, answers(2)), 'LMS_CONFLICT')
  assert.equal(soon.details.reason, 'attempt_delay')
  assert.ok(soon.details.availableAt)

  // the final exam, timed, abandoned when overdue
  await author.updateAssessment(w.final, { timeLimitMinutes: 10, timeLimitPolicy: 'abandon' })
  await refused(me.closeOverdueAttempts(), 'LMS_FORBIDDEN')
  await refused(service.closeOverdueAttempts(0), 'LMS_INVALID_DOCUMENT')
  const attempt = (await me.startAttempt(w.final)).attempt
  assert.deepEqual((await service.closeOverdueAttempts()).closed, [])
  execFileSync('psql', [w.url, '-qc',
    `update public.assessment_attempts set started_at = now() - interval '1 hour' where id = '${attempt.id}'`])
  const report = await service.closeOverdueAttempts(10)
  assert.deepEqual(report.closed.map((c) => [c.attemptId, c.closedAs]), [[attempt.id, 'abandoned']])
  assert.deepEqual((await service.closeOverdueAttempts()).closed, [])
  const [abandoned] = await me.myAttempts(w.final)
  assert.ok(abandoned.abandonedAt)
  assert.equal(abandoned.score, null)
})
