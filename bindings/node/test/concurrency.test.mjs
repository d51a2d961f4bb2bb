// Many Promises on one Lms, an event loop that keeps turning while the database works,
// and a client that is closed or whose database is gone.

import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'

import { answers, buildWorld, connect, lms, refused, world } from './helpers.mjs'

test('100 concurrent Promises on one Lms complete correctly', async (t) => {
  const client = await connect(t, { maxConnections: 4 })
  const w = await buildWorld(client)
  const service = client.asService()
  // 20 students, each enrolled and submitting: their own results, none mixed up
  const students = await Promise.all(Array.from({ length: 20 }, (_, i) => service.signUp({ email: `s${i}@example.org` })))
  await Promise.all(students.map((s) => client.asUser(s.id).enroll(w.course)))
  const calls = []
  for (const [i, s] of students.entries()) {
    const me = client.asUser(s.id)
    const right = i % 3 // 0, 1 or 2 right: 0, 50 or 100
    calls.push(me.submitAttempt(w.quiz1, answers(right)).then((r) => ['submit', s.id, r]))
    calls.push(me.myProfile().then((r) => ['profile', s.id, r]))
    calls.push(me.getCourse(w.course).then((r) => ['course', s.id, r]))
    calls.push(me.studentDashboard().then((r) => ['dashboard', s.id, r]))
    calls.push(client.asAnon().listCourses().then((r) => ['catalog', s.id, r]))
  }
  assert.equal(calls.length, 100)
  const results = await Promise.all(calls)
  for (const [kind, id, r] of results) {
    const i = students.findIndex((s) => s.id === id)
    if (kind === 'submit') {
      assert.equal(r.attempt.studentId, id)
      assert.equal(r.attempt.score, [0, 50, 100][i % 3])
    } else if (kind === 'profile') {
      assert.equal(r.id, id)
      assert.equal(r.email, `s${i}@example.org`)
    } else if (kind === 'course') {
      assert.equal(r.id, w.course)
    } else if (kind === 'dashboard') {
      assert.equal(r.studentId, id)
    } else {
      assert.deepEqual(r.items.map((c) => c.id), [w.course])
    }
  }
  const book = await client.asUser(w.instructor).gradebook(w.course, { limit: 500 })
  assert.equal(book.entries.filter((e) => e.assessmentId === w.quiz1).length, 20)
})

test('no call blocks the event loop: setImmediate runs while 50 submits are in flight', async (t) => {
  const w = await world(t, { maxConnections: 4 })
  const c = w.client
  const service = c.asService()
  const students = await Promise.all(Array.from({ length: 50 }, (_, i) => service.signUp({ email: `e${i}@example.org` })))
  await Promise.all(students.map((s) => c.asUser(s.id).enroll(w.course)))
  let settled = 0
  const inFlight = students.map((s) => c.asUser(s.id).submitAttempt(w.quiz1, answers(2)).finally(() => { settled += 1 }))
  // the event loop turns before the first submit is done, and keeps turning meanwhile
  const firstTurn = await new Promise((resolve) => setImmediate(() => resolve(settled)))
  assert.equal(firstTurn, 0, 'setImmediate ran only after a submit settled')
  let turns = 0
  let done = false
  const all = Promise.all(inFlight).finally(() => { done = true })
  await new Promise((resolve) => {
    const tick = () => {
      turns += 1
      if (done) resolve()
      else setImmediate(tick)
    }
    setImmediate(tick)
  })
  const results = await all
  assert.ok(turns > 1, `the event loop turned ${turns} times during 50 submits`)
  assert.ok(results.every((r) => r.attempt.score === 100))
})

test('a closed client rejects calls with LMS_DATABASE, closing twice is harmless', async (t) => {
  const client = await connect(t)
  const scope = client.asAnon()
  assert.equal(client.closed, false)
  await client.close()
  assert.equal(client.closed, true)
  await client.close()
  const e = await refused(scope.listCourses(), 'LMS_DATABASE')
  assert.match(e.message, /closed/)
  assert.equal(e.httpStatus, 503)
  await refused(client.migrate(), 'LMS_DATABASE')
})

test('a database that is gone fails fast with LMS_DATABASE', async () => {
  // a port that accepts TCP connections and never answers: the pool's acquire timeout
  const server = createServer(() => {})
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `postgres://postgres@127.0.0.1:${server.address().port}/lms`
    const started = Date.now()
    await refused(lms.Lms.connect(url, { acquireTimeout: 1 }), 'LMS_DATABASE')
    assert.ok(Date.now() - started < 30_000)
  } finally {
    server.close()
  }
  await refused(lms.Lms.connect('postgres://postgres@127.0.0.1:1/lms', { acquireTimeout: 1 }), 'LMS_DATABASE')
  await refused(lms.Lms.connect('not a url'), 'LMS_DATABASE')
})

test('the module works in worker threads too, beside the main thread', async (t) => {
  const { Worker } = await import('node:worker_threads')
  const w = await world(t)
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const lms = require(workerData.module)
    ;(async () => {
      const client = await lms.Lms.connect(workerData.url)
      const course = await client.asAnon().getCourse(workerData.course)
      await client.close()
      parentPort.postMessage({ grade: lms.grade([40, 90]), title: course.title })
    })().catch((e) => parentPort.postMessage({ error: e.code ?? String(e) }))
  `
  const { fileURLToPath } = await import('node:url')
  const module = fileURLToPath(new URL('../lms.js', import.meta.url))
  const runs = Array.from({ length: 2 }, () => new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { module, url: w.url, course: w.course } })
    worker.once('message', resolve)
    worker.once('error', reject)
  }))
  for (const result of await Promise.all(runs)) assert.deepEqual(result, { grade: 90, title: 'Rust' })
  // the main thread's client still works after the workers are gone
  assert.equal((await w.client.asAnon().getCourse(w.course)).title, 'Rust')
})

test('workers that load the module may come and go, even killed mid-call, before the main thread loads it', async () => {
  // in a process of its own: the main thread must not have loaded the module (a worker
  // pool's way: Jest, Piscina); mimalloc v3 crashed the second worker here
  const { execFileSync } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const module = fileURLToPath(new URL('../lms.js', import.meta.url))
  const script = `
    const { Worker } = require('node:worker_threads')
    const code = \`
      const l = require(${JSON.stringify(module)})
      const qs = [{ type: 'true_false', id: 'q', prompt: '?', points: 1, correct: true }]
      setInterval(() => l.scoreMany(qs, Array.from({ length: 300 }, () => ({ q: { type: 'true_false', value: true } }))), 1)
    \`
    ;(async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => new Worker('require(${JSON.stringify(module)}).grade([1])', { eval: true }).once('exit', r))
      for (let i = 0; i < 3; i++) {
        const w = new Worker(code, { eval: true })
        await new Promise((r) => setTimeout(r, 100))
        await w.terminate()
      }
      console.log(require(${JSON.stringify(module)}).grade([3, 4]))
    })()
  `
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.equal(out.trim(), '4')
})
