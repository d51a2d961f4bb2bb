// Course analytics from Node against a real PostgreSQL: the funnel, item analysis
// (checked against a plain reference implementation here), students at risk, activity,
// and who may read them.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, refused, world } from './helpers.mjs'

const close = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`)

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const variance = (xs) => {
  const m = mean(xs)
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
}
const pearson = (xs, ys) => {
  const mx = mean(xs)
  const my = mean(ys)
  let sxy = 0
  let sxx = 0
  let syy = 0
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my)
    sxx += (x - mx) ** 2
    syy += (ys[i] - my) ** 2
  })
  return sxy / Math.sqrt(sxx * syy)
}

test('the completion funnel counts each lesson', async (t) => {
  const w = await world(t)
  const sam = w.client.asUser(w.student)
  const kim = w.client.asUser(w.otherStudent)
  await sam.enroll(w.course)
  await kim.enroll(w.course)
  await sam.recordContentProgress(w.block1, { completed: true }, 20)
  await sam.submitAttempt(w.quiz1, answers(2))
  await kim.recordContentProgress(w.block1, { completed: true }, 10)

  const funnel = await w.client.asUser(w.instructor).completionFunnel(w.course)
  assert.equal(funnel.enrolled, 2)
  assert.equal(funnel.finalAssessmentId, w.final)
  const [one, two] = funnel.lessons
  assert.deepEqual([one.lessonId, one.started, one.completed, one.passed], [w.lesson1, 2, 1, 1])
  close(one.medianSeconds, 15, 'median of 20 s and 10 s')
  close(one.dropOff, 0.5, 'one of two enrolled completed')
  assert.deepEqual([two.started, two.completed], [0, 0])
  close(two.dropOff, 1, 'the one completer lost')

  await refused(w.client.asUser(w.otherInstructor).completionFunnel(w.course), 'LMS_FORBIDDEN')
  await refused(sam.completionFunnel(w.course), 'LMS_FORBIDDEN')
})

test('item analysis equals the reference implementation', async (t) => {
  const w = await world(t)
  const author = w.client.asUser(w.instructor)
  const questions = [
    { type: 'multiple_choice', id: 'mc', prompt: 'Which borrows?', points: 2,
      options: [{ id: 'a', text: '&y', fraction: 1 }, { id: 'b', text: 'y', fraction: 0 }] },
    { type: 'true_false', id: 't1', prompt: 'One owner.', points: 1, correct: true },
    { type: 'short_answer', id: 'sa', prompt: 'What does & do?', points: 1,
      accepted: [{ text: 'borrow', fraction: 1 }] },
  ]
  const quiz = (await author.createAssessment({ title: 'Practice', questions, courseId: w.course })).id
  await author.updateCourse(w.course, { finalAssessmentId: quiz })
  // which of the three each student gets right
  const patterns = [
    [0, 0, 0], [1, 1, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [0, 0, 1], [1, 1, 1],
  ]
  const rows = []
  for (const [i, [mc, tf, sa]] of patterns.entries()) {
    const student = (await w.client.asService().signUp({ email: `p${i}@example.org` })).id
    const me = w.client.asUser(student)
    await me.enroll(w.course)
    await me.submitAttempt(quiz, {
      mc: { type: 'multiple_choice', selected: [mc ? 'a' : 'b'] },
      t1: { type: 'true_false', value: Boolean(tf) },
      sa: { type: 'short_answer', text: sa ? 'borrow' : 'Move' },
    })
    rows.push([2 * mc, tf, sa])
  }
  const report = await author.itemAnalysis(quiz)
  assert.equal(report.attempts, 8)
  assert.equal(report.completeAttempts, 8)
  const totals = rows.map((r) => r[0] + r[1] + r[2])
  const k = 3
  const itemVariances = [0, 1, 2].map((i) => variance(rows.map((r) => r[i])))
  const alpha = (k / (k - 1)) * (1 - itemVariances.reduce((a, b) => a + b) / variance(totals))
  close(report.cronbachAlpha, alpha, 'alpha')
  for (const [i, item] of report.items.entries()) {
    const x = rows.map((r) => r[i])
    const rest = totals.map((tot, j) => tot - x[j])
    close(item.discrimination, pearson(x, rest), `discrimination of ${item.questionId}`)
    close(item.facility, mean(x) / item.maxPoints, `facility of ${item.questionId}`)
  }
  const [mc, tf, sa] = report.items
  assert.deepEqual(mc.options.map((o) => [o.optionId, o.count, o.correct]), [['a', 5], ['b', 3]].map(([id, n]) => [id, n, id === 'a']))
  assert.deepEqual(tf.options.map((o) => [o.optionId, o.count]), [['true', 4], ['false', 4]])
  assert.deepEqual(sa.wrongAnswers.map((a) => [a.answer, a.count]), [['move', 3]])
  assert.equal(sa.outcomes.correct, 5)
  assert.equal(report.histogram.reduce((a, b) => a + b.count, 0), 8)

  await refused(author.itemAnalysis(quiz, { attempts: 'best' }), 'LMS_INVALID_ARGUMENT')
  await refused(w.client.asUser(w.otherInstructor).itemAnalysis(quiz), 'LMS_NOT_FOUND')
})

test('students at risk come with their reasons', async (t) => {
  const w = await world(t)
  const kim = w.client.asUser(w.otherStudent)
  await kim.enroll(w.course)
  await w.client.asUser(w.student).enroll(w.course)
  for (const right of [0, 1, 0]) await kim.submitAttempt(w.quiz1, answers(right))

  const author = w.client.asUser(w.instructor)
  const report = await author.atRiskStudents(w.course)
  assert.equal(report.cohort, 2)
  assert.equal(report.thresholds.failedAttempts, 3)
  assert.deepEqual(report.students.map((s) => s.studentId), [w.otherStudent])
  assert.deepEqual(report.students[0].reasons, [
    { reason: 'repeatedly_failing', assessmentId: w.quiz1, failedAttempts: 3 },
  ])
  const none = await author.atRiskStudents(w.course, { failedAttempts: 4 })
  assert.deepEqual(none.students, [])
  const e = await refused(author.atRiskStudents(w.course, { masteryBelow: 3 }), 'LMS_INVALID_DOCUMENT')
  assert.match(e.message, /mastery_below/)
  await refused(author.atRiskStudents(w.course, { inactive: 3 }), 'LMS_INVALID_ARGUMENT')
  await refused(w.client.asUser(w.otherInstructor).atRiskStudents(w.course), 'LMS_FORBIDDEN')
})

test('activity is a series with every day', async (t) => {
  const w = await world(t)
  const sam = w.client.asUser(w.student)
  await sam.enroll(w.course)
  await sam.recordContentProgress(w.block1, { completed: true }, 40)
  await sam.submitAttempt(w.quiz1, answers(2))
  const author = w.client.asUser(w.instructor)
  const today = new Date().toISOString().slice(0, 10)
  const since = new Date(Date.now() - 6 * 86400e3).toISOString().slice(0, 10)
  const days = await author.activity(w.course, { since })
  assert.equal(days.length, 7)
  assert.equal(days.at(-1).start, today)
  assert.deepEqual(days.slice(0, 6).map((d) => d.activeStudents), [0, 0, 0, 0, 0, 0])
  const last = days.at(-1)
  assert.deepEqual([last.activeStudents, last.submissions, last.completions], [1, 1, 1])
  assert.ok(last.seconds >= 40)
  const weeks = await author.activity(w.course, { bucket: 'week', since: today, until: today })
  assert.equal(weeks.length, 1)
  assert.equal(new Date(`${weeks[0].start}T00:00:00Z`).getUTCDay(), 1, 'a Monday')
  await refused(author.activity(w.course, { bucket: 'month' }), 'LMS_INVALID_ARGUMENT')
  await refused(author.activity(w.course, { since: today, until: since }), 'LMS_INVALID_DOCUMENT')
  await refused(w.client.asUser(w.otherInstructor).activity(w.course), 'LMS_FORBIDDEN')
})
