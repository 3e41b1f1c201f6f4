/**
 * The one API client: openapi-fetch typed by the generated schema. Its middleware sends the
 * CSRF header on writes, turns every failed response into an `ApiProblem` (thrown), retries a
 * write once after a stale CSRF token, and reports lost sessions so the app can send the user
 * to sign-in.
 */
import createClient, { type Middleware } from 'openapi-fetch'
import { ApiProblem } from './problem'
import type { paths } from './schema'

export type SignedOutReason = 'session_expired' | 'account_disabled'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Answers where 401/403 is the expected outcome for the caller, not a lost session. */
const QUIET_AUTH_PATHS = new Set(['/api/auth/login', '/api/auth/me', '/api/auth/logout'])

let csrfToken: string | null = null
let onSignedOut: (reason: SignedOutReason) => void = (reason) => {
  // Fallback before the app installs its router-aware handler: a full navigation.
  const back = window.location.pathname + window.location.search
  window.location.assign(`/login?redirect=${encodeURIComponent(back)}&reason=${reason}`)
}

/** The token from `POST /api/auth/login` or `GET /api/auth/me`; `null` after sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

export function getCsrfToken(): string | null {
  return csrfToken
}

/** What to do when the server says the session is gone (the app navigates to sign-in). */
export function setSignedOutHandler(handler: (reason: SignedOutReason) => void): void {
  onSignedOut = handler
}

/** Request clones kept so a write refused for a stale CSRF token can be replayed once. */
const pendingWrites = new Map<string, Request>()

const middleware: Middleware = {
  onRequest({ request, id }) {
    if (SAFE_METHODS.has(request.method)) return request
    if (csrfToken) request.headers.set('X-CSRF-Token', csrfToken)
    pendingWrites.set(id, request.clone())
    return request
  },

  async onResponse({ response, schemaPath, id }) {
    const replayable = pendingWrites.get(id)
    pendingWrites.delete(id)
    if (response.ok) return response

    const problem = await ApiProblem.fromResponse(response)
    if (problem.code === 'csrf_failed' && replayable) {
      const retried = await retryWithFreshCsrf(replayable)
      if (retried) {
        if (retried.ok) return retried
        throw await ApiProblem.fromResponse(retried)
      }
    }
    if (!QUIET_AUTH_PATHS.has(schemaPath)) {
      if (problem.status === 401) onSignedOut('session_expired')
      else if (problem.code === 'account_disabled') onSignedOut('account_disabled')
    }
    throw problem
  },

  onError({ error, id }) {
    pendingWrites.delete(id)
    return error instanceof ApiProblem ? error : ApiProblem.network(error)
  },
}

/**
 * Another tab may have signed in again (new cookie, new token): fetch the token and replay the
 * write once, outside the middleware so it cannot loop.
 */
async function retryWithFreshCsrf(original: Request): Promise<Response | null> {
  const me = await globalThis.fetch('/api/auth/me', { credentials: 'same-origin' })
  if (!me.ok) return null
  const body = (await me.json()) as { csrf_token?: string | null }
  if (!body.csrf_token) return null
  csrfToken = body.csrf_token
  const replay = new Request(original)
  replay.headers.set('X-CSRF-Token', body.csrf_token)
  return globalThis.fetch(replay)
}

export const api = createClient<paths>({
  baseUrl: '',
  // The session cookie is HttpOnly and scoped to /api on the same origin.
  credentials: 'same-origin',
  // Look fetch up per call (not once at import) so tests can stub the network.
  fetch: (input: Request) => globalThis.fetch(input),
})
api.use(middleware)

/**
 * The body of a successful call. Failures never get here: the middleware throws `ApiProblem`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await call
  if (data === undefined && response.status !== 204) {
    throw ApiProblem.network(new Error(`empty ${response.status} response from ${response.url}`))
  }
  return data as T
}
