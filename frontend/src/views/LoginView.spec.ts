import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { getCsrfToken } from '@/api/client'
import { ADMIN, me } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import LoginView from './LoginView.vue'

const signedOut = { 'GET /api/auth/me': () => ({ problem: { status: 401, code: 'unauthenticated' } }) } as const

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], email: string, password: string) {
  await wrapper.find('input[name="email"]').setValue(email)
  await wrapper.find('input[name="password"]').setValue(password)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

describe('LoginView', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('signs in and returns to the page in ?redirect=', async () => {
    const net = mockApi({
      ...signedOut,
      'POST /api/auth/login': ({ json }) => ({
        status: 200,
        body: { access_token: 'jwt', token_type: 'Bearer', expires_at: '2026-11-24T08:00:00Z', csrf_token: 'csrf-9', user: { ...ADMIN, email: json.email } },
      }),
      'GET /api/admin/users': () => ({ status: 200, body: { items: [], total: 0, limit: 25, offset: 0 } }),
    })
    const { wrapper, router } = await mountAt(LoginView, '/login?redirect=/admin/users')

    await fillAndSubmit(wrapper, ' admin@skola.se ', 'correct horse')

    expect(net.callsTo('POST /api/auth/login')[0]?.json).toEqual({ email: 'admin@skola.se', password: 'correct horse' })
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/admin/users'))
    expect(getCsrfToken()).toBe('csrf-9')
  })

  it('ignores a redirect to another site', async () => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': () => ({
        status: 200,
        body: { access_token: 'jwt', token_type: 'Bearer', expires_at: '2026-11-24T08:00:00Z', csrf_token: 'c', user: ADMIN },
      }),
    })
    const { wrapper, router } = await mountAt(LoginView, '/login?redirect=//evil.example/x')
    await fillAndSubmit(wrapper, 'admin@skola.se', 'pw-123456')
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('catalog'))
  })

  it('says the email or password is wrong, clears the password and stays', async () => {
    mockApi({ ...signedOut, 'POST /api/auth/login': () => ({ problem: { status: 401, code: 'invalid_credentials' } }) })
    const { wrapper, router } = await mountAt(LoginView, '/login')

    await fillAndSubmit(wrapper, 'anna@skola.se', 'wrong-password')

    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('Fel e-postadress eller lösenord.')
    expect((wrapper.find('input[name="password"]').element as HTMLInputElement).value).toBe('')
    expect((wrapper.find('input[name="email"]').element as HTMLInputElement).value).toBe('anna@skola.se')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('says how many minutes a locked account must wait (Retry-After)', async () => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': () => ({ problem: { status: 429, code: 'too_many_attempts' }, headers: { 'Retry-After': '790' } }),
    })
    const { wrapper } = await mountAt(LoginView, '/login')
    await fillAndSubmit(wrapper, 'anna@skola.se', 'whatever1')
    expect(wrapper.find('[role="alert"]').text()).toContain('Försök igen om 14 minuter.')
  })

  it('uses the singular for one minute', async () => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': () => ({ problem: { status: 429, code: 'too_many_attempts' }, headers: { 'Retry-After': '45' } }),
    })
    const { wrapper } = await mountAt(LoginView, '/login')
    await fillAndSubmit(wrapper, 'anna@skola.se', 'whatever1')
    expect(wrapper.find('[role="alert"]').text()).toContain('Försök igen om 1 minut.')
  })

  it('says when the account is disabled', async () => {
    mockApi({ ...signedOut, 'POST /api/auth/login': () => ({ problem: { status: 403, code: 'account_disabled' } }) })
    const { wrapper } = await mountAt(LoginView, '/login')
    await fillAndSubmit(wrapper, 'anna@skola.se', 'right-password')
    expect(wrapper.find('[role="alert"]').text()).toContain('Kontot är inaktiverat')
  })

  it('asks for both fields before calling the server', async () => {
    const net = mockApi({ ...signedOut })
    const { wrapper } = await mountAt(LoginView, '/login')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Ange din e-postadress.')
    expect(wrapper.text()).toContain('Ange ditt lösenord.')
    expect(wrapper.find('input[name="email"]').attributes('aria-invalid')).toBe('true')
    expect(net.callsTo('POST /api/auth/login')).toHaveLength(0)
  })

  it('explains why the user was sent here after the session expired', async () => {
    mockApi({ ...signedOut })
    const { wrapper } = await mountAt(LoginView, '/login?reason=session_expired&redirect=/my-runs')
    expect(wrapper.find('[role="status"]').text()).toContain('Din inloggning har gått ut.')
  })

  it('sends a signed-in visitor on to the catalog', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me() }) })
    const { router } = await mountAt(LoginView, '/login')
    expect(router.currentRoute.value.name).toBe('catalog')
  })
})
