import type { Role } from '@/auth/roles'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { RouterView } from 'vue-router'
import { makeUser, me } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import AppShell from './AppShell.vue'

const Shell = { render: () => h(AppShell, null, { default: () => h(RouterView) }) }

function navLabels(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper']): string[] {
  return wrapper.findAll('nav[aria-label="Huvudmeny"] a').map((a) => a.text())
}

describe('AppShell', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it.each([
    ['user', ['Katalog', 'Mina körningar']],
    ['contributor', ['Katalog', 'Mina körningar', 'Mina verktyg']],
    ['admin', ['Katalog', 'Mina körningar', 'Mina verktyg', 'Granskning', 'Användare', 'Integritetslogg']],
    ['superuser', ['Katalog', 'Mina körningar', 'Mina verktyg', 'Granskning', 'Användare', 'Integritetslogg']],
  ])('shows a %s the navigation for the role', async (role, expected) => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: role as Role })) }) })
    const { wrapper } = await mountAt(Shell, '/catalog')
    expect(navLabels(wrapper)).toEqual(expected)
  })

  it('marks the current page in the navigation', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: 'user' })) }) })
    const { wrapper } = await mountAt(Shell, '/my-runs')
    expect(wrapper.find('a[aria-current="page"]').text()).toBe('Mina körningar')
  })

  it('opens the account menu with the keyboard and signs out', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ display_name: 'Anna Andersson' })) }),
      'POST /api/auth/logout': () => ({ status: 204, body: undefined }),
    })
    const { wrapper, router } = await mountAt(Shell, '/catalog')

    const trigger = wrapper.find('button[aria-haspopup="menu"]')
    expect(trigger.attributes('aria-label')).toBe('Konto: Anna Andersson')
    await trigger.trigger('keydown', { key: 'ArrowDown' })
    await flushPromises()
    expect(trigger.attributes('aria-expanded')).toBe('true')
    const items = wrapper.findAll('[role="menuitem"]')
    expect(items.map((i) => i.text())).toEqual(['Min profil', 'Logga ut'])
    expect(document.activeElement).toBe(items[0]?.element)

    await items[1]!.trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/auth/logout')).toHaveLength(1)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'))
  })

  it('closes the account menu on Escape and returns focus', async () => {
    mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me() }) })
    const { wrapper } = await mountAt(Shell, '/catalog')
    const trigger = wrapper.find('button[aria-haspopup="menu"]')
    await trigger.trigger('click')
    await flushPromises()
    await wrapper.find('[role="menu"]').trigger('keydown', { key: 'Escape' })
    expect(trigger.attributes('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(trigger.element)
  })
})
