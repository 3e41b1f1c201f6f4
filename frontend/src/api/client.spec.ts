import { describe, expect, it, vi } from 'vitest'
import { mockApi } from '@/test/mockApi'
import { ADMIN, me, page } from '@/test/fixtures'
import { api, setCsrfToken, setSignedOutHandler, unwrap } from './client'
import { ApiProblem, parseRetryAfter } from './problem'

describe('api client', () => {
  it('sends the CSRF token on writes but not on reads', async () => {
    const net = mockApi({
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN]) }),
      'PATCH /api/admin/users/{id}': ({ json }) => ({
        status: 200,
        body: { ...ADMIN, display_name: json.display_name ?? ADMIN.display_name },
      }),
    })
    setCsrfToken('tok-1')

    await unwrap(api.GET('/api/admin/users'))
    await unwrap(api.PATCH('/api/admin/users/{id}', { params: { path: { id: ADMIN.id } }, body: { display_name: 'Ada' } }))

    expect(net.callsTo('GET /api/admin/users')[0]?.headers.get('X-CSRF-Token')).toBeNull()
    const patch = net.callsTo('PATCH /api/admin/users/{id}')[0]
    expect(patch?.headers.get('X-CSRF-Token')).toBe('tok-1')
    expect(patch?.path).toBe(`/api/admin/users/${ADMIN.id}`)
    expect(patch?.json).toEqual({ display_name: 'Ada' })
  })

  it('sends cookies with every request (same origin)', async () => {
    const net = mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me() }) })
    await unwrap(api.GET('/api/auth/me'))
    const request = net.fetch.mock.calls[0]?.[0] as Request
    expect(request.credentials).toBe('same-origin')
  })

  it('turns a problem+json answer into one ApiProblem with field errors and request id', async () => {
    mockApi({
      'POST /api/admin/users': () => ({
        problem: {
          status: 422,
          code: 'validation_failed',
          detail: 'Some fields are not valid; see `errors`.',
          request_id: 'req-42',
          errors: [
            { field: 'email', message: 'must be a valid email address' },
            { field: 'password', message: 'must be at least 8 characters' },
          ],
        },
      }),
    })

    const error = await unwrap(
      api.POST('/api/admin/users', { body: { email: 'x', display_name: 'X', role: 'user', password: 'short' } }),
    ).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ApiProblem)
    const problem = error as ApiProblem
    expect(problem.status).toBe(422)
    expect(problem.code).toBe('validation_failed')
    expect(problem.request_id).toBe('req-42')
    expect(problem.errors).toEqual([
      { field: 'email', message: 'must be a valid email address' },
      { field: 'password', message: 'must be at least 8 characters' },
    ])
  })

  it('reads Retry-After on 429', async () => {
    mockApi({
      'POST /api/auth/login': () => ({
        problem: { status: 429, code: 'too_many_attempts' },
        headers: { 'Retry-After': '600' },
      }),
    })
    const problem = (await unwrap(api.POST('/api/auth/login', { body: { email: 'a@b.se', password: 'x' } })).catch(
      (e: unknown) => e,
    )) as ApiProblem
    expect(problem.code).toBe('too_many_attempts')
    expect(problem.retryAfterSeconds).toBe(600)
  })

  it('makes a problem out of answers that are not problem documents', async () => {
    vi.stubGlobal('fetch', async () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }))
    const problem = (await unwrap(api.GET('/api/auth/me')).catch((e: unknown) => e)) as ApiProblem
    expect(problem).toBeInstanceOf(ApiProblem)
    expect(problem.status).toBe(502)
    expect(problem.code).toBe('http_502')
  })

  it('makes a network_error problem when fetch itself fails', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const problem = (await unwrap(api.GET('/api/admin/users')).catch((e: unknown) => e)) as ApiProblem
    expect(problem).toBeInstanceOf(ApiProblem)
    expect(problem.code).toBe('network_error')
    expect(problem.status).toBe(0)
  })

  it('reports a lost session (401) so the app can send the user to sign-in', async () => {
    const signedOut = vi.fn()
    setSignedOutHandler(signedOut)
    mockApi({ 'GET /api/admin/users': () => ({ problem: { status: 401, code: 'session_expired' } }) })

    await expect(unwrap(api.GET('/api/admin/users'))).rejects.toMatchObject({ status: 401, code: 'session_expired' })
    expect(signedOut).toHaveBeenCalledWith('session_expired')
  })

  it('reports a disabled account as signed out too', async () => {
    const signedOut = vi.fn()
    setSignedOutHandler(signedOut)
    mockApi({ 'GET /api/admin/users': () => ({ problem: { status: 403, code: 'account_disabled' } }) })
    await expect(unwrap(api.GET('/api/admin/users'))).rejects.toBeInstanceOf(ApiProblem)
    expect(signedOut).toHaveBeenCalledWith('account_disabled')
  })

  it('does not redirect for a wrong password or the start-up session probe', async () => {
    const signedOut = vi.fn()
    setSignedOutHandler(signedOut)
    mockApi({
      'POST /api/auth/login': () => ({ problem: { status: 401, code: 'invalid_credentials' } }),
      'GET /api/auth/me': () => ({ problem: { status: 401, code: 'unauthenticated' } }),
    })
    await expect(unwrap(api.POST('/api/auth/login', { body: { email: 'a@b.se', password: 'nope' } }))).rejects.toMatchObject({
      code: 'invalid_credentials',
    })
    await expect(unwrap(api.GET('/api/auth/me'))).rejects.toMatchObject({ code: 'unauthenticated' })
    expect(signedOut).not.toHaveBeenCalled()
  })

  it('does not treat a plain 403 (role too low) as a lost session', async () => {
    const signedOut = vi.fn()
    setSignedOutHandler(signedOut)
    mockApi({ 'GET /api/admin/users': () => ({ problem: { status: 403, code: 'forbidden' } }) })
    await expect(unwrap(api.GET('/api/admin/users'))).rejects.toMatchObject({ code: 'forbidden' })
    expect(signedOut).not.toHaveBeenCalled()
  })

  it('replays a write once with a fresh token after csrf_failed', async () => {
    setCsrfToken('stale')
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN, 'fresh') }),
      'PATCH /api/admin/users/{id}': ({ headers, json }) =>
        headers.get('X-CSRF-Token') === 'fresh'
          ? { status: 200, body: { ...ADMIN, display_name: json.display_name ?? ADMIN.display_name } }
          : { problem: { status: 403, code: 'csrf_failed' } },
    })

    const user = await unwrap(
      api.PATCH('/api/admin/users/{id}', { params: { path: { id: ADMIN.id } }, body: { display_name: 'Ny' } }),
    )

    expect(user.display_name).toBe('Ny')
    const patches = net.callsTo('PATCH /api/admin/users/{id}')
    expect(patches.map((c) => c.headers.get('X-CSRF-Token'))).toEqual(['stale', 'fresh'])
    expect(patches[1]?.json).toEqual({ display_name: 'Ny' })
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120)
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60)
    expect(parseRetryAfter('soon')).toBeNull()
  })
})
