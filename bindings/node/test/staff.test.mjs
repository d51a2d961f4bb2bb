// Teaching staff from Node: co-instructors author and grade, graders read the gradebook
// and grade; the course's instructor manages them.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, refused, world } from './helpers.mjs'

test('a grader grades and a co-instructor authors', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  const ta = (await w.client.asService().signUp({ email: 'ta@example.org', role: 'student' })).id
  const co = w.otherInstructor
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  const added = await owner.addStaff(w.course, ta, 'grader')
  assert.deepEqual(Object.keys(added).sort(), ['courseId', 'createdAt', 'role', 'updatedAt', 'userId'])
  assert.deepEqual([added.userId, added.role], [ta, 'grader'])
  await owner.addStaff(w.course, co, 'co_instructor')
  assert.deepEqual(Object.fromEntries((await owner.listStaff(w.course)).map((m) => [m.userId, m.role])), { [ta]: 'grader', [co]: 'co_instructor' })
  assert.deepEqual(await me.listStaff(w.course), [])

  const { attempt } = await me.submitAttempt(w.quiz1, answers(1))
  const grader = w.client.asUser(ta)
  const book = await grader.gradebook(w.course)
  assert.ok(book.entries.some((e) => e.studentId === w.student))
  assert.equal((await grader.overrideQuestion(attempt.id, 'q2', 1)).score, 100)
  await refused(grader.updateLesson(w.lesson1, { title: 'Mine' }), 'LMS_FORBIDDEN')
  await refused(grader.addStaff(w.course, ta, 'co_instructor'), 'LMS_FORBIDDEN')

  const author = w.client.asUser(co)
  assert.equal((await author.updateLesson(w.lesson1, { title: 'Ownership, again' })).title, 'Ownership, again')
  await refused(author.deleteCourse(w.course), 'LMS_FORBIDDEN')
  await refused(author.removeStaff(w.course, ta), 'LMS_FORBIDDEN')

  await owner.removeStaff(w.course, ta)
  await refused(grader.gradebook(w.course), 'LMS_FORBIDDEN')
  await refused(owner.removeStaff(w.course, ta), 'LMS_NOT_FOUND')
})

test('staff are not students of their course', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  await w.client.asUser(w.student).enroll(w.course)
  await refused(owner.addStaff(w.course, w.student, 'grader'), 'LMS_CONFLICT')
  await owner.addStaff(w.course, w.otherStudent, 'grader')
  await refused(w.client.asUser(w.otherStudent).enroll(w.course), 'LMS_CONFLICT')
  const dean = await refused(owner.addStaff(w.course, w.otherStudent, 'dean'), 'LMS_INVALID_ARGUMENT')
  assert.match(dean.message, /role/)
})

test('a grader leaves and a co-instructor is an instructor', async (t) => {
  const w = await world(t)
  const owner = w.client.asUser(w.instructor)
  const ta = w.otherStudent
  await owner.addStaff(w.course, ta, 'grader')
  const e = await refused(owner.addStaff(w.course, ta, 'co_instructor'), 'LMS_CONFLICT')
  assert.match(e.message, /co-instructor/)
  const grader = w.client.asUser(ta)
  await grader.removeStaff(w.course, ta)
  assert.deepEqual(await owner.listStaff(w.course), [])
  await refused(grader.gradebook(w.course), 'LMS_FORBIDDEN')
})
