// The README's "Use from Node" code, run as written against a fresh database, so that it
// never rots: its output is what the text says it is.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'

import { freshDatabase } from './helpers.mjs'

const README = new URL('../../../README.md', import.meta.url)

test('the README example runs and prints what it promises', (t) => {
  const section = readFileSync(README, 'utf8').split('## Use from Node')[1].split('\n## ')[0]
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.equal(blocks.length, 1, 'one js example in the section')
  // inside the package, so that `@lms/native` resolves to this package (its "exports")
  const file = new URL(`../.readme-${process.pid}.mjs`, import.meta.url)
  writeFileSync(file, blocks[0])
  t.after(() => rmSync(file, { force: true }))
  const out = execFileSync(process.execPath, [file.pathname], {
    env: { ...process.env, DATABASE_URL: freshDatabase(t) },
    encoding: 'utf8',
  })
  assert.deepEqual(out.trim().split('\n'), [
    'score 0 passed false',
    'score 0 passed false',
    'refused (LMS_ATTEMPT_LIMIT_REACHED, HTTP 409): at most 2 attempts',
    // the quiz failed: its lesson reviewed (half of the default 30 minutes, plus the
    // default 15 of an untimed quiz), then the final (15); the lesson names no skill
    "[ 'review', 'assessment' ] 2 steps, about 45 minutes at a medium pace. Review: “Ownership”.",
    // the lesson not completed; its one question earned nothing in the two attempts
    '[ 0 ] [ 0 ]',
    '100',
  ])
})
