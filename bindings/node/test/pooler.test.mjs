// Through PgBouncer in transaction mode (`connect(url, { pooled: true })`): a real pooler
// (scripts/pgbouncer) with two server connections in front of the test's database.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { answers, buildWorld, connect, lms, refused } from './helpers.mjs'

const script = fileURLToPath(new URL('../../../scripts/pgbouncer', import.meta.url))

test('use cases run through a transaction pooler', async (t) => {
  const direct = await connect(t)
  const w = await buildWorld(direct)
  const dir = join(tmpdir(), `lms-bouncer-${randomUUID()}`)
  const port = execFileSync(script, ['start', dir], { encoding: 'utf8' }).trim()
  t.after(() => execFileSync(script, ['stop', dir]))
  // the world's database, through the pooler
  const through = new URL(w.url)
  through.host = `127.0.0.1:${port}`
  const client = await lms.Lms.connect(through.toString(), { pooled: true, maxConnections: 6 })
  t.after(() => client.close())
  assert.equal(client.pooled, true)
  assert.equal(direct.pooled, false)
  const e = await refused(client.migrate(), 'LMS_CONFLICT')
  assert.match(e.message, /direct connection/)
  const [sam, kim] = [client.asUser(w.student), client.asUser(w.otherStudent)]
  await sam.enroll(w.course)
  await kim.enroll(w.course)
  // six transactions of two students at once, over two server connections
  const take = async (scope, right) => {
    const done = await scope.submitAttempt(w.quiz1, answers(right))
    const mine = await scope.myAttempts(w.quiz1)
    assert.ok(mine.every((a) => a.studentId === done.attempt.studentId))
    return done.attempt.studentId
  }
  const students = await Promise.all([1, 2, 3].flatMap(() => [take(sam, 2), take(kim, 1)]))
  assert.equal(students.filter((s) => s === w.student).length, 3)
  assert.equal(students.filter((s) => s === w.otherStudent).length, 3)
  await refused(sam.submitAttempt(w.quiz1, answers(2)), 'LMS_ATTEMPT_LIMIT_REACHED')
  const stats = client.poolStats()
  assert.deepEqual(Object.keys(stats).sort(), ['closed', 'idle', 'inUse', 'maxConnections', 'size'])
  assert.equal(stats.maxConnections, 6)
  assert.equal(stats.inUse, stats.size - stats.idle)
})

test('read replicas are skipped when they are no standbys', async (t) => {
  const direct = await connect(t)
  const w = await buildWorld(direct)
  // the "replica" is the primary itself: not in recovery, never used (a real standby is
  // tested in Rust, lms-db/tests/replicas.rs)
  const client = await lms.Lms.connect(w.url, { replicas: [w.url], maxReplicaLag: 5 })
  t.after(() => client.close())
  assert.equal(client.replicaCount, 1)
  const grades = await client.asUser(w.instructor).courseGrades(w.course)
  assert.equal(grades.total, 0)
  assert.ok((await client.asAnon().listCourses()).items.length > 0)
  await refused(lms.Lms.connect(w.url, { maxReplicaLag: -1 }), 'LMS_INVALID_ARGUMENT')
  await refused(lms.Lms.connect(w.url, { replicas: ['nonsense'] }), 'LMS_DATABASE')
})

test('slow statements are logged on standard error', async (t) => {
  const direct = await connect(t)
  const w = await buildWorld(direct)
  const script = `
    const lms = require(${JSON.stringify(fileURLToPath(new URL('..', import.meta.url)))})
    lms.Lms.connect(process.argv[1], { slowStatementMs: Number(process.argv[2]) })
      .then(async (c) => { await c.asAnon().listCourses(); await c.close() })
      .catch((e) => { console.error('failed', e); process.exit(1) })`
  const run = (ms) => spawnSync(process.execPath, ['-e', script, w.url, String(ms)], { encoding: 'utf8' })
  const slow = run(0)
  assert.equal(slow.status, 0, slow.stderr)
  assert.match(slow.stderr, /^lms WARN sqlx::query: slow statement/m)
  const calm = run(1000)
  assert.equal(calm.status, 0, calm.stderr)
  assert.doesNotMatch(calm.stderr, /lms WARN/)
  await refused(lms.Lms.connect(w.url, { slowStatementMs: -1 }), 'LMS_INVALID_ARGUMENT')
})
