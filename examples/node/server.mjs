// An HTTP back end on plain node:http embedding @lms/native, as a Node service would:
// the caller's JWT (HS256, as Supabase signs them, audience `authenticated`) is verified
// with `jose` and its `sub` becomes `lms.asUser`; every refusal of the library becomes the
// HTTP status it recommends (`err.httpStatus`) with the library's error body (`err.body`).
//
//   GET  /courses?tag=&limit=&offset=        the public catalog (no token needed)
//   GET  /courses/:id/outline                a signed-in student's view of a course:
//                                            its lessons with the student's progress
//   POST /assessments/:id/submission         submit answers: {"answers": {...}}
//
//   DATABASE_URL=postgres://… LMS_JWT_SECRET=… node examples/node/server.mjs
//
// LMS_LISTEN is the port (default 8080, on 127.0.0.1). The migrations run at start.

import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

import { errors as joseErrors, jwtVerify } from 'jose'
import { Lms } from '@lms/native'

const MAX_BODY = 1 << 20

/** A response that is not a success. */
class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body.message)
    this.status = status
    this.body = body
    this.headers = headers
  }
}

const unauthenticated = (message) =>
  new HttpError(401, { code: 'unauthenticated', message }, { 'www-authenticate': 'Bearer error="invalid_token"' })

/** A request the library never saw (bad JSON, a malformed id): 422 in the library's shape. */
const badRequest = (document, path, reason) =>
  new HttpError(422, { code: 'invalid_document', message: `invalid ${document}: ${reason}`, document, problems: [{ path, reason }] })

/**
 * The request handler over `lms` (a connected `Lms`), verifying tokens with `secret`.
 * `log` receives the failures of the database, never sent to callers.
 */
export function createApp({ lms, secret, log = console.error }) {
  const key = new TextEncoder().encode(secret)

  /** The verified user id of the request, `null` without a token; 401 for a bad one. */
  async function user(req) {
    const header = req.headers.authorization
    if (!header) return null
    const [scheme, token] = header.split(' ')
    if (scheme !== 'Bearer' || !token) throw unauthenticated('expected "Authorization: Bearer <token>"')
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: 'authenticated', requiredClaims: ['exp', 'sub'] })
      return payload.sub
    } catch (e) {
      if (e instanceof joseErrors.JOSEError) throw unauthenticated(`invalid token: ${e.code}`)
      throw e
    }
  }

  /** The scope of the request: the verified user, or an anonymous visitor. */
  async function scope(req, { required = false } = {}) {
    const id = await user(req)
    if (id === null) {
      if (required) throw unauthenticated('sign in first')
      return lms.asAnon()
    }
    return lms.asUser(id) // trusted: `id` is the `sub` of a token verified above
  }

  async function json(req) {
    let size = 0
    const chunks = []
    for await (const chunk of req) {
      size += chunk.length
      if (size > MAX_BODY) throw new HttpError(413, { code: 'invalid_document', message: 'the body is larger than 1 MiB' })
      chunks.push(chunk)
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch (e) {
      throw badRequest('request', '', `the body is not JSON: ${e.message}`)
    }
  }

  function count(url, name) {
    const text = url.searchParams.get(name)
    if (text === null) return undefined
    const n = Number(text)
    if (!Number.isInteger(n) || n < 0) throw badRequest('query', `/${name}`, `${name} must be a whole number ≥ 0`)
    return n
  }

  const routes = [
    ['GET', /^\/courses$/, async (req, url) => {
      const me = await scope(req)
      return [200, await me.listCourses({ tag: url.searchParams.get('tag') ?? undefined, limit: count(url, 'limit'), offset: count(url, 'offset') })]
    }],
    ['GET', /^\/courses\/([^/]+)\/outline$/, async (req, url, [courseId]) => {
      const me = await scope(req, { required: true })
      const [course, lessons, progress] = await Promise.all([me.getCourse(courseId), me.listLessons(courseId), me.myProgress(courseId)])
      const status = new Map(progress.filter((p) => p.lessonId).map((p) => [p.lessonId, p]))
      return [200, {
        course: { id: course.id, title: course.title, description: course.description },
        lessons: lessons.map((l) => ({
          id: l.id, title: l.title, orderIndex: l.orderIndex, prerequisites: l.prerequisites, assessmentId: l.assessmentId,
          status: status.get(l.id)?.status ?? 'not_started',
          completionPercentage: status.get(l.id)?.completionPercentage ?? 0,
        })),
      }]
    }],
    ['POST', /^\/assessments\/([^/]+)\/submission$/, async (req, url, [assessmentId]) => {
      const me = await scope(req, { required: true })
      const body = await json(req)
      if (body === null || typeof body !== 'object' || typeof body.answers !== 'object' || body.answers === null) {
        throw badRequest('request', '/answers', 'expected {"answers": {...}}')
      }
      return [200, await me.submitAttempt(assessmentId, body.answers, { allowEmpty: url.searchParams.get('allowEmpty') === 'true' })]
    }],
  ]

  async function route(req) {
    const url = new URL(req.url, 'http://localhost')
    for (const [method, pattern, handler] of routes) {
      const match = pattern.exec(url.pathname)
      if (!match) continue
      if (req.method !== method) throw new HttpError(405, { code: 'method_not_allowed', message: `use ${method}` }, { allow: method })
      return handler(req, url, match.slice(1).map(decodeURIComponent))
    }
    throw new HttpError(404, { code: 'not_found', message: `no route for ${url.pathname}` })
  }

  /** The outcome of a refusal: the library's own status and body, or ours. */
  function failure(e) {
    if (e instanceof HttpError) return [e.status, e.body, e.headers]
    if (e instanceof Error && e.code === 'LMS_INVALID_ARGUMENT') return [422, badRequest('request', '', e.message).body, {}]
    if (e instanceof Error && typeof e.code === 'string' && e.code.startsWith('LMS_')) {
      if (e.code === 'LMS_DATABASE') {
        log('the database failed:', e)
        return [503, { code: 'database', message: 'the service is unavailable, try again' }, { 'retry-after': '5' }]
      }
      return [e.httpStatus, e.body, {}]
    }
    log('unexpected failure:', e)
    return [500, { code: 'internal', message: 'internal error' }, {}]
  }

  return async function handle(req, res) {
    let status, body, headers
    try {
      ;[status, body] = await route(req)
      headers = {}
    } catch (e) {
      ;[status, body, headers] = failure(e)
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
}

/** Serves on `port` (0: any free one) of 127.0.0.1; resolves with the server once listening. */
export async function serve({ lms, secret, port = 0, log }) {
  const server = createServer(createApp({ lms, secret, log }))
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return server
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.env.DATABASE_URL
  const secret = process.env.LMS_JWT_SECRET
  if (!url || !secret) {
    console.error('set DATABASE_URL and LMS_JWT_SECRET')
    process.exit(2)
  }
  const lms = await Lms.connect(url)
  await lms.migrate()
  const server = await serve({ lms, secret, port: Number(process.env.LMS_LISTEN ?? 8080) })
  console.log(`serving on http://127.0.0.1:${server.address().port}`)
  process.on('SIGINT', () => server.close(() => lms.close().then(() => process.exit(0))))
}
