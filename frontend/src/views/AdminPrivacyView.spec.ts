import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from '@/api/types'
import { formatDateTime } from '@/i18n/format'
import { ADMIN, makePrivacyEvent, makeUser, me, page } from '@/test/fixtures'
import { mockApi, type Handlers } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import AdminPrivacyView from './AdminPrivacyView.vue'

const BERIT = makeUser({ id: '00000000-0000-4000-8000-000000000002', email: 'berit@skola.se', display_name: 'Berit Berg' })
const ERASED_ID = '00000000-0000-4000-8000-0000deadbeef'
const ERASED = makeUser({ id: ERASED_ID, email: `erased-${ERASED_ID}@invalid`, display_name: 'Raderad användare', disabled: true })
const GONE_ID = '00000000-0000-4000-8000-00000000900d'

const EXPORT = makePrivacyEvent({
  id: '00000000-0000-7000-8000-000000000003',
  action: 'export',
  actor_id: ADMIN.id,
  subject_id: BERIT.id,
  created_at: '2026-11-20T09:30:00Z',
  summary: { runs: 12, files: 3, bytes: 1258291 },
})
const ERASE_RUNS = makePrivacyEvent({
  id: '00000000-0000-7000-8000-000000000002',
  action: 'erase_runs',
  actor_id: BERIT.id,
  subject_id: BERIT.id,
  created_at: '2026-11-19T14:05:00Z',
  summary: { runs: 1, artifacts: 2, bytes: 0, settings: 0, favorites: 1, batches: 0 },
})
const ERASE_USER = makePrivacyEvent({
  id: '00000000-0000-7000-8000-000000000001',
  action: 'erase_user',
  actor_id: null,
  subject_id: ERASED_ID,
  created_at: '2026-11-18T08:00:00Z',
  summary: { runs: 0, artifacts: 0, bytes: 2048, settings: 0, favorites: 0, batches: 0, tools_handed_over: 2, tools_to_admin: 1 },
})

const ACCOUNTS: User[] = [ADMIN, BERIT, ERASED]

/** The signed-in admin and the accounts the log names (any other id is not found). */
function accounts(): Handlers {
  return {
    'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
    'GET /api/admin/users/{id}': ({ params }) => {
      const user = ACCOUNTS.find((u) => u.id === params.id)
      return user ? { status: 200, body: user } : { problem: { status: 404, code: 'not_found' } }
    },
  }
}

/** The text of an element as it reads: each piece of text, one space apart. */
function words(el: Element): string {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
  const parts: string[] = []
  while (walker.nextNode()) parts.push(walker.currentNode.textContent?.trim() ?? '')
  return parts.filter(Boolean).join(' ')
}

function rows(wrapper: { findAll: (s: string) => DOMWrapper<Element>[] }): string[][] {
  return wrapper.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => words(td.element)))
}

function buttonIn(scope: { findAll: (s: string) => DOMWrapper<Element>[] }, label: string): DOMWrapper<Element> {
  const button = scope.findAll('button').find((b) => b.text().trim() === label)
  if (!button) throw new Error(`no button "${label}"`)
  return button
}

describe('AdminPrivacyView', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists exports and erasures in Swedish: when, what, who, about whom and how much', async () => {
    const net = mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': () => ({ status: 200, body: page([EXPORT, ERASE_RUNS, ERASE_USER]) }),
    })
    const { wrapper } = await mountAt(AdminPrivacyView, '/admin/privacy')

    expect(wrapper.find('h1').text()).toBe('Integritetslogg')
    expect(rows(wrapper)).toEqual([
      [formatDateTime(EXPORT.created_at), 'Export', 'Ada Admin admin@skola.se', 'Berit Berg berit@skola.se', '12 körningar, 3 filer, 1,2 MiB'],
      [formatDateTime(ERASE_RUNS.created_at), 'Radera körhistorik', 'Berit Berg berit@skola.se', 'Berit Berg berit@skola.se', '1 körning, 2 resultatfiler, 1 favorit'],
      [
        formatDateTime(ERASE_USER.created_at),
        'Radera person',
        'Okänt konto',
        'Raderad användare Konto-ID deadbeef',
        '0 körningar, 2 verktyg överlämnade (1 av dem till administratören), 2 KiB',
      ],
    ])
    // Each account is asked for once, however often it appears.
    expect(net.callsTo('GET /api/admin/users/{id}').map((c) => c.path).sort()).toEqual(
      [ADMIN.id, BERIT.id, ERASED_ID].map((id) => `/api/admin/users/${id}`).sort(),
    )
    expect(wrapper.text()).not.toMatch(/erase|export_|@invalid/i)
  })

  it('shows an account that no longer exists by a short id', async () => {
    mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': () => ({
        status: 200,
        body: page([makePrivacyEvent({ actor_id: ADMIN.id, subject_id: GONE_ID, summary: { runs: 2, files: 0, bytes: 0 } })]),
      }),
    })
    const { wrapper } = await mountAt(AdminPrivacyView, '/admin/privacy')
    expect(rows(wrapper)[0]?.[3]).toBe('Kontot finns inte längre Konto-ID 0000900d')
    expect(rows(wrapper)[0]?.[4]).toBe('2 körningar')
  })

  it('says when nothing has been exported or erased yet', async () => {
    mockApi({ ...accounts(), 'GET /api/admin/privacy-events': () => ({ status: 200, body: page([]) }) })
    const { wrapper } = await mountAt(AdminPrivacyView, '/admin/privacy')
    expect(wrapper.find('h2').text()).toBe('Inga exporter eller raderingar ännu.')
    expect(wrapper.text()).not.toContain('Visar')
  })

  it('narrows the log to one person from the address, and the filter can be removed', async () => {
    const net = mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': ({ query }) =>
        ({ status: 200, body: page(query.get('subject_id') ? [] : [EXPORT, ERASE_RUNS]) }),
    })
    const { wrapper, router } = await mountAt(AdminPrivacyView, `/admin/privacy?subject_id=${BERIT.id}`)

    expect(net.callsTo('GET /api/admin/privacy-events')[0]?.query.get('subject_id')).toBe(BERIT.id)
    expect(words(wrapper.find('.privacy__filter').element)).toBe('Visar bara händelser om Berit Berg berit@skola.se Visa alla')
    expect(wrapper.find('h2').text()).toBe('Inga exporter eller raderingar om Berit Berg ännu.')

    await buttonIn(wrapper, 'Visa alla').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.subject_id).toBeUndefined())
    await flushPromises()

    const calls = net.callsTo('GET /api/admin/privacy-events')
    expect(calls).toHaveLength(2)
    expect(calls[1]?.query.has('subject_id')).toBe(false)
    expect(wrapper.find('.privacy__filter').exists()).toBe(false)
    expect(rows(wrapper)).toHaveLength(2)
  })

  it('opens the log of the person in a row', async () => {
    const net = mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': ({ query }) => ({
        status: 200,
        body: page(query.get('subject_id') ? [EXPORT] : [EXPORT, ERASE_USER]),
      }),
    })
    const { wrapper, router } = await mountAt(AdminPrivacyView, '/admin/privacy')

    await wrapper.find('a[aria-label="Visa bara händelser om Berit Berg"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.subject_id).toBe(BERIT.id))
    await flushPromises()

    expect(net.callsTo('GET /api/admin/privacy-events')[1]?.query.get('subject_id')).toBe(BERIT.id)
    expect(rows(wrapper)).toHaveLength(1)
    // The log shows only Berit now: her name is no longer a link to the same log.
    expect(wrapper.find('tbody a').exists()).toBe(false)
  })

  it('pages through the log with ?page= and limit/offset, keeping the person', async () => {
    const net = mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': ({ query }) => {
        const offset = Number(query.get('offset') ?? 0)
        return { status: 200, body: page(offset === 0 ? [EXPORT, ERASE_RUNS] : [ERASE_USER], 27, offset, 25) }
      },
    })
    const { wrapper, router } = await mountAt(AdminPrivacyView, `/admin/privacy?subject_id=${BERIT.id}`)

    expect(wrapper.text()).toContain('Visar 1–25 av 27')
    await buttonIn(wrapper, 'Nästa →').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.page).toBe('2'))
    await flushPromises()

    expect(router.currentRoute.value.query.subject_id).toBe(BERIT.id)
    const asked = net.callsTo('GET /api/admin/privacy-events').map((c) => [c.query.get('limit'), c.query.get('offset')])
    expect(asked).toEqual([
      ['25', '0'],
      ['25', '25'],
    ])
    expect(wrapper.text()).toContain('Visar 26–27 av 27')
    expect(rows(wrapper)[0]?.[1]).toBe('Radera person')
  })

  it('offers a retry when the log cannot be loaded', async () => {
    let fail = true
    mockApi({
      ...accounts(),
      'GET /api/admin/privacy-events': () =>
        fail ? { problem: { status: 500, code: 'internal_error', request_id: 'req-9' } } : { status: 200, body: page([EXPORT]) },
    })
    const { wrapper } = await mountAt(AdminPrivacyView, '/admin/privacy')
    expect(wrapper.find('[role="alert"]').text()).toContain('Integritetsloggen kunde inte hämtas.')
    fail = false
    await buttonIn(wrapper, 'Försök igen').trigger('click')
    await flushPromises()
    expect(rows(wrapper)).toHaveLength(1)
  })
})
