// Every pure rule from Node: the values in and out (camelCase outside documents), and the
// refusals thrown synchronously with their codes and details.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { lms, thrown } from './helpers.mjs'

const A = '00000000-0000-4000-8000-000000000001'
const B = '00000000-0000-4000-8000-000000000002'
const C = '00000000-0000-4000-8000-000000000003'

const tf = (id = 'q1', points = 1, correct = true) => ({ type: 'true_false', id, prompt: '?', points, correct })

test('validate returns the normalized document or every problem', () => {
  const clean = lms.validate('content_data', { rich_text: { html: "<p onclick='x()'>Hi</p><script>1</script>" } })
  assert.deepEqual(clean, { rich_text: { html: '<p>Hi</p>', plain_text: 'Hi' } })
  const e = thrown(() => lms.validate('learning_preferences', { preferred_pace: 'warp' }), 'LMS_INVALID_DOCUMENT')
  assert.equal(e.document, 'learning_preferences')
  assert.equal(e.httpStatus, 422)
  const paths = new Set(e.problems.map((p) => p.path))
  for (const path of ['/preferred_pace', '/preferred_media_types', '/learning_style']) assert.ok(paths.has(path), path)
  assert.ok(e.problems.every((p) => typeof p.reason === 'string' && p.reason.length > 0))
  assert.match(e.message, /preferred_pace/)
  assert.deepEqual(e.body, { code: 'invalid_document', message: e.message, document: 'learning_preferences', problems: e.problems })
  thrown(() => lms.validate('recipe', {}), 'LMS_INVALID_DOCUMENT')
  const names = lms.documents()
  for (const name of ['question_set', 'answers', 'content_data', 'block_metadata', 'student_question_set']) assert.ok(names.includes(name), name)
})

test('jsonSchema of every document', () => {
  for (const name of lms.documents()) {
    const schema = lms.jsonSchema(name)
    assert.ok(String(schema.$schema).startsWith('https://json-schema.org/'), name)
  }
  thrown(() => lms.jsonSchema('recipe'), 'LMS_INVALID_DOCUMENT')
})

test('validateContent checks the content against its type', () => {
  const image = { image: { url: 'https://cdn.example.org/a.png', alt_text: 'A' } }
  assert.deepEqual(lms.validateContent('image', image), image)
  thrown(() => lms.validateContent('video', image), 'LMS_INVALID_DOCUMENT')
  thrown(() => lms.validateContent('hologram', image), 'LMS_INVALID_DOCUMENT')
})

test('score, then grade an essay', () => {
  const qs = [tf('q1', 2), { type: 'essay', id: 'q2', prompt: 'Why?', points: 8 }]
  const scored = lms.score(qs, { q1: { type: 'true_false', value: true }, q2: { type: 'essay', text: 'Because' } })
  assert.deepEqual([scored.pointsEarned, scored.totalPoints, scored.score, scored.passed], [2, 10, null, null])
  // the feedback document keeps its stored (snake_case) keys
  assert.equal(scored.feedback.summary.pending_review, 1)
  assert.equal(scored.feedback.questions[1].outcome, 'pending_review')
  const graded = lms.gradeEssay(scored, 'q2', 6, 'fine')
  assert.deepEqual([graded.score, graded.passed, graded.pointsEarned], [80, true, 8])
  assert.equal(graded.feedback.questions[1].grader_comment, 'fine')
  const e = thrown(() => lms.gradeEssay(scored, 'q2', 9), 'LMS_INVALID_DOCUMENT')
  assert.equal(e.problems[0].path, '/points')
  const bad = thrown(() => lms.gradeEssay(scored, 'q2', -1), 'LMS_INVALID_ARGUMENT')
  assert.ok(bad instanceof TypeError)
  thrown(() => lms.gradeEssay(scored, 'q2', 2.5), 'LMS_INVALID_ARGUMENT')
  // the passing score is an option
  assert.equal(lms.score([tf()], { q1: { type: 'true_false', value: true } }, { passing: 100 }).passed, true)
  assert.equal(lms.score([tf(), tf('q2')], { q1: { type: 'true_false', value: true } }, { passing: 60 }).passed, false)
})

test('score refuses answers that do not fit the questions', () => {
  const e = thrown(() => lms.score([tf()], { q9: { type: 'true_false', value: true } }), 'LMS_INVALID_DOCUMENT')
  assert.equal(e.problems[0].path, '/q9')
  assert.equal(e.document, 'answers')
  thrown(() => lms.score([tf()], { q1: { type: 'multiple_choice', selected: ['a'] } }), 'LMS_INVALID_DOCUMENT')
})

test('scoreMany scores each sheet into columns and names the bad one', () => {
  const sheets = [true, false].map((value) => ({ q1: { type: 'true_false', value } })).concat([{}])
  assert.deepEqual(lms.scoreMany([tf()], sheets), {
    pointsEarned: [1, 0, 0], totalPoints: [1, 1, 1], score: [100, 0, 0], passed: [true, false, false],
  })
  const withFeedback = lms.scoreMany([tf()], sheets, { feedback: true })
  assert.deepEqual(withFeedback.feedback.map((f) => f.questions[0].outcome), ['correct', 'incorrect', 'unanswered'])
  assert.deepEqual(lms.scoreMany([tf()], []), { pointsEarned: [], totalPoints: [], score: [], passed: [] })
  const notList = thrown(() => lms.scoreMany([tf()], { not: 'a list' }), 'LMS_INVALID_ARGUMENT')
  assert.ok(notList instanceof TypeError)
  const e = thrown(() => lms.scoreMany([tf()], [{}, { q7: { type: 'true_false', value: true } }]), 'LMS_INVALID_DOCUMENT')
  assert.equal(e.problems[0].path, '/1/q7')
})

test('mayStart and submission', () => {
  const rules = { maxAttempts: 1, timeLimitMinutes: 10, graceSeconds: 30, retakePolicy: 'forbid', timeLimitPolicy: 'autosubmit', gradingMethod: 'highest' }
  assert.deepEqual(lms.mayStart({ rules }), { kind: 'new', attemptNumber: 1 })
  assert.deepEqual(lms.mayStart(), { kind: 'new', attemptNumber: 1 })
  const previous = [{ attemptNumber: 1, startedAt: '2026-12-01T10:00:00Z', submittedAt: '2026-12-01T10:05:00Z', score: 40, passed: false }]
  const limit = thrown(() => lms.mayStart({ rules, previous, now: '2026-12-01T11:00:00Z' }), 'LMS_ATTEMPT_LIMIT_REACHED')
  assert.equal(limit.max, 1)
  assert.deepEqual(limit.details, { maxAttempts: 1 })
  assert.equal(limit.httpStatus, 409)
  // the wire body, as the Rust ErrorBody serializes
  assert.deepEqual(limit.body, { code: 'attempt_limit_reached', message: limit.message, details: { max_attempts: 1 } })
  const locked = thrown(() => lms.mayStart({ rules, missing: [A] }), 'LMS_PREREQUISITES_UNMET')
  assert.deepEqual(locked.missing, [A])
  assert.deepEqual(locked.details, { missingLessons: [A] })
  // an open attempt within its time is resumed with its deadline (rules in part)
  const open = [{ attemptNumber: 1, startedAt: '2026-12-01T10:00:00Z' }]
  assert.deepEqual(lms.mayStart({ rules: { timeLimitMinutes: 10 }, previous: open, now: '2026-12-01T10:09:00Z' }),
    { kind: 'resume', attemptNumber: 1, deadline: '2026-12-01T10:10:00Z' })

  const verdict = lms.submission({
    startedAt: '2026-12-01T10:00:00Z',
    submittedAt: '2026-12-01T10:11:00Z',
    answers: [{ questionId: 'q1', answeredAt: '2026-12-01T10:10:20Z' }, { questionId: 'q2', answeredAt: '2026-12-01T10:10:40Z' }],
    rules,
  })
  assert.deepEqual(verdict, { kept: ['q1'], dropped: ['q2'], late: true, submittedAt: '2026-12-01T10:10:00Z', timeSpentSeconds: 600, pastDueSeconds: null })
  thrown(() => lms.submission({ startedAt: '2026-12-01T10:00:00Z', submittedAt: '2026-12-01T11:00:00Z', rules: { ...rules, timeLimitPolicy: 'reject' } }),
    'LMS_TIME_LIMIT_EXCEEDED')
  thrown(() => lms.submission({ startedAt: 'yesterday', submittedAt: '2026-12-01T10:11:00Z' }), 'LMS_INVALID_DOCUMENT')
  const date = thrown(() => lms.mayStart({ now: new Date() }), 'LMS_INVALID_ARGUMENT')
  assert.ok(date instanceof TypeError)
  thrown(() => lms.mayStart({ rules: { maxAttempts: 'many' } }), 'LMS_INVALID_DOCUMENT')
})

test('grade over attempts', () => {
  assert.equal(lms.grade([40, 90, 70]), 90)
  assert.equal(lms.grade([70, 75], { method: 'average' }), 72) // the mean 72.5, rounded down
  assert.equal(lms.grade([70, 75], { method: 'first' }), 70)
  assert.equal(lms.grade([70, 75], { method: 'last' }), 75)
  assert.equal(lms.grade([]), null)
  thrown(() => lms.grade([1], { method: 'median' }), 'LMS_INVALID_DOCUMENT')
})

test('prerequisites: unlocked, missing, topologicalOrder', () => {
  const lessons = [{ id: C, prerequisites: [A, B] }, { id: B, prerequisites: [A] }, { id: A }]
  assert.deepEqual(lms.topologicalOrder(lessons), [A, B, C])
  assert.deepEqual(lms.unlocked(lessons, [A]), [A, B])
  assert.deepEqual(lms.missing(lessons, C, [A]), [B])
  assert.deepEqual(lms.missing(lessons, C), [A, B])
  thrown(() => lms.topologicalOrder([{ id: A, prerequisites: [A] }]), 'LMS_INVALID_DOCUMENT')
  thrown(() => lms.missing(lessons, '00000000-0000-4000-8000-000000000009'), 'LMS_NOT_FOUND')
  thrown(() => lms.unlocked([{ id: 'not-a-uuid' }]), 'LMS_INVALID_DOCUMENT')
})

test('progress: transition, apply, lessonProgress, courseComplete', () => {
  const event = { kind: 'content_progress', blocksDone: 1, blocksTotal: 4, assessment: 'not_required' }
  assert.equal(lms.transition('not_started', event), 'in_progress')
  const e = thrown(() => lms.transition('blocked', event), 'LMS_INVALID_TRANSITION')
  assert.deepEqual(e.details, { from: 'blocked', event: 'content_progress' })
  assert.deepEqual(lms.apply({ status: 'not_started', completionPercentage: 0 }, event), { status: 'in_progress', completionPercentage: 25 })
  assert.deepEqual(lms.apply({ status: 'in_progress', completionPercentage: 25 },
    { kind: 'assessment_submitted', mandatory: true, passed: true, blocksDone: 4, blocksTotal: 4 }),
  { status: 'completed', completionPercentage: 100 })
  const facts = { prerequisitesMet: true, blocksDone: 0, blocksTotal: 0, assessment: 'passed', accessed: false, previous: null }
  assert.deepEqual(lms.lessonProgress(facts), { status: 'completed', completionPercentage: 100 })
  assert.deepEqual(lms.lessonProgress({ ...facts, prerequisitesMet: false, assessment: 'not_attempted', blocksTotal: 2 }),
    { status: 'blocked', completionPercentage: 0 })
  assert.equal(lms.courseComplete(['completed'], 'passed'), true)
  assert.equal(lms.courseComplete(['completed', 'in_progress']), false)
  assert.equal(lms.courseComplete(['completed'], 'failed'), false)
  thrown(() => lms.courseComplete(['done']), 'LMS_INVALID_DOCUMENT')
})

test('publishProblems lists every one', () => {
  const now = '2026-12-01T10:00:00Z'
  const course = {
    id: A, title: 'Rust', description: null, instructorId: B, finalAssessmentId: null, tags: [],
    difficultyLevel: null, estimatedDurationMinutes: null, isPublished: false, createdAt: now, updatedAt: now,
  }
  assert.deepEqual(lms.publishProblems({ course }).map((p) => p.problem), ['no_lessons', 'no_final_assessment'])
  const lesson = {
    id: C, courseId: A, title: 'One', description: null, orderIndex: 0, learningObjectives: [],
    estimatedDurationMinutes: null, assessmentId: null, prerequisites: [], isPublished: false, createdAt: now, updatedAt: now,
  }
  const problems = lms.publishProblems({ course, lessons: [lesson] })
  assert.deepEqual(problems, [{ problem: 'lesson_without_assessment', lesson: C }, { problem: 'no_final_assessment' }])
})

test('studentView keeps no answer key', () => {
  assert.deepEqual(lms.studentView([{ ...tf(), explanation: 'secret' }]), [{ type: 'true_false', id: 'q1', prompt: '?', points: 1 }])
  const mc = lms.studentView([{ type: 'multiple_choice', id: 'm', prompt: '?', points: 1, options: [{ id: 'a', text: 'A', fraction: 1 }, { id: 'b', text: 'B', fraction: 0 }] }])
  assert.deepEqual(mc[0].options, [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }])
})

test('values JavaScript cannot hand over are TypeErrors with a code, never a crash', () => {
  const cases = [
    () => lms.score([tf()], { q1: () => 1 }),
    () => lms.score([tf()], { q1: Symbol('x') }),
    () => lms.validate('block_metadata', { x: NaN }),
    () => lms.validate('block_metadata', { x: Infinity }),
    () => lms.validate('block_metadata', { x: 2n ** 70n }),
    () => lms.validate('answers', { q1: { type: 'true_false', value: true, answered_at: new Date() } }),
    () => lms.validate('block_metadata', { x: new Uint8Array(2) }),
    () => lms.validate('block_metadata', undefined),
    () => lms.score(undefined, {}),
    () => lms.score([tf()], {}, { passing: 'seventy' }),
    () => lms.transition(42, { kind: 'prerequisites_met' }),
    () => lms.unlocked('not a list'),
    () => lms.mayStart({ missing: [1, 2] }),
  ]
  for (const call of cases) {
    const e = thrown(call, 'LMS_INVALID_ARGUMENT')
    assert.ok(e instanceof TypeError, e.message)
    assert.ok(e.message.length > 0)
  }
  let deep = {}
  for (let i = 0; i < 100_000; i++) deep = { a: deep }
  assert.match(thrown(() => lms.validate('block_metadata', deep), 'LMS_INVALID_ARGUMENT').message, /deeper than 64/)
  const cycle = {}
  cycle.self = cycle
  thrown(() => lms.validate('block_metadata', cycle), 'LMS_INVALID_ARGUMENT')
  // where it is, as a JSON pointer
  assert.match(thrown(() => lms.validate('answers', { q1: { type: 'true_false', value: NaN } }), 'LMS_INVALID_ARGUMENT').message, /\/q1\/value/)
  // JSON's own reading of JavaScript: undefined properties are left out, whole numbers are integers
  assert.deepEqual(lms.validate('block_metadata', { a: 1, b: undefined, c: 2.5, d: 12 }), { a: 1, c: 2.5, d: 12 })
  thrown(() => lms.validate('block_metadata', { d: 12n }), 'LMS_INVALID_ARGUMENT')
  class Money { toJSON() { return '1 EUR' } }
  thrown(() => lms.validate('block_metadata', { price: new Money() }), 'LMS_INVALID_ARGUMENT')
  // and a value JSON can hold but the document refuses is the library's refusal
  thrown(() => lms.score(null, null), 'LMS_INVALID_DOCUMENT')
})

test('errorCodes lists every code with its HTTP status, as the type declares them', async () => {
  const codes = lms.errorCodes()
  assert.equal(codes.LMS_NOT_FOUND, 404)
  assert.equal(codes.LMS_FORBIDDEN, 403)
  assert.equal(codes.LMS_INVALID_DOCUMENT, 422)
  assert.equal(codes.LMS_ATTEMPT_LIMIT_REACHED, 409)
  assert.equal(codes.LMS_CONFLICT, 409)
  assert.equal(codes.LMS_PREREQUISITES_UNMET, 403)
  assert.equal(codes.LMS_DATABASE, 503)
  assert.equal(Object.keys(codes).length, 15)
  const { readFileSync } = await import('node:fs')
  const header = readFileSync(new URL('../types-header.d.ts', import.meta.url), 'utf8')
  const declared = header.split('export type LmsErrorCode =')[1].split('\n\n')[0].match(/'LMS_[A-Z_]+'/g).map((s) => s.slice(1, -1))
  assert.deepEqual(declared.sort(), [...Object.keys(codes), 'LMS_INVALID_ARGUMENT'].sort())
})

test('callRule runs a rule by name on its snake_case input', () => {
  assert.equal(lms.callRule('grade', { method: 'highest', scores: [1, 2] }), 2)
  assert.deepEqual(lms.callRule('may_start', { now: '2026-12-01T10:00:00Z' }), { kind: 'new', attempt_number: 1 })
  thrown(() => lms.callRule('nope', {}), 'LMS_INVALID_DOCUMENT')
})

test('the module is frozen and its classes cannot be constructed from JavaScript', () => {
  assert.ok(Object.isFrozen(lms))
  assert.throws(() => new lms.Lms())
  assert.throws(() => new lms.Scope())
})

test('scoreMany holds its sheets to the same rules, with the same messages, as every other argument', () => {
  const q = [tf()]
  const bad = [
    { q1: { type: 'true_false', value: NaN } },
    { q1: { type: 'true_false', value: -Infinity } },
    { q1: { type: 'true_false', value: true, answered_at: new Date(0) } },
    { q1: { type: 'true_false', value: () => true } },
    { q1: { type: 'true_false', value: Symbol('s') } },
    { q1: { type: 'true_false', value: 1n } },
    { q1: new Uint8Array(3) },
    { q1: new ArrayBuffer(3) },
    { q1: { toJSON: () => ({}) } },
    { q1: new (class { toJSON() { return 1 } })() },
    { q1: { type: 'true_false', value: [1, [2, { x: NaN }]] } },
  ]
  let deep = { type: 'true_false' }
  for (let i = 0; i < 70; i++) deep = { a: deep }
  bad.push({ q1: deep })
  const cycle = { type: 'true_false' }
  cycle.self = cycle
  bad.push({ q1: cycle })
  for (const sheet of bad) {
    // the whole list read value by value (validate) and the batch path (scoreMany)
    const one = thrown(() => lms.validate('block_metadata', [{}, sheet]), 'LMS_INVALID_ARGUMENT')
    const batch = thrown(() => lms.scoreMany(q, [{}, sheet]), 'LMS_INVALID_ARGUMENT')
    assert.ok(batch instanceof TypeError)
    assert.equal(batch.message.replace(/^answers/, ''), one.message.replace(/^value/, ''), String(Object.keys(sheet.q1)))
  }
  // what both accept, both read alike: undefined left out of objects, null in arrays
  const odd = { q1: { type: 'multiple_choice', selected: ['a'], answered_at: undefined } }
  assert.deepEqual(lms.scoreMany([{ type: 'multiple_choice', id: 'q1', prompt: '?', points: 1, options: [{ id: 'a', text: 'A', fraction: 1 }, { id: 'b', text: 'B', fraction: 0 }] }], [odd]).score, [100])
  // an undefined sheet is refused as score(q, undefined) is; a null one is the library's refusal
  assert.match(thrown(() => lms.scoreMany(q, [{}, undefined]), 'LMS_INVALID_ARGUMENT').message, /^answers at \/1: undefined/)
  assert.equal(thrown(() => lms.scoreMany(q, [null]), 'LMS_INVALID_DOCUMENT').problems[0].path.startsWith('/0'), true)
  // many sheets: the scores come back in order, the first invalid one named by its index
  const many = Array.from({ length: 1000 }, (_, i) => ({ q1: { type: 'true_false', value: i % 2 === 0 } }))
  assert.deepEqual(lms.scoreMany(q, many).score, many.map((_, i) => (i % 2 === 0 ? 100 : 0)))
  many[777] = { q9: { type: 'true_false', value: true } }
  assert.equal(thrown(() => lms.scoreMany(q, many), 'LMS_INVALID_DOCUMENT').problems[0].path, '/777/q9')
})

test('what an adversarial review found stays fixed', async (t) => {
  const q = [tf(), tf('q2')]
  const right = { q1: { type: 'true_false', value: true }, q2: { type: 'true_false', value: true } }
  await t.test('a sparse array of 2**32 - 1 items is refused at once, not walked', () => {
    const huge = []
    huge.length = 2 ** 32 - 1
    assert.match(thrown(() => lms.validate('block_metadata', { x: huge }), 'LMS_INVALID_ARGUMENT').message, /more than 1048576 items/)
    assert.match(thrown(() => lms.scoreMany(q, huge), 'LMS_INVALID_ARGUMENT').message, /more than 1048576 items/)
  })
  await t.test('only own keys are read, and a polluted Object.prototype changes nothing', () => {
    const inherited = Object.assign(Object.create({ q1: { type: 'true_false', value: false } }), { q2: { type: 'true_false', value: true } })
    assert.equal(lms.score(q, inherited).score, 50) // q1 unanswered, not false-from-the-prototype
    assert.deepEqual(lms.scoreMany(q, [inherited]).score, [50])
    Object.prototype.polluted = 1 // eslint-disable-line no-extend-native
    try {
      assert.equal(lms.score(q, right).score, 100)
      assert.deepEqual(lms.scoreMany(q, [right]).score, [100])
    } finally {
      delete Object.prototype.polluted
    }
  })
  await t.test('a "__proto__" key of a document stays a key', () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "a": "b"}')
    const out = lms.validate('block_metadata', { a: 'b' })
    assert.deepEqual(out, { a: 'b' })
    const answers = lms.validate('answers', JSON.parse('{"__proto__": {"type": "true_false", "value": true}}'))
    assert.deepEqual(Object.keys(answers), ['__proto__'])
    assert.equal(Object.getPrototypeOf(answers), Object.prototype)
    void doc
  })
  await t.test('integers out of range or with a fraction are refused, never wrapped', () => {
    for (const passing of [NaN, -0.5, Infinity, 2 ** 32 + 50, 1e10]) {
      thrown(() => lms.score(q, right, { passing }), 'LMS_INVALID_ARGUMENT')
    }
    thrown(() => lms.grade([2 ** 32 + 10]), 'LMS_INVALID_ARGUMENT')
    thrown(() => lms.grade([1.9]), 'LMS_INVALID_ARGUMENT')
  })
  await t.test('an error is built without calling setters on Object.prototype', () => {
    let called = 0
    Object.defineProperty(Object.prototype, 'httpStatus', { set() { called++; throw new Error('x') }, configurable: true })
    try {
      const e = thrown(() => lms.grade([1], { method: 'median' }), 'LMS_INVALID_DOCUMENT')
      assert.equal(Object.getOwnPropertyDescriptor(e, 'httpStatus').value, 422)
      assert.equal(called, 0)
    } finally {
      delete Object.prototype.httpStatus
    }
  })
  await t.test('getters called on something else are TypeErrors with the code', () => {
    for (const [cls, name] of [[lms.Scope, 'actor'], [lms.Lms, 'closed']]) {
      const getter = Object.getOwnPropertyDescriptor(cls.prototype, name).get
      const e = thrown(() => getter.call({}), 'LMS_INVALID_ARGUMENT')
      assert.ok(e instanceof TypeError)
    }
  })
  await t.test('scoreMany and score read a sheet alike', () => {
    const odd = [
      { q1: { type: 'true_false', value: new Boolean(true) } }, // eslint-disable-line no-new-wrappers
      { q1: { type: 'true_false', value: true, toJSON: 5 } },
      { q1: Object.setPrototypeOf(new Date(), null) },
      { q1: { type: 'short_answer', text: 'a\ud800b' } },
      { '\udbff': { type: 'true_false', value: true } },
      { q1: Object(1n) },
    ]
    for (const sheet of odd) {
      let one
      try {
        lms.score(q, sheet)
      } catch (e) {
        one = e
      }
      const batch = thrown(() => lms.scoreMany(q, [sheet]), 'LMS_INVALID_ARGUMENT')
      assert.ok(one instanceof Error, `score accepted ${batch.message}`)
      assert.ok(one.code.startsWith('LMS_INVALID'), one.code)
    }
  })
})
