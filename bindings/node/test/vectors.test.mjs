// The shared conformance vectors (tests/vectors/*.json at the repository's root) through
// the built module: the same files lms-core and the Python package run.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, test } from 'node:test'

import { lms } from './helpers.mjs'

const VECTORS = new URL('../../../tests/vectors/', import.meta.url)

const isTime = (s) => typeof s === 'string' && s.endsWith('Z') && s.includes('T') && !Number.isNaN(Date.parse(s))

/** The partial match of tests/vectors/README.md. */
function matches(expected, actual, exact) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => matches(e, actual[i], exact))
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    if (exact && Object.keys(expected).length !== Object.keys(actual).length) return false
    return Object.entries(expected).every(([k, v]) => Object.hasOwn(actual, k) && matches(v, actual[k], exact))
  }
  if (typeof expected === 'number' && typeof actual === 'number') return expected === actual
  if (isTime(expected) && isTime(actual)) return Date.parse(expected) === Date.parse(actual)
  return expected === actual
}

const files = readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort()

test('the vectors are there', () => {
  assert.ok(files.length >= 6, `no vectors in ${VECTORS}`)
})

for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, VECTORS), 'utf8'))
  describe(file, () => {
    for (const c of doc.cases) {
      const fn = c.function ?? doc.function
      test(c.name, () => {
        if (c.error) {
          let error
          try {
            lms.callRule(fn, c.input)
          } catch (e) {
            error = e
          }
          assert.ok(error instanceof Error, 'expected a refusal')
          assert.equal(error.code, `LMS_${c.error.code.toUpperCase()}`, error.message)
          const paths = error.problems.map((p) => p.path)
          for (const path of c.error.paths ?? []) assert.ok(paths.includes(path), `${path} not in ${paths}`)
        } else {
          const out = lms.callRule(fn, c.input)
          assert.ok(matches(c.output, out, c.exact ?? false), `got ${JSON.stringify(out)}, expected ${JSON.stringify(c.output)}`)
        }
      })
    }
  })
}
