// The example server on a loopback port, driven with fetch: its three endpoints, good
// and bad tokens, and the library's refusals as HTTP statuses with the library's body.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'

import { SignJWT } from 'jose'

import { answers, world } from '../../../bindings/node/test/helpers.mjs'
import { serve } from '../server.mjs'

const SECRET = 'a-supabase-project-jwt-secret-of-at-least-32-bytes'

function token(sub, { secret = SECRET, audience = 'authenticated', expiresIn = '5m' } = {}) {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret))
}

async function start(t) {
  const w = await world(t)
  const logged = []
  const server = await serve({ lms: w.client, secret: SECRET, log: (...args) => logged.push(args) })
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${server.address().port}`
  const call = async (method, path, { bearer, body, raw } = {}) => {
    const headers = {}
    if (bearer) headers.authorization = `Bearer ${bearer}`
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(base + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) })
    return { status: res.status, headers: res.headers, body: await res.json() }
  }
  return { w, call, logged }
}

test('the public catalog needs no token', async (t) => {
  const { w, call } = await start(t)
  const catalog = await call('GET', '/courses')
  assert.equal(catalog.status, 200)
  assert.deepEqual(catalog.body.items.map((c) => c.id), [w.course])
  assert.equal(catalog.body.total, 1)
  assert.equal((await call('GET', '/courses?tag=nothing')).body.total, 0)
  const bad = await call('GET', '/courses?limit=ten')
  assert.equal(bad.status, 422)
  assert.deepEqual(bad.body.problems, [{ path: '/limit', reason: 'limit must be a whole number ≥ 0' }])
  assert.equal((await call('GET', '/nowhere')).status, 404)
  assert.equal((await call('DELETE', '/courses')).status, 405)
})

test('a course outline for a signed-in student, and bad tokens are 401', async (t) => {
  const { w, call } = await start(t)
  const path = `/courses/${w.course}/outline`
  const none = await call('GET', path)
  assert.equal(none.status, 401)
  assert.match(none.headers.get('www-authenticate'), /Bearer/)
  for (const bad of [
    await token(w.student, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), // expired
    await token(w.student, { secret: 'another-secret-another-secret-another' }), // forged
    await token(w.student, { audience: 'anon' }),
    'not.a.jwt',
  ]) {
    const refused = await call('GET', path, { bearer: bad })
    assert.equal(refused.status, 401, bad)
    assert.equal(refused.body.code, 'unauthenticated')
  }
  const sam = await token(w.student)
  await w.client.asUser(w.student).enroll(w.course)
  const outline = await call('GET', path, { bearer: sam })
  assert.equal(outline.status, 200)
  assert.equal(outline.body.course.title, 'Rust')
  assert.deepEqual(outline.body.lessons.map((l) => [l.title, l.status]), [['Ownership', 'not_started'], ['Borrowing', 'blocked']])
  assert.deepEqual(outline.body.lessons[1].prerequisites, [w.lesson1])
  const unknown = await call('GET', `/courses/${randomUUID()}/outline`, { bearer: sam })
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body.code, 'not_found')
  const malformed = await call('GET', '/courses/nope/outline', { bearer: sam })
  assert.equal(malformed.status, 422)
  // a token for a user the library does not know
  const ghost = await call('GET', path, { bearer: await token(randomUUID()) })
  assert.equal(ghost.status, 403)
  assert.equal(ghost.body.code, 'no_profile')
})

test('submitting an attempt, and the refused ones', async (t) => {
  const { w, call, logged } = await start(t)
  const sam = await token(w.student)
  const url = `/assessments/${w.quiz1}/submission`
  const notEnrolled = await call('POST', url, { bearer: sam, body: { answers: answers(2) } })
  assert.equal(notEnrolled.status, 403)
  assert.equal(notEnrolled.body.code, 'not_enrolled')
  await w.client.asUser(w.student).enroll(w.course)
  assert.equal((await call('POST', url, { body: { answers: answers(2) } })).status, 401)

  const locked = await call('POST', `/assessments/${w.quiz2}/submission`, { bearer: sam, body: { answers: answers(2) } })
  assert.equal(locked.status, 403)
  assert.equal(locked.body.code, 'prerequisites_unmet')
  assert.deepEqual(locked.body.details.missing_lessons, [w.lesson1])

  const invalid = await call('POST', url, { bearer: sam, body: { answers: { q9: { type: 'true_false', value: true } } } })
  assert.equal(invalid.status, 422)
  assert.equal(invalid.body.code, 'invalid_document')
  assert.equal(invalid.body.problems[0].path, '/q9')
  assert.equal((await call('POST', url, { bearer: sam, raw: '{"answers": ' })).status, 422)
  assert.equal((await call('POST', url, { bearer: sam, body: { nothing: true } })).status, 422)
  const blank = await call('POST', url, { bearer: sam, body: { answers: {} } })
  assert.deepEqual([blank.status, blank.body.code], [422, 'no_answers'])

  for (const right of [0, 1]) {
    const done = await call('POST', url, { bearer: sam, body: { answers: answers(right) } })
    assert.equal(done.status, 200)
    assert.equal(done.body.attempt.score, right * 50)
  }
  // the lesson's content done, passing the quiz completes it and unlocks the next one
  await w.client.asUser(w.student).recordContentProgress(w.block1, { completed: true, percent: 100 }, 10)
  const passed = await call('POST', url, { bearer: sam, body: { answers: answers(2) } })
  assert.deepEqual([passed.body.attempt.score, passed.body.attempt.passed, passed.body.unlockedLessons], [100, true, [w.lesson2]])
  const again = await call('POST', url, { bearer: sam, body: { answers: answers(2) } })
  // passed, and its three attempts used (a retake after a pass is allowed, as in Moodle)
  assert.deepEqual([again.status, again.body.code], [409, 'attempt_limit_reached'])
  const kim = await token(w.otherStudent)
  await w.client.asUser(w.otherStudent).enroll(w.course)
  for (let i = 0; i < 3; i++) assert.equal((await call('POST', url, { bearer: kim, body: { answers: answers(0) } })).status, 200)
  const limit = await call('POST', url, { bearer: kim, body: { answers: answers(2) } })
  assert.equal(limit.status, 409)
  assert.equal(limit.body.code, 'attempt_limit_reached')
  assert.deepEqual(limit.body.details, { max_attempts: 3 })
  assert.equal((await call('POST', `/assessments/${randomUUID()}/submission`, { bearer: sam, body: { answers: answers(2) } })).status, 404)
  assert.deepEqual(logged, [], 'no failure of the database')
})

test('a failing database is 503, logged, and its cause never sent', async (t) => {
  const { w, call, logged } = await start(t)
  await w.client.close()
  const down = await call('GET', '/courses')
  assert.equal(down.status, 503)
  assert.equal(down.headers.get('retry-after'), '5')
  assert.deepEqual(down.body, { code: 'database', message: 'the service is unavailable, try again' })
  assert.equal(logged.length, 1)
})
