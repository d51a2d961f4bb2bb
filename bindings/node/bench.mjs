// The Node module's bench, as ratios to Rust measured in the same run:
//
// 1. the per-call overhead of a trivial pure call (`grade([70])`; goal ≤ 1 µs);
// 2. `scoreMany` on 10,000 20-question attempts from Node vs the same in Rust (goal: at
//    least 0.8× Rust's throughput);
// 3. `submitAttempt` throughput with 8 requests in flight vs the same from Rust, each on a
//    fresh database of the same server (goal: at least 0.9× Rust's), with the event
//    loop's delay meanwhile (perf_hooks.monitorEventLoopDelay, p99).
//
// Build the module in release mode first (`npm run build`), then, with a PostgreSQL:
// `scripts/with-postgres node bindings/node/bench.mjs`. The Rust side is
// `cargo bench -p lms --bench bindings`, which this script runs (twice: the machine is
// shared, so Rust and Node take turns and each keeps its best).

import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const lms = require('./lms.js')

const ROOT = new URL('../../', import.meta.url)
const THROUGHPUT = 400
const IN_FLIGHT = 8

function rustSide() {
  const out = execFileSync('cargo', ['bench', '--quiet', '-p', 'lms', '--bench', 'bindings'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const found = {}
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue
    const record = JSON.parse(line)
    if (record.inputs) found.inputs = record.inputs
    else found[record.workload] = record
  }
  return found
}

function perCallNs() {
  const calls = 1_000_000
  const scores = [70]
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) lms.grade(scores)
    best = Math.min(best, Number(process.hrtime.bigint() - started) / calls)
  }
  return best
}

function scoreMany(questions, answers) {
  const sheets = Array.from({ length: 10_000 }, () => structuredClone(answers))
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const started = performance.now()
    const scored = lms.scoreMany(questions, sheets)
    best = Math.min(best, (performance.now() - started) / 1000)
    if (scored.score.length !== sheets.length) throw new Error('scoreMany lost sheets')
  }
  return best
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** Submissions per second with IN_FLIGHT in flight, and the event loop's delay (ms). */
async function submitThroughput(adminUrl, questions, answers) {
  const name = `lms_bench_node_${process.pid}`
  psql(adminUrl, `create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const client = await lms.Lms.connect(url.toString())
  try {
    await client.migrate()
    const service = client.asService()
    const teacher = (await service.signUp({ email: 'teacher@bench.example.org', role: 'instructor' })).id
    const author = client.asUser(teacher)
    const course = (await author.createCourse({ title: 'Bench', instructorId: teacher })).id
    const lesson = (await author.createLesson({ courseId: course, title: 'Lesson', orderIndex: 0 })).id
    await author.createBlock({ lessonId: lesson, type: 'rich_text', content: { rich_text: { html: '<p>Read</p>' } }, orderIndex: 0 })
    const quiz = (await author.createAssessment({ title: 'Quiz', questions, lessonId: lesson })).id
    await author.createAssessment({ title: 'Quiz', questions, courseId: course })
    await author.publishCourse(course)
    const students = []
    for (let i = 0; i < THROUGHPUT; i++) {
      const me = client.asUser((await service.signUp({ email: `s${i}@bench.example.org` })).id)
      await me.enroll(course)
      students.push(me)
    }
    const delay = monitorEventLoopDelay({ resolution: 1 })
    delay.enable()
    const started = performance.now()
    const worker = async () => {
      for (let me = students.pop(); me; me = students.pop()) await me.submitAttempt(quiz, answers)
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    const perSecond = THROUGHPUT / ((performance.now() - started) / 1000)
    delay.disable()
    return { perSecond, delayP99Ms: delay.percentile(99) / 1e6, delayMaxMs: delay.max / 1e6 }
  } finally {
    await client.close()
    psql(adminUrl, `drop database if exists ${name} with (force)`)
  }
}

const url = process.env.DATABASE_URL
const rust = rustSide()
const { questions, answers } = rust.inputs
const perCall = perCallNs()
const nodeBatch = scoreMany(questions, answers)
const rustBatch = rust.score_many.seconds
const rows = [
  ['trivial pure call (grade)', `${perCall.toFixed(0)} ns per call`, 'goal ≤ 1 µs', perCall <= 1000],
  ['scoreMany, 10,000 × 20 questions', `Node ${(nodeBatch * 1000).toFixed(0)} ms, Rust ${(rustBatch * 1000).toFixed(0)} ms: ${(rustBatch / nodeBatch).toFixed(2)}× Rust's throughput`,
    'goal ≥ 0.8×', rustBatch / nodeBatch >= 0.8],
]
const results = { perCallNs: perCall, scoreManyNodeS: nodeBatch, scoreManyRustS: rustBatch }
if (url && rust.submit_throughput) {
  const first = await submitThroughput(url, questions, answers)
  const again = rustSide()
  const second = await submitThroughput(url, questions, answers)
  const node = first.perSecond >= second.perSecond ? first : second
  const rustRate = Math.max(rust.submit_throughput.per_second, again.submit_throughput.per_second)
  const ratio = node.perSecond / rustRate
  rows.push([`submitAttempt, ${IN_FLIGHT} in flight (${THROUGHPUT} calls)`,
    `Node ${node.perSecond.toFixed(0)}/s, Rust ${rustRate.toFixed(0)}/s: ${ratio.toFixed(2)}× Rust's throughput`, 'goal ≥ 0.9×', ratio >= 0.9])
  rows.push(['event loop delay meanwhile', `p99 ${node.delayP99Ms.toFixed(2)} ms, max ${node.delayMaxMs.toFixed(2)} ms`, '', true])
  Object.assign(results, { submitNodePerSecond: node.perSecond, submitRustPerSecond: rustRate, eventLoopDelayP99Ms: node.delayP99Ms })
}
for (const [what, figure, goal, met] of rows) {
  console.log(`${what.padEnd(45)} ${figure.padEnd(72)} ${goal.padEnd(12)} ${met ? 'met' : 'NOT MET'}`)
}
const out = new URL('target/bench/', ROOT)
mkdirSync(out, { recursive: true })
writeFileSync(new URL('node.json', out), JSON.stringify(results, null, 2))
