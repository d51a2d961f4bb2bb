// Course grades from Node: a grading scheme with groups, weights and drops, set by the
// course's authors, and the grades it gives in the gradebook, the course's grades and the
// student's dashboard.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, lms, refused, world } from './helpers.mjs'

/** Quizzes 40 % (quiz1 and quiz2, the lowest dropped), the final 60 %. */
function scheme(w) {
  return {
    groups: [{ name: 'Quizzes', weight: 40, drop_lowest: 1 }, { name: 'Exam', weight: 60 }],
    assessments: [
      { assessment_id: w.quiz1, group: 'Quizzes' },
      { assessment_id: w.quiz2, group: 'Quizzes' },
      { assessment_id: w.final, group: 'Exam' },
    ],
  }
}

test('a weighted scheme with drops grades the course', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  const course = await owner.setGradingScheme(w.course, scheme(w))
  // a document: its keys as stored
  assert.equal(course.gradingScheme.groups[0].drop_lowest, 1)
  assert.deepEqual((await owner.getCourse(w.course)).gradingScheme, course.gradingScheme)

  const sam = w.client.asUser(w.student)
  const kim = w.client.asUser(w.otherStudent)
  await sam.enroll(w.course)
  await kim.enroll(w.course)
  // sam: quiz1 50, final 100, quiz2 never taken
  // current: 0.4 × 50 + 0.6 × 100 = 80; final: quizzes 50 and 0, the 0 dropped: 80
  await sam.submitAttempt(w.quiz1, answers(1))
  await sam.submitAttempt(w.final, answers(2))
  const book = await owner.gradebook(w.course)
  const mine = book.courseGrades.find((g) => g.studentId === w.student)
  assert.deepEqual(Object.keys(mine).sort(), ['counted', 'currentPercent', 'finalPercent', 'graded', 'groups', 'missingWork', 'studentEmail', 'studentId', 'studentName'])
  assert.deepEqual([mine.currentPercent, mine.finalPercent], [80, 80])
  assert.deepEqual(mine.groups[0].finalDropped, [w.quiz2])
  assert.deepEqual(mine.groups[0].dropped, [])

  // kim did nothing: no current grade, final 0; pages by student
  const grades = await owner.courseGrades(w.course)
  assert.equal(grades.total, 2)
  const byStudent = Object.fromEntries(grades.grades.map((g) => [g.studentId, [g.currentPercent, g.finalPercent]]))
  assert.deepEqual(byStudent, { [w.student]: [80, 80], [w.otherStudent]: [null, 0] })
  const first = await owner.courseGrades(w.course, { limit: 1 })
  assert.deepEqual([first.grades.length, first.nextOffset], [1, 1])

  // the student sees it on their dashboard
  const dash = await sam.studentDashboard()
  assert.equal(dash.courses[0].grade.currentPercent, 80)

  // the same rule by name
  const again = lms.callRule('course_grade', {
    scheme: course.gradingScheme,
    items: [{ assessment_id: w.quiz1, grade: 50 }, { assessment_id: w.quiz2, grade: null }, { assessment_id: w.final, grade: 100 }],
  })
  assert.deepEqual([again.current_percent, again.final_percent], [80, 80])
})

test('bad schemes and other people are refused', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  const zero = await refused(owner.setGradingScheme(w.course, { groups: [{ name: 'A', weight: 0 }] }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(zero.problems.map((p) => p.path), ['/groups'])
  const nope = await refused(owner.setGradingScheme(w.course, { assessments: [{ assessment_id: w.quiz1, group: 'Nope' }] }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(nope.problems.map((p) => p.path), ['/assessments/0/group'])
  const negative = await refused(owner.setGradingScheme(w.course, { groups: [{ name: 'A', weight: -1 }] }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(negative.problems.map((p) => p.path), ['/groups/0/weight'])
  await refused(owner.setGradingScheme(w.course, 'heavy'), 'LMS_INVALID_DOCUMENT')
  await refused(w.client.asUser(w.student).setGradingScheme(w.course, {}), 'LMS_FORBIDDEN')
  await refused(w.client.asUser(w.student).courseGrades(w.course), 'LMS_FORBIDDEN')
  assert.deepEqual((await owner.getCourse(w.course)).gradingScheme, {})
})

test('missing work after the close gets the late policy\'s grade', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  const course = await owner.updateCourse(w.course, { latePolicy: { deductionPercent: 0, interval: 'day', floorPercent: 0, missingPercent: 10 } })
  assert.equal(course.latePolicy.missingPercent, 10)
  const sam = w.client.asUser(w.student)
  await sam.enroll(w.course)
  await sam.submitAttempt(w.quiz1, answers(2))
  // the final closed an hour ago: sam submitted nothing to it
  await owner.updateAssessment(w.final, { closesAt: new Date(Date.now() - 3_600_000).toISOString() })
  const { grade } = (await sam.studentDashboard()).courses[0]
  // quiz1 100, quiz2 open, the final missing at 10 %: (100 + 10) / 2
  assert.equal(grade.currentPercent, 55)
  assert.deepEqual(grade.missingWork, [w.final])
  const bad = await refused(owner.updateCourse(w.course, { latePolicy: { deductionPercent: 0, interval: 'day', floorPercent: 0, missingPercent: 101 } }), 'LMS_INVALID_DOCUMENT')
  assert.deepEqual(bad.problems.map((p) => p.path), ['/late_policy/missing_percent'])
})
