// Row Level Security seen from Node, what the module does not expose, and every error
// code with its details from asynchronous calls (the synchronous ones: rules.test.mjs).

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, connect, lms, refused, world } from './helpers.mjs'

const NOBODY = '00000000-0000-4000-8000-000000000000'

test('a student cannot read another student\'s attempts or an answer key', async (t) => {
  const w = await world(t)
  const c = w.client
  const sam = c.asUser(w.student)
  const kim = c.asUser(w.otherStudent)
  await sam.enroll(w.course)
  await kim.enroll(w.course)
  const attempt = (await sam.submitAttempt(w.quiz1, answers(2))).attempt
  assert.deepEqual(await kim.myAttempts(w.quiz1), [])
  assert.equal((await sam.myAttempts(w.quiz1)).length, 1)
  await refused(kim.gradebook(w.course), 'LMS_FORBIDDEN')
  // RLS: kim does not even see the attempt
  await refused(kim.gradeEssay(attempt.id, 'q1', 1), 'LMS_NOT_FOUND')
  for (const question of await kim.assessmentQuestions(w.quiz1)) {
    for (const key of ['fraction', 'correct', 'accepted', 'explanation']) assert.ok(!(key in question), key)
    for (const option of question.options ?? []) assert.deepEqual(Object.keys(option).sort(), ['id', 'text'])
  }
  await refused(kim.getAssessment(w.quiz1), 'LMS_FORBIDDEN')
  await refused(kim.exportUserData(w.student), 'LMS_FORBIDDEN')
  await refused(kim.updateProfile(w.student, { firstName: 'Mallory' }), 'LMS_NOT_FOUND')
  const dashboard = await kim.studentDashboard()
  assert.ok(dashboard.assessments.every((a) => a.studentId === w.otherStudent))
})

test('an instructor cannot read another instructor\'s gradebook or change their course', async (t) => {
  const w = await world(t)
  const grace = w.client.asUser(w.otherInstructor)
  const e = await refused(grace.gradebook(w.course), 'LMS_FORBIDDEN')
  assert.equal(e.httpStatus, 403)
  await refused(grace.updateCourse(w.course, { title: 'mine now' }), 'LMS_FORBIDDEN')
  await refused(grace.createLesson({ courseId: w.course, title: 'Mine', orderIndex: 9 }), 'LMS_FORBIDDEN')
  // RLS: another instructor's assessment is not even there for her
  await refused(grace.getAssessment(w.quiz1), 'LMS_NOT_FOUND')
  assert.deepEqual((await w.client.asUser(w.instructor).gradebook(w.course)).entries, [])
})

test('anonymous visitors read the catalog only', async (t) => {
  const w = await world(t)
  const anon = w.client.asAnon()
  assert.deepEqual(anon.actor, { kind: 'anon' })
  assert.deepEqual(w.client.asService().actor, { kind: 'service' })
  assert.equal((await anon.getCourse(w.course)).title, 'Rust')
  for (const call of [() => anon.studentDashboard(), () => anon.myProfile(), () => anon.enroll(w.course), () => anon.listBlocks(w.lesson1)]) {
    let error
    try {
      await call()
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof Error, 'refused')
    assert.ok(['LMS_FORBIDDEN', 'LMS_NOT_FOUND'].includes(error.code), error.code)
  }
})

test('a user without a profile is told so on every call', async (t) => {
  const client = await connect(t)
  const ghost = client.asUser(NOBODY)
  for (const call of [() => ghost.myProfile(), () => ghost.listCourses(), () => ghost.studentDashboard()]) {
    const e = await refused(call(), 'LMS_NO_PROFILE')
    assert.equal(e.httpStatus, 403)
  }
})

test('the module exposes no SQL, transaction, pool or role switch', () => {
  const names = new Set()
  for (const target of [lms, lms.Lms, lms.Lms.prototype, lms.Scope, lms.Scope.prototype]) {
    for (const name of Object.getOwnPropertyNames(target)) names.add(name)
  }
  assert.ok(names.has('connect') && names.has('submitAttempt'), 'the listing sees the API')
  for (const name of names) {
    if (name === 'setRole') continue // an admin's use case on profiles, not a database role
    // the pool's statistics and whether it goes through a pooler: numbers and a flag, no
    // connection
    if (name === 'poolStats' || name === 'pooled') continue
    for (const forbidden of ['begin', 'execute', 'query', 'sql', 'connection', 'transaction', 'pool', 'raw', 'role', 'unsafe']) {
      assert.ok(!name.toLowerCase().includes(forbidden), `${name} looks like ${forbidden}`)
    }
  }
})

test('every refusal of an asynchronous call carries its code and details', async (t) => {
  const w = await world(t)
  const c = w.client
  const me = c.asUser(w.student)
  const notEnrolled = await refused(me.assessmentQuestions(w.quiz1), 'LMS_NOT_ENROLLED')
  assert.equal(notEnrolled.details.courseId, w.course)
  await me.enroll(w.course)
  const blank = await refused(me.submitAttempt(w.quiz1, {}), 'LMS_NO_ANSWERS')
  assert.equal(blank.httpStatus, 422)
  for (let i = 0; i < 3; i++) await me.submitAttempt(w.quiz1, answers(0))
  const limit = await refused(me.submitAttempt(w.quiz1, answers(2)), 'LMS_ATTEMPT_LIMIT_REACHED')
  assert.equal(limit.max, 3)
  assert.deepEqual(limit.details, { maxAttempts: 3 })
  assert.match(limit.message, /3/)
  const unmet = await refused(me.startAttempt(w.quiz2), 'LMS_PREREQUISITES_UNMET')
  assert.deepEqual(unmet.missing, [w.lesson1])
  assert.deepEqual(unmet.details.missingLessons, [w.lesson1])
  await c.asUser(w.instructor).updateAssessment(w.final, { timeLimitMinutes: 5 })
  const notStarted = await refused(me.assessmentQuestions(w.final), 'LMS_ATTEMPT_NOT_STARTED')
  assert.equal(notStarted.details.assessmentId, w.final)
  const missing = await refused(me.getCourse(NOBODY), 'LMS_NOT_FOUND')
  assert.deepEqual(missing.details, { entity: 'course', id: NOBODY })
  assert.equal(missing.httpStatus, 404)
  const nul = await refused(me.listCourses({ tag: 'a\0b' }), 'LMS_INVALID_DOCUMENT')
  assert.equal(nul.problems[0].path, '/tag')
  const invalid = await refused(c.asUser(w.instructor).updateAssessment(w.quiz1, { questions: [{ type: 'essay' }] }), 'LMS_INVALID_DOCUMENT')
  assert.ok(invalid.problems.length > 0 && invalid.problems.every((p) => p.path.startsWith('/0')))
  const taken = await refused(c.asUser(w.instructor).createLesson({ courseId: w.course, title: 'Twice at 0', orderIndex: 0 }), 'LMS_CONFLICT')
  assert.equal(taken.httpStatus, 409)
  await refused(c.asUser(w.admin).eraseUser(w.instructor), 'LMS_CONFLICT')
  // every rejection is an Error with the full shape
  for (const e of [notEnrolled, limit, unmet, missing, nul]) {
    assert.ok(e instanceof Error)
    assert.equal(typeof e.message, 'string')
    assert.equal(typeof e.httpStatus, 'number')
    assert.ok(Array.isArray(e.problems))
    assert.equal(typeof e.details, 'object')
    assert.ok('document' in e)
  }
})

test('bad arguments of asynchronous calls reject with a TypeError, never throw or crash', async (t) => {
  const w = await world(t)
  const me = w.client.asUser(w.student)
  const calls = [
    () => me.getCourse('nope'),
    () => me.getCourse(42),
    () => me.getCourse(),
    () => me.submitAttempt(w.quiz1, { q1: () => 1 }),
    () => me.submitAttempt('not-a-uuid', {}),
    () => me.createCourse(null),
    () => me.createCourse({ title: 'x', instructorId: 'nope' }),
    () => me.listCourses({ limit: -1 }),
    () => me.listCourses({ offset: 1.5 }),
    () => me.gradebook(w.course, { limit: 'ten' }),
    () => me.recordContentProgress(w.block1, { at: new Date() }),
    () => lms.Lms.connect(12),
    () => lms.Lms.connect('postgres://x', { maxConnections: 0 }),
  ]
  for (const call of calls) {
    let result
    assert.doesNotThrow(() => {
      result = call()
    })
    assert.ok(result instanceof Promise)
    const e = await refused(result, 'LMS_INVALID_ARGUMENT')
    assert.ok(e instanceof TypeError, e.message)
  }
  assert.throws(() => w.client.asUser('nope'), (e) => e instanceof TypeError && e.code === 'LMS_INVALID_ARGUMENT')
  assert.throws(() => w.client.asUser(7), (e) => e instanceof TypeError && e.code === 'LMS_INVALID_ARGUMENT')
})
