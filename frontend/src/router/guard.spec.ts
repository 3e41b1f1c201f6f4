import type { Role } from '@/auth/roles'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { makeUser, me } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { createAppRouter } from './index'
import { safeRedirect } from './guard'

async function navigate(path: string) {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  return router.currentRoute.value
}

describe('auth guard', () => {
  it('sends a signed-out visitor to sign-in with a way back', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ problem: { status: 401, code: 'unauthenticated' } }) })
    const route = await navigate('/admin/users?page=2')
    expect(route.name).toBe('login')
    expect(route.query.redirect).toBe('/admin/users?page=2')
  })

  it('loads the session once, however many navigations follow', async () => {
    const net = mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: 'user' })) }) })
    const router = createAppRouter(createMemoryHistory())
    await router.push('/catalog')
    await router.push('/my-runs')
    await router.push('/profile')
    expect(net.callsTo('GET /api/auth/me')).toHaveLength(1)
  })

  it('home goes to the catalog', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: 'user' })) }) })
    expect((await navigate('/')).name).toBe('catalog')
  })

  it.each([
    ['user', '/my-tools', 'forbidden'],
    ['user', '/admin/users', 'forbidden'],
    ['contributor', '/my-tools', 'my-tools'],
    ['contributor', '/admin/review', 'forbidden'],
    ['admin', '/admin/users', 'users'],
    ['superuser', '/admin/review', 'review'],
  ])('a %s opening %s lands on %s', async (role, path, expected) => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: role as Role })) }) })
    const route = await navigate(path)
    expect(route.name).toBe(expected)
    if (expected === 'forbidden') expect(route.query.need).toBeTruthy()
  })

  it('treats a disabled account as signed out', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ problem: { status: 403, code: 'account_disabled' } }) })
    expect((await navigate('/catalog')).name).toBe('login')
  })
})

describe('safeRedirect', () => {
  it('accepts in-app paths only', () => {
    expect(safeRedirect('/admin/users?page=2')).toBe('/admin/users?page=2')
    expect(safeRedirect('//evil.example')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(['/a'])).toBeNull()
  })
})
