// What the suites share: a fresh PostgreSQL database per test (created from
// DATABASE_URL, whose user may create databases, and dropped afterwards), a migrated
// Lms on it, and a small course world built through the library.

import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** The package as users load it (its `main`). */
export const lms = require('..')

const ADMIN_URL = process.env.DATABASE_URL ?? ''

function psql(sql) {
  execFileSync('psql', [ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** A fresh database for test `t`, dropped when the test ends; its URL. */
export function freshDatabase(t) {
  if (!ADMIN_URL) throw new Error('set DATABASE_URL (scripts/with-postgres does)')
  const name = `lms_js_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  psql(`create database "${name}"`)
  t.after(() => psql(`drop database if exists "${name}" with (force)`))
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** A migrated `Lms` on a fresh database, closed when the test ends; its URL is `url`. */
export async function connect(t, options) {
  const url = freshDatabase(t)
  const client = await lms.Lms.connect(url, options)
  t.after(() => client.close())
  await client.migrate()
  urls.set(client, url)
  return client
}

const urls = new WeakMap()

/** Two questions of 1 point: a single choice (`b` is right), a true/false (true). */
export function questions() {
  return [
    {
      type: 'multiple_choice', id: 'q1', prompt: 'Which one borrows?', points: 1,
      options: [
        { id: 'a', text: 'let x = y;', fraction: 0 },
        { id: 'b', text: 'let x = &y;', fraction: 1 },
      ],
      explanation: 'A reference borrows.',
    },
    { type: 'true_false', id: 'q2', prompt: 'A value has one owner.', points: 1, correct: true },
  ]
}

/** Answers getting `right` of the two questions right. */
export function answers(right) {
  return {
    q1: { type: 'multiple_choice', selected: [right >= 1 ? 'b' : 'a'] },
    q2: { type: 'true_false', value: right >= 2 },
  }
}

/** Users signed up by the service; a course of two lessons (lesson 2 needs lesson 1),
 * each with a block and a quiz (3 attempts, pass at 70), and a final exam. */
export async function buildWorld(client, { publish = true } = {}) {
  const service = client.asService()
  const people = {}
  for (const [name, role] of [['ada', 'instructor'], ['grace', 'instructor'], ['root', 'admin'], ['sam', 'student'], ['kim', 'student']]) {
    people[name] = (await service.signUp({ email: `${name}@example.org`, role })).id
  }
  const author = client.asUser(people.ada)
  const course = (await author.createCourse({ title: 'Rust', instructorId: people.ada, tags: ['rust'], difficultyLevel: 'beginner' })).id
  const lesson1 = (await author.createLesson({ courseId: course, title: 'Ownership', orderIndex: 0 })).id
  const lesson2 = (await author.createLesson({ courseId: course, title: 'Borrowing', orderIndex: 1, prerequisites: [lesson1] })).id
  const block1 = (await author.createBlock({ lessonId: lesson1, type: 'rich_text', content: { rich_text: { html: '<p>Owners</p>' } }, orderIndex: 0 })).id
  const block2 = (await author.createBlock({ lessonId: lesson2, type: 'rich_text', content: { rich_text: { html: '<p>Borrows</p>' } }, orderIndex: 0 })).id
  const quiz1 = (await author.createAssessment({ title: 'Ownership quiz', questions: questions(), lessonId: lesson1, maxAttempts: 3 })).id
  const quiz2 = (await author.createAssessment({ title: 'Borrowing quiz', questions: questions(), lessonId: lesson2, maxAttempts: 3 })).id
  const final = (await author.createAssessment({ title: 'Final', questions: questions(), courseId: course })).id
  if (publish) await author.publishCourse(course)
  return {
    client,
    url: urls.get(client),
    instructor: people.ada, otherInstructor: people.grace, admin: people.root,
    student: people.sam, otherStudent: people.kim,
    course, lesson1, lesson2, block1, block2, quiz1, quiz2, final,
  }
}

/** A migrated client with the world on it. */
export async function world(t, options) {
  return buildWorld(await connect(t, options))
}

/** Asserts that `promise` rejects with an `Error` whose code is `code`; the error. */
export async function refused(promise, code) {
  try {
    await promise
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${error}`)
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`)
    return error
  }
  throw new Error(`expected a rejection with ${code}, but it resolved`)
}

/** Asserts that `fn()` throws an `Error` whose code is `code`; the error. */
export function thrown(fn, code) {
  try {
    fn()
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`threw a non-Error: ${error}`)
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`)
    return error
  }
  throw new Error(`expected a throw with ${code}, but it returned`)
}
