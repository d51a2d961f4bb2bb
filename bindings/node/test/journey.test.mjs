// The whole journey from Node against a real PostgreSQL: author, publish, enrol, study,
// fail, pass, unlock, the dashboard and the gradebook, people, the audit log, GDPR.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'

import { answers, buildWorld, connect, refused, world } from './helpers.mjs'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$/

test('author, publish, enrol, study, fail, pass, unlock', async (t) => {
  const w = await world(t)
  const c = w.client
  const me = c.asUser(w.student)
  assert.deepEqual(me.actor, { kind: 'user', userId: w.student })
  const catalog = await c.asAnon().listCourses()
  assert.deepEqual(catalog.items.map((course) => course.id), [w.course])
  assert.equal(catalog.total, 1)
  assert.equal(catalog.nextOffset, null)
  assert.equal(catalog.items[0].instructorId, w.instructor)
  assert.match(catalog.items[0].createdAt, ISO)
  const outline = await c.asAnon().courseOutline(w.course)
  assert.deepEqual(outline.map((l) => l.title), ['Ownership', 'Borrowing'])

  const enrollment = await me.enroll(w.course)
  assert.equal(enrollment.studentId, w.student)
  assert.match(enrollment.enrolledAt, ISO)
  await refused(me.enroll(w.course), 'LMS_ALREADY_ENROLLED')
  const progress = Object.fromEntries((await me.myProgress(w.course)).filter((r) => r.lessonId).map((r) => [r.lessonId, r]))
  assert.equal(progress[w.lesson2].status, 'blocked')

  const locked = await refused(me.startAttempt(w.quiz2), 'LMS_PREREQUISITES_UNMET')
  assert.deepEqual(locked.missing, [w.lesson1])
  assert.equal(locked.httpStatus, 403)

  const blocks = await me.listBlocks(w.lesson1)
  assert.deepEqual(blocks[0].content, { rich_text: { html: '<p>Owners</p>', plain_text: 'Owners' } })
  const row = await me.recordContentProgress(w.block1, { completed: true, percent: 100 }, 30)
  assert.equal(row.status, 'in_progress')

  const qs = await me.assessmentQuestions(w.quiz1)
  assert.ok(qs[0].options.every((o) => !('fraction' in o)))
  const failed = await me.submitAttempt(w.quiz1, answers(1))
  assert.deepEqual([failed.attempt.score, failed.attempt.passed], [50, false])
  assert.deepEqual(failed.unlockedLessons, [])
  const passed = await me.submitAttempt(w.quiz1, answers(2))
  assert.deepEqual([passed.attempt.score, passed.attempt.passed], [100, true])
  assert.deepEqual(passed.unlockedLessons, [w.lesson2])
  assert.equal(passed.courseCompleted, false)
  // documents keep their stored keys
  assert.equal(passed.attempt.feedback.summary.points_earned, 2)
  assert.equal((await me.myAttempts(w.quiz1)).length, 2)
  const started = await me.startAttempt(w.quiz2)
  assert.equal(started.attempt.attemptNumber, 1)
  assert.equal(started.resumed, false)
  assert.equal(started.deadline, null)
  const saved = await me.saveAnswers(w.quiz2, { q2: { type: 'true_false', value: true } })
  assert.deepEqual(saved.answers.q2.value, true)
  assert.equal((await me.startAttempt(w.quiz2)).resumed, true)

  const mine = await me.myEnrollments()
  assert.equal(mine[0].courseTitle, 'Rust')

  const dashboard = await me.studentDashboard()
  assert.equal(dashboard.studentId, w.student)
  assert.deepEqual(dashboard.courses.map((d) => [d.title, d.completionPercentage]), [['Rust', 50]])
  assert.equal(dashboard.assessments.find((a) => a.assessmentId === w.quiz1).bestScore, 100)
  assert.match(dashboard.version, /^[0-9a-f]{32}$/)

  const book = await c.asUser(w.instructor).gradebook(w.course)
  assert.equal(book.courseId, w.course)
  assert.deepEqual(book.entries.map((e) => e.studentEmail), ['sam@example.org', 'sam@example.org'])
  const entry = book.entries.find((e) => e.assessmentId === w.quiz1)
  assert.deepEqual([entry.attempts, entry.bestScore, entry.passed, entry.assessmentTitle], [2, 100, true, 'Ownership quiz'])
  const page = await c.asUser(w.instructor).gradebook(w.course, { limit: 1 })
  assert.deepEqual([page.total, page.nextOffset, page.entries.length], [2, 1, 1])
  assert.notEqual(page.version, book.version)
  assert.equal((await c.asUser(w.instructor).gradebook(w.course)).version, book.version)
})

test('authoring through the library', async (t) => {
  const client = await connect(t)
  const w = await buildWorld(client, { publish: false })
  const author = client.asUser(w.instructor)
  const course = await author.updateCourse(w.course, { title: 'Rust, again', description: 'Ownership first' })
  assert.deepEqual([course.title, course.description], ['Rust, again', 'Ownership first'])
  assert.equal((await author.updateCourse(w.course, { description: null })).description, null)
  const typo = await refused(author.updateCourse(w.course, { titel: 'typo' }), 'LMS_INVALID_ARGUMENT')
  assert.ok(typo instanceof TypeError)
  assert.match(typo.message, /titel/)
  const lesson = await author.updateLesson(w.lesson2, { title: 'Borrowing, really' })
  assert.deepEqual(lesson.prerequisites, [w.lesson1])
  const order = await author.reorderLessons(w.course, [w.lesson2, w.lesson1])
  assert.deepEqual(order.map((l) => l.id), [w.lesson2, w.lesson1])
  const cycle = await refused(author.updateLesson(w.lesson1, { prerequisites: [w.lesson2] }), 'LMS_INVALID_DOCUMENT')
  assert.match(cycle.message, /cycle/)
  const block = await author.updateBlock(w.block1, {
    type: 'rich_text', content: { rich_text: { html: '<b>bold</b><script>x</script>' } }, metadata: { source: 'notes' },
  })
  assert.equal(block.content.rich_text.html, '<b>bold</b>')
  assert.deepEqual(block.metadata, { source: 'notes' })
  await refused(author.updateBlock(w.block1, { content: { rich_text: { html: 'x' } } }), 'LMS_INVALID_ARGUMENT')
  const second = await author.createBlock({ lessonId: w.lesson1, type: 'rich_text', content: { rich_text: { html: '<p>More</p>' } }, orderIndex: 1 })
  assert.deepEqual((await author.reorderBlocks(w.lesson1, [second.id, w.block1])).map((b) => b.id), [second.id, w.block1])
  const assessment = await author.updateAssessment(w.quiz1, { timeLimitMinutes: 15, maxAttempts: null })
  assert.deepEqual([assessment.timeLimitMinutes, assessment.maxAttempts], [15, null])
  assert.equal((await author.getAssessment(w.quiz1)).questions[0].options[1].fraction, 1)
  await author.createLesson({ courseId: w.course, title: 'Empty', orderIndex: 2 })
  const unpublishable = await refused(author.publishCourse(w.course), 'LMS_NOT_PUBLISHABLE')
  assert.deepEqual(new Set(unpublishable.details.problems.map((p) => p.problem)), new Set(['lesson_without_assessment']))
  await refused(author.createAssessment({ title: 'Nowhere', questions: [] }), 'LMS_INVALID_ARGUMENT')
  const bad = await refused(author.createBlock({ lessonId: w.lesson1, type: 'image', content: { image: { url: 'http://x.org/a.png', alt_text: '' } }, orderIndex: 5 }),
    'LMS_INVALID_DOCUMENT')
  assert.equal(bad.problems[0].path, '/image/url')
  const badQuestions = await refused(author.createAssessment({ title: 'Bad', lessonId: w.lesson1, questions: [{ type: 'true_false', id: 'q', prompt: '?', points: 0, correct: true }] }),
    'LMS_INVALID_DOCUMENT')
  assert.equal(badQuestions.document, 'question_set')
  assert.equal(badQuestions.problems[0].path, '/0/points')
  const listed = await author.listCourses({ instructorId: w.instructor, published: false, limit: 10 })
  assert.deepEqual(listed.items.map((x) => x.id), [w.course])
  assert.equal((await author.listCourses({ tag: 'nothing' })).total, 0)
  await author.deleteCourse(w.course)
  await refused(author.getCourse(w.course), 'LMS_NOT_FOUND')
})

test('GDPR export and erasure', async (t) => {
  const w = await world(t)
  const c = w.client
  const me = c.asUser(w.student)
  await me.enroll(w.course)
  await me.submitAttempt(w.quiz1, answers(2))
  const exported = await me.exportUserData(w.student)
  assert.equal(exported.userId, w.student)
  assert.equal(exported.tables.assessment_attempts.length, 1)
  assert.equal(exported.tables.profiles[0].email, 'sam@example.org')
  const erased = await me.eraseUser(w.student)
  assert.equal(erased.deleted.assessment_attempts, 1)
  assert.equal(erased.successor, null)
  await refused(me.myProfile(), 'LMS_NO_PROFILE')
  await refused(c.asUser(w.admin).eraseUser(w.instructor), 'LMS_CONFLICT')
  const handed = await c.asUser(w.admin).eraseUser(w.instructor, w.otherInstructor)
  assert.deepEqual([handed.successor, handed.transferredCourses], [w.otherInstructor, 1])
})

test('people, the audit log and stored documents', async (t) => {
  const w = await world(t)
  const c = w.client
  const admin = c.asUser(w.admin)
  assert.equal((await admin.setRole(w.student, 'instructor')).role, 'instructor')
  await refused(admin.setRole(w.admin, 'student'), 'LMS_FORBIDDEN')
  await refused(admin.setRole(w.student, 'wizard'), 'LMS_INVALID_ARGUMENT')
  const me = c.asUser(w.otherStudent)
  const prefs = { preferred_pace: 'slow', preferred_media_types: ['video'], learning_style: 'visual' }
  const profile = await me.updateProfile(w.otherStudent, { firstName: 'Kim', learningPreferences: prefs })
  assert.deepEqual([profile.firstName, profile.learningPreferences], ['Kim', prefs])
  assert.equal((await me.myProfile()).email, 'kim@example.org')
  await refused(me.updateProfile(w.otherStudent, { learningPreferences: { preferred_pace: 'warp' } }), 'LMS_INVALID_DOCUMENT')
  await refused(me.updateProfile(w.otherStudent, { role: 'admin' }), 'LMS_INVALID_ARGUMENT')
  const log = await admin.auditLog({ tableName: 'profiles', limit: 5 })
  assert.ok(log.items.length > 0 && log.items.every((e) => e.tableName === 'profiles'))
  assert.match(log.items[0].occurredAt, ISO)
  assert.ok(log.items.some((e) => e.newData && typeof e.newData.first_name !== 'undefined'))
  const mine = await admin.auditLog({ actorId: w.otherStudent, action: 'update', since: '2000-01-01T00:00:00Z' })
  assert.ok(mine.items.length >= 1 && mine.items.every((e) => e.actorId === w.otherStudent))
  await refused(me.auditLog(), 'LMS_FORBIDDEN')
  assert.equal(typeof (await c.asAnon().recordFailedSignIn('x@example.org', 'bad password')), 'number')
  const service = c.asService()
  assert.equal((await service.checkDocuments()).invalid, 0)
  assert.equal((await service.repairDocuments()).repaired, 0)
  const fresh = randomUUID()
  assert.equal((await service.ensureProfile(fresh, 'new@example.org')).id, fresh)
  assert.deepEqual(await me.myRoadmaps(), [])
  assert.deepEqual(await me.myLearningProgress(), [])
})

test('a blank submission is refused unless allowed, and an essay is graded', async (t) => {
  const w = await world(t)
  const c = w.client
  const author = c.asUser(w.instructor)
  const essay = await author.updateAssessment(w.quiz1, {
    questions: [{ type: 'essay', id: 'e1', prompt: 'Explain ownership.', points: 4 }],
  })
  const me = c.asUser(w.student)
  await me.enroll(w.course)
  await refused(me.submitAttempt(essay.id, {}), 'LMS_NO_ANSWERS')
  const blank = await me.submitAttempt(essay.id, {}, { allowEmpty: true })
  assert.equal(blank.attempt.pointsEarned, 0)
  const written = await me.submitAttempt(essay.id, { e1: { type: 'essay', text: 'One owner, moves, borrows.' } })
  assert.deepEqual(written.pendingReview, ['e1'])
  assert.equal(written.attempt.score, null)
  const graded = await author.gradeEssay(written.attempt.id, 'e1', 3, 'Good')
  assert.deepEqual([graded.score, graded.passed], [75, true])
  assert.equal(graded.feedback.questions[0].grader_comment, 'Good')
  await refused(author.gradeEssay(written.attempt.id, 'e1', 5), 'LMS_INVALID_DOCUMENT')
})
