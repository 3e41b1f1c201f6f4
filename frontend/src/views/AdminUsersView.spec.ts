import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from '@/api/types'
import { useToastStore } from '@/stores/toasts'
import { ADMIN, makeUser, me, page } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import AdminUsersView from './AdminUsersView.vue'

const BERIT = makeUser({ id: '00000000-0000-4000-8000-000000000002', email: 'berit@skola.se', display_name: 'Berit Berg' })
const SUPER = makeUser({ id: '00000000-0000-4000-8000-000000000003', email: 'root@skola.se', display_name: 'Sam Super', role: 'superuser' })

function rowOf(wrapper: { findAll: (s: string) => DOMWrapper<Element>[] }, name: string): DOMWrapper<Element> {
  const row = wrapper.findAll('tbody tr').find((tr) => tr.text().includes(name))
  if (!row) throw new Error(`no row for ${name}`)
  return row
}

function buttonIn(scope: { findAll: (s: string) => DOMWrapper<Element>[] }, label: string): DOMWrapper<Element> {
  const button = scope.findAll('button').find((b) => b.text().trim() === label)
  if (!button) throw new Error(`no button "${label}"`)
  return button
}


function toastMessages(): string[] {
  return useToastStore().toasts.map((toast) => toast.message)
}

describe('AdminUsersView', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists accounts with role and status, and offers actions only where the admin may act', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({
        status: 200,
        body: page([ADMIN, BERIT, SUPER, makeUser({ display_name: 'Dora Disabled', email: 'd@skola.se', disabled: true })]),
      }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')

    expect(wrapper.find('h1').text()).toBe('Användare')
    expect(rowOf(wrapper, 'Berit Berg').text()).toContain('Användare')
    expect(rowOf(wrapper, 'Berit Berg').text()).toContain('Aktiv')
    expect(buttonIn(rowOf(wrapper, 'Berit Berg'), 'Ändra roll').exists()).toBe(true)
    expect(rowOf(wrapper, 'Ada Admin').text()).toContain('Ditt eget konto')
    expect(rowOf(wrapper, 'Sam Super').text()).toContain('Kräver superanvändare')
    expect(rowOf(wrapper, 'Sam Super').findAll('button')).toHaveLength(0)
    expect(rowOf(wrapper, 'Dora Disabled').text()).toContain('Inaktiverad')
    expect(buttonIn(rowOf(wrapper, 'Dora Disabled'), 'Aktivera').exists()).toBe(true)
  })

  it('pages through the list with ?page= and offset/limit', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': ({ query }) => {
        const offset = Number(query.get('offset') ?? 0)
        const items = offset === 0 ? [ADMIN, BERIT] : [SUPER]
        return { status: 200, body: page(items, 27, offset, 25) }
      },
    })
    const { wrapper, router } = await mountAt(AdminUsersView, '/admin/users')

    expect(wrapper.text()).toContain('Visar 1–25 av 27')
    expect(buttonIn(wrapper, '← Föregående').attributes('disabled')).toBeDefined()
    await buttonIn(wrapper, 'Nästa →').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.page).toBe('2'))
    await flushPromises()

    const offsets = net.callsTo('GET /api/admin/users').map((c) => [c.query.get('limit'), c.query.get('offset')])
    expect(offsets).toEqual([
      ['25', '0'],
      ['25', '25'],
    ])
    expect(wrapper.text()).toContain('Visar 26–27 av 27')
    expect(wrapper.text()).toContain('Sam Super')
  })

  it('creates a user, showing the server\'s field errors at their fields first', async () => {
    let attempt = 0
    const created = makeUser({ id: '00000000-0000-4000-8000-000000000009', email: 'cecilia@skola.se', display_name: 'Cecilia', role: 'contributor' })
    let users: User[] = [ADMIN]
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page(users) }),
      'POST /api/admin/users': ({ json }) => {
        attempt += 1
        if (attempt === 1) {
          return {
            problem: {
              status: 422,
              code: 'validation_failed',
              errors: [
                { field: 'email', message: 'must be a valid email address' },
                { field: 'password', message: 'must be at least 8 characters' },
              ],
            },
          }
        }
        users = [ADMIN, { ...created, email: json.email, role: json.role }]
        return { status: 201, body: { ...created, email: json.email, role: json.role } }
      },
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')

    await buttonIn(wrapper, 'Ny användare').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    expect(dialog.find('h2').text()).toBe('Ny användare')
    await dialog.find('input[name="display_name"]').setValue('Cecilia')
    await dialog.find('input[name="email"]').setValue('cecilia')
    await dialog.find('select[name="role"]').setValue('contributor')
    await dialog.find('input[name="password"]').setValue('kort')
    await dialog.find('form').trigger('submit')
    await flushPromises()

    const email = dialog.find('input[name="email"]')
    expect(email.attributes('aria-invalid')).toBe('true')
    const emailError = document.getElementById(email.attributes('aria-describedby')!.split(' ')[0]!)
    expect(emailError?.textContent).toContain('Ange en giltig e-postadress.')
    expect(dialog.find('input[name="password"]').attributes('aria-invalid')).toBe('true')
    expect(dialog.text()).toContain('Måste vara minst 8 tecken.')
    expect(dialog.find('input[name="display_name"]').attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.find('dialog[open]').exists()).toBe(true)

    await email.setValue('cecilia@skola.se')
    await dialog.find('input[name="password"]').setValue('långt-lösenord')
    await dialog.find('form').trigger('submit')
    await flushPromises()

    expect(net.callsTo('POST /api/admin/users')[1]?.json).toEqual({
      display_name: 'Cecilia',
      email: 'cecilia@skola.se',
      role: 'contributor',
      password: 'långt-lösenord',
    })
    expect(net.callsTo('POST /api/admin/users')[1]?.headers.get('X-CSRF-Token')).toBe('csrf-123')
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
    expect(toastMessages()).toContain('Kontot för Cecilia har skapats.')
    expect(rowOf(wrapper, 'Cecilia').text()).toContain('Bidragsgivare')
  })

  it('shows a taken email at the email field', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN]) }),
      'POST /api/admin/users': () => ({ problem: { status: 409, code: 'already_exists' } }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
    await buttonIn(wrapper, 'Ny användare').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    await dialog.find('input[name="display_name"]').setValue('Berit')
    await dialog.find('input[name="email"]').setValue('berit@skola.se')
    await dialog.find('input[name="password"]').setValue('hemligt-123')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(dialog.find('input[name="email"]').attributes('aria-invalid')).toBe('true')
    expect(dialog.text()).toContain('Det finns redan ett konto med den e-postadressen.')
  })

  it('only offers the roles an admin may give', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN]) }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
    await buttonIn(wrapper, 'Ny användare').trigger('click')
    const options = wrapper.find('dialog[open]').findAll('select[name="role"] option').map((o) => o.attributes('value'))
    expect(options).toEqual(['user', 'contributor'])
  })

  it('changes a role after confirming in a dialog', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
      'PATCH /api/admin/users/{id}': ({ params, json }) => ({
        status: 200,
        body: { ...BERIT, id: params.id ?? BERIT.id, role: json.role ?? BERIT.role },
      }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')

    await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Ändra roll').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    expect(dialog.find('h2').text()).toBe('Ändra roll för Berit Berg')
    expect(buttonIn(dialog, 'Spara roll').attributes('disabled')).toBeDefined()
    expect(net.callsTo('PATCH /api/admin/users/{id}')).toHaveLength(0)

    await dialog.find('select').setValue('contributor')
    await dialog.find('form').trigger('submit')
    await flushPromises()

    const patch = net.callsTo('PATCH /api/admin/users/{id}')
    expect(patch).toHaveLength(1)
    expect(patch[0]?.path).toBe(`/api/admin/users/${BERIT.id}`)
    expect(patch[0]?.json).toEqual({ role: 'contributor' })
    expect(rowOf(wrapper, 'Berit Berg').text()).toContain('Bidragsgivare')
    expect(toastMessages()).toContain('Berit Berg är nu bidragsgivare.')
  })

  it('disables an account only after confirmation', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
      'PATCH /api/admin/users/{id}': ({ json }) => ({ status: 200, body: { ...BERIT, disabled: json.disabled ?? false } }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')

    await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Inaktivera').trigger('click')
    let dialog = wrapper.find('dialog[open]')
    expect(dialog.find('h2').text()).toBe('Inaktivera Berit Berg?')
    await buttonIn(dialog, 'Avbryt').trigger('click')
    await flushPromises()
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
    expect(net.callsTo('PATCH /api/admin/users/{id}')).toHaveLength(0)

    await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Inaktivera').trigger('click')
    dialog = wrapper.find('dialog[open]')
    await buttonIn(dialog, 'Inaktivera').trigger('click')
    await flushPromises()

    expect(net.callsTo('PATCH /api/admin/users/{id}')[0]?.json).toEqual({ disabled: true })
    expect(rowOf(wrapper, 'Berit Berg').text()).toContain('Inaktiverad')
    expect(buttonIn(rowOf(wrapper, 'Berit Berg'), 'Aktivera').exists()).toBe(true)
  })

  it('shows the server\'s refusal inside the confirmation', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
      'PATCH /api/admin/users/{id}': () => ({ problem: { status: 403, code: 'forbidden' } }),
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
    await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Inaktivera').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    await buttonIn(dialog, 'Inaktivera').trigger('click')
    await flushPromises()
    expect(dialog.find('[role="alert"]').text()).toContain('Du har inte behörighet')
    expect(wrapper.find('dialog[open]').exists()).toBe(true)
  })

  it('offers a retry when the list cannot be loaded', async () => {
    let fail = true
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/users': () =>
        fail ? { problem: { status: 500, code: 'internal_error', request_id: 'req-7' } } : { status: 200, body: page([ADMIN, BERIT]) },
    })
    const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
    expect(wrapper.find('[role="alert"]').text()).toContain('Användarna kunde inte hämtas.')
    fail = false
    await buttonIn(wrapper, 'Försök igen').trigger('click')
    await flushPromises()
    expect(rowOf(wrapper, 'Berit Berg').exists()).toBe(true)
  })

  describe('a person\'s data', () => {
    const ERASED = { runs: 4, artifacts: 6, bytes: 2048, settings: 1, favorites: 0, batches: 1 }

    it('exports a person\'s data with a plain download link', async () => {
      mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT, SUPER]) }),
      })
      const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
      const link = rowOf(wrapper, 'Berit Berg').findAll('a').find((a) => a.text() === 'Exportera data')!
      expect(link.attributes('href')).toBe(`/api/admin/users/${BERIT.id}/export`)
      expect(link.attributes('download')).toBeDefined()
      expect(rowOf(wrapper, 'Sam Super').findAll('a')).toHaveLength(0)
      expect(rowOf(wrapper, 'Ada Admin').findAll('a')).toHaveLength(0)
    })

    it('links to the privacy log of a person, filtered to them', async () => {
      mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
      })
      const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
      const link = rowOf(wrapper, 'Berit Berg').findAll('a').find((a) => a.text() === 'Integritetslogg')!
      expect(link.attributes('href')).toBe(`/admin/privacy?subject_id=${BERIT.id}`)
      expect(link.attributes('title')).toBe('Exporter och raderingar av data om Berit Berg')
    })

    it('erases a person\'s run history after a confirmation, with the counts in a toast', async () => {
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
        'DELETE /api/admin/users/{id}/runs': () => ({ status: 200, body: ERASED }),
      })
      const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
      await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Radera körhistorik').trigger('click')
      const dialog = wrapper.find('dialog[open]')
      expect(dialog.find('h2').text()).toBe('Radera körhistoriken för Berit Berg?')
      expect(dialog.text()).toContain('Kontot finns kvar, och Berit Berg kan fortsätta använda Skriptoteket.')
      expect(net.callsTo('DELETE /api/admin/users/{id}/runs')).toHaveLength(0)
      await buttonIn(dialog, 'Radera körhistoriken').trigger('click')
      await flushPromises()
      expect(net.callsTo('DELETE /api/admin/users/{id}/runs')[0]!.path).toBe(`/api/admin/users/${BERIT.id}/runs`)
      expect(wrapper.find('dialog[open]').exists()).toBe(false)
      expect(toastMessages()).toContain(
        'Körhistoriken för Berit Berg är raderad: 4 körningar, 1 klasskörning, 6 resultatfiler och 1 inställning – 2 KiB frigjort.',
      )
    })

    it('erases a person after a confirmation, says how their tools were handed over, and reloads the list', async () => {
      let users: User[] = [ADMIN, BERIT]
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/admin/users': () => ({ status: 200, body: page(users) }),
        'DELETE /api/admin/users/{id}': () => {
          users = [ADMIN, { ...BERIT, display_name: 'Raderad användare', email: 'raderad@invalid', disabled: true }]
          return { status: 200, body: { erased: ERASED, tools_handed_over: 2, tools_to_admin: 1 } }
        },
      })
      const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
      await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Radera person').trigger('click')
      const dialog = wrapper.find('dialog[open]')
      expect(dialog.find('h2').text()).toBe('Radera Berit Berg?')
      expect(dialog.text()).toContain('det går inte att ångra')
      expect(dialog.text()).toContain('lämnas över till de andra förvaltarna')
      await buttonIn(dialog, 'Radera personen').trigger('click')
      await flushPromises()
      expect(net.callsTo('DELETE /api/admin/users/{id}')[0]!.path).toBe(`/api/admin/users/${BERIT.id}`)
      expect(toastMessages()).toContain(
        'Berit Berg är raderad: 4 körningar, 1 klasskörning, 6 resultatfiler och 1 inställning – 2 KiB frigjort; 2 verktyg lämnades över (1 av dem till dig).',
      )
      expect(net.callsTo('GET /api/admin/users')).toHaveLength(2)
      expect(rowOf(wrapper, 'Raderad användare').text()).toContain('Inaktiverad')
    })

    it('shows the server\'s refusal to erase in Swedish inside the dialog', async () => {
      mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/admin/users': () => ({ status: 200, body: page([ADMIN, BERIT]) }),
        'DELETE /api/admin/users/{id}': () => ({ problem: { status: 409, code: 'cannot_erase_self', detail: 'You cannot erase your own account' } }),
      })
      const { wrapper } = await mountAt(AdminUsersView, '/admin/users')
      await buttonIn(rowOf(wrapper, 'Berit Berg'), 'Radera person').trigger('click')
      const dialog = wrapper.find('dialog[open]')
      await buttonIn(dialog, 'Radera personen').trigger('click')
      await flushPromises()
      expect(dialog.find('[role="alert"]').text()).toContain('Du kan inte radera ditt eget konto. Be en annan administratör.')
      expect(wrapper.find('dialog[open]').exists()).toBe(true)
    })
  })
})
