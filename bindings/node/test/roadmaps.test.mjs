// Knowledge tracing and roadmaps from Node: the pure calls (worked out by hand, and the
// rules they keep) and the use cases against a real PostgreSQL.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { answers, lms, refused, thrown, world } from './helpers.mjs'

const id = (n) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`

test('one BKT update, by hand', () => {
  const p = { prior: 0.3, learn: 0.2, guess: 0.25, slip: 0.1, forget: 0.05 }
  const step = lms.bktUpdate(0.3, true, p)
  const k = (0.3 * 0.9) / 0.445
  const u = (0.7 * 0.25) / 0.445
  assert.ok(Math.abs(step.predicted - (0.3 * 0.9 + 0.7 * 0.25)) < 1e-15)
  assert.ok(Math.abs(step.mastery - (k * 0.95 + u * 0.2)) < 1e-15)
  const e = thrown(() => lms.bktUpdate(0.3, true, { ...p, slip: 0.5 }), 'LMS_INVALID_DOCUMENT')
  assert.match(e.message, /slip/)
})

test('predictions follow each student and skill apart; fits stay bounded', () => {
  const rows = [
    { student: 'a', skill: 'x', correct: true },
    { student: 'b', skill: 'x', correct: false },
    { student: 'a', skill: 'x', correct: true },
    { student: 'a', skill: 'y', correct: false },
  ]
  const p = { prior: 0.2, learn: 0.15, guess: 0.2, slip: 0.1 }
  const predicted = lms.bktPredict(rows, { skills: { x: p, y: p } })
  const first = 0.2 * 0.9 + 0.8 * 0.2
  // a's second answer to x after a correct one; b and a's y start from the prior
  const after = lms.bktUpdate(0.2, true, p).mastery
  assert.deepEqual(predicted.map((x) => Math.round(x * 1e12)), [first, first, after * 0.9 + (1 - after) * 0.2, first].map((x) => Math.round(x * 1e12)))
  const many = []
  for (let s = 0; s < 40; s++) for (let t = 0; t < 8; t++) many.push({ student: `s${s}`, skill: 'x', correct: (s * 7 + t * 3) % 5 !== 0 })
  const fits = lms.fitBkt(many, { seed: 3, maxIterations: 50 })
  assert.equal(fits.length, 1)
  assert.equal(fits[0].skill, 'x')
  assert.equal(fits[0].answers, 320)
  assert.ok(fits[0].params.guess < 0.5 && fits[0].params.slip < 0.5)
  assert.equal(typeof fits[0].logLikelihood, 'number')
  assert.deepEqual(lms.fitBkt(many, { seed: 3, maxIterations: 50 }), fits)
  assert.equal(lms.auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75)
})

test('plans keep prerequisites; proposals that break them are refused', () => {
  const lesson = (n, pre = []) => ({ id: id(n), title: `L${n}`, order_index: n, prerequisites: pre.map(id), skills: [`s${n}`], minutes: 20 })
  const input = {
    course_id: id(99),
    lessons: [lesson(1), lesson(2, [1]), lesson(3)],
    knowledge: { skills: { s3: { mastery: 0.1, evidence: 4 } } },
  }
  const plan = lms.planRoadmap(input)
  assert.deepEqual(plan.data.steps.map((s) => s.lesson_id), [id(3), id(1), id(2)])
  assert.match(plan.reasoning, /^3 steps/)
  const swapped = { ...plan.data, steps: [0, 2, 1].map((i) => plan.data.steps[i]) }
  assert.deepEqual(lms.checkRoadmap(input, swapped).map((v) => v.code), ['prerequisite_order'])
  const decision = lms.decideRoadmap(input, swapped, 'my-model')
  assert.equal(decision.accepted, false)
  assert.deepEqual(decision.roadmap.data.steps, plan.data.steps)
  assert.equal(decision.roadmap.data.advisor.source, 'my-model')
  assert.deepEqual(lms.checkRoadmap(input, plan.data), [])
  const traced = lms.traceKnowledge([{ skill: 's1', question_id: 'q1', correct: true }])
  assert.equal(traced.changes[0].before, 0.2)
  assert.equal(traced.profile.skills.s1.evidence, 1)
  thrown(() => lms.planRoadmap({ ...input, lessons: [lesson(1, [2]), lesson(2, [1])] }), 'LMS_INVALID_DOCUMENT')
})

async function skilled(w) {
  const author = w.client.asUser(w.instructor)
  await author.updateLesson(w.lesson1, { learningObjectives: ['ownership'] })
  await author.updateLesson(w.lesson2, { learningObjectives: ['borrowing'] })
  const me = w.client.asUser(w.student)
  await me.enroll(w.course)
  return me
}

test('a roadmap follows the answers; staleness, proposals, models, regeneration', async (t) => {
  const w = await world(t)
  const me = await skilled(w)
  const first = await me.generateRoadmap(w.course)
  assert.equal(first.courseId, w.course)
  assert.equal(first.stale, false)
  assert.deepEqual(first.roadmapData.steps.map((s) => [s.kind, s.lesson_id ?? null]), [['study', w.lesson1], ['study', w.lesson2], ['assessment', null]])
  const input = await me.roadmapInput(w.course)
  assert.deepEqual(lms.planRoadmap(input).data, first.roadmapData)
  await me.submitAttempt(w.quiz1, answers(0))
  assert.equal((await me.currentRoadmap(w.course)).stale, true)
  const second = await me.generateRoadmap(w.course)
  assert.equal(second.roadmapData.steps[0].kind, 'review')
  assert.equal((await me.myProfile()).knowledgeProfile.skills.ownership.evidence, 2)
  const teacher = w.client.asUser(w.instructor)
  assert.equal((await teacher.currentRoadmap(w.course, w.student)).id, second.id)
  assert.equal(await w.client.asUser(w.otherStudent).currentRoadmap(w.course, w.student), null)
  await refused(w.client.asUser(w.otherStudent).generateRoadmap(w.course), 'LMS_NOT_ENROLLED')
  await refused(w.client.asService().generateRoadmap(w.course), 'LMS_FORBIDDEN')

  const plan = lms.planRoadmap(await me.roadmapInput(w.course)).data
  const dropped = await me.proposeRoadmap(w.course, { ...plan, steps: plan.steps.slice(1) }, { source: 'my-model' })
  assert.equal(dropped.accepted, false)
  assert.equal(dropped.roadmap, null)
  assert.ok(dropped.violations.some((v) => v.code === 'required_step_dropped'))
  const annotated = { ...plan, steps: [{ ...plan.steps[0], reason: 'Short first.' }, ...plan.steps.slice(1)] }
  const kept = await me.proposeRoadmap(w.course, annotated, { source: 'my-model', reasoning: 'Mine.' })
  assert.equal(kept.accepted, true)
  assert.equal(kept.roadmap.aiReasoning, 'Mine.')
  assert.deepEqual(kept.roadmap.roadmapData.advisor, { source: 'my-model', accepted: true })

  for (let i = 0; i < 4; i++) {
    const s = (await w.client.asService().signUp({ email: `learner${i}@example.org` })).id
    const learner = w.client.asUser(s)
    await learner.enroll(w.course)
    await learner.submitAttempt(w.quiz1, answers(i % 2 ? 2 : 0))
  }
  await refused(me.fitKnowledgeModel(w.course), 'LMS_FORBIDDEN')
  const fitted = await teacher.fitKnowledgeModel(w.course, { seed: 1 })
  assert.equal(fitted.courseId, w.course)
  // the student's two wrong answers and the four learners' two each
  assert.equal(fitted.answers, 10)
  assert.deepEqual(fitted.skills.map((s) => s.skill), ['ownership'])
  assert.deepEqual((await teacher.knowledgeModel(w.course)).skills.ownership, fitted.skills[0].params)
  await refused(teacher.setKnowledgeModel(w.course, { prior: 0.2, learn: 0.1, guess: 0.7, slip: 0.1 }), 'LMS_INVALID_DOCUMENT')
  const model = await teacher.setKnowledgeModel(w.course, { prior: 0.5, learn: 0.1, guess: 0.1, slip: 0.1 })
  assert.deepEqual(model.default, { prior: 0.5, learn: 0.1, guess: 0.1, slip: 0.1, forget: 0 })
  assert.equal((await me.currentRoadmap(w.course)).stale, true)
  assert.deepEqual(await teacher.regenerateRoadmaps(w.course), { regenerated: 1, fresh: 0, failed: [] })
})
