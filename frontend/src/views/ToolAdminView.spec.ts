import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { AdminTool } from '@/api/types'
import { ADMIN, makeUser, me, TOOL_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import ToolAdminView from './ToolAdminView.vue'

const AUTHOR = makeUser({ id: '00000000-0000-4000-8000-0000000000d1', role: 'contributor', display_name: 'Cilla Kodare', email: 'cilla@skola.se' })
const V1 = '00000000-0000-4000-8000-0000000000e1'
const V2 = '00000000-0000-4000-8000-0000000000e2'

function tool(overrides: Partial<AdminTool> = {}): AdminTool {
  return {
    id: TOOL_ID,
    slug: 'narvarokoll',
    title: 'Närvarokoll',
    summary: 'Närvaro per vecka.',
    archived: false,
    published: true,
    active_version_id: V2,
    categories: [{ id: 'c1', slug: 'administration', name: 'Administration' }],
    professions: [],
    maintainer_ids: [AUTHOR.id],
    publish_blocker: null,
    versions: [
      { id: V1, number: 1, state: 'archived', change_summary: 'Första', updated_at: '2026-11-20T08:00:00Z' },
      { id: V2, number: 2, state: 'active', change_summary: 'Andra', updated_at: '2026-11-22T08:00:00Z' },
    ],
    created_at: '2026-11-20T08:00:00Z',
    updated_at: '2026-11-22T08:00:00Z',
    ...overrides,
  }
}

const TAXONOMY = {
  'GET /api/categories': () => ({ status: 200 as const, body: [{ id: 'c1', slug: 'administration', name: 'Administration' }, { id: 'c2', slug: 'ovrigt', name: 'Övrigt' }] }),
  'GET /api/professions': () => ({ status: 200 as const, body: [{ id: 'p1', slug: 'larare', name: 'Lärare' }] }),
}

function button(scope: { findAll: (s: string) => { text: () => string }[] }, label: string) {
  const b = scope.findAll('button').find((x) => x.text().trim() === label)
  if (!b) throw new Error(`no button ${label}`)
  return b as unknown as { trigger: (e: string) => Promise<void> }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ToolAdminView', () => {
  it('saves metadata and taxonomy; a taken address is shown at its field', async () => {
    let patches = 0
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(AUTHOR) }),
      'GET /api/admin/tools/{id}': () => ({ status: 200, body: tool({ published: false, publish_blocker: 'The tool needs at least one profession before it can be published.' }) }),
      'GET /api/admin/tools/{id}/maintainers': () => ({ status: 200, body: [{ id: AUTHOR.id, display_name: AUTHOR.display_name, email: AUTHOR.email }] }),
      'GET /api/admin/tools/{id}/events': () => ({ status: 200, body: [] }),
      'PATCH /api/admin/tools/{id}': ({ json }) => {
        patches += 1
        if (patches === 1) return { problem: { status: 409, code: 'slug_taken' } }
        return { status: 200, body: tool({ slug: json.slug ?? 'x', professions: [{ id: 'p1', slug: 'larare', name: 'Lärare' }] }) }
      },
      ...TAXONOMY,
    })
    const { wrapper } = await mountAt(ToolAdminView, `/my-tools/${TOOL_ID}`)
    expect(wrapper.text()).toContain('Verktyget behöver minst en yrkesroll.')
    expect(wrapper.find('input[name="archived"]').exists()).toBe(false)
    await wrapper.find('input[name="slug"]').setValue('betygsoversikt')
    const professions = wrapper.findAll('input[name="profession"]')
    await professions[0]!.setValue(true)
    await wrapper.find('form.tool-meta').trigger('submit')
    await flushPromises()
    expect(wrapper.find('input[name="slug"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Adressen används redan av ett annat verktyg.')

    await wrapper.find('input[name="slug"]').setValue('narvaro-7b')
    await wrapper.find('form.tool-meta').trigger('submit')
    await flushPromises()
    expect(net.callsTo('PATCH /api/admin/tools/{id}')[1]!.json).toEqual({
      title: 'Närvarokoll',
      summary: 'Närvaro per vecka.',
      slug: 'narvaro-7b',
      category_ids: ['c1'],
      profession_ids: ['p1'],
    })
    expect(wrapper.text()).not.toContain('Innan verktyget kan publiceras')
  })

  it('adds a maintainer by email and names people in the history', async () => {
    const BERIT = { id: '00000000-0000-4000-8000-0000000000d2', display_name: 'Berit Berg', email: 'berit@skola.se' }
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(AUTHOR) }),
      'GET /api/admin/tools/{id}': () => ({ status: 200, body: tool() }),
      'GET /api/admin/tools/{id}/maintainers': () => ({ status: 200, body: [{ id: AUTHOR.id, display_name: AUTHOR.display_name, email: AUTHOR.email }] }),
      'GET /api/admin/tools/{id}/events': () => ({
        status: 200,
        body: [
          { id: 'e2', version_id: V2, actor_id: ADMIN.id, from_state: 'in_review', to_state: 'active', message: 'Bra!', created_at: '2026-11-22T08:00:00Z' },
          { id: 'e1', version_id: V2, actor_id: AUTHOR.id, from_state: 'draft', to_state: 'in_review', message: null, created_at: '2026-11-21T08:00:00Z' },
        ],
      }),
      'POST /api/admin/tools/{id}/maintainers': ({ json }) =>
        json.email === 'okand@skola.se'
          ? { problem: { status: 422, code: 'validation_failed', errors: [{ field: 'email', message: 'no account has that email' }] } }
          : { status: 200, body: [{ id: AUTHOR.id, display_name: AUTHOR.display_name, email: AUTHOR.email }, BERIT] },
      ...TAXONOMY,
    })
    const { wrapper } = await mountAt(ToolAdminView, `/my-tools/${TOOL_ID}`)
    const history = wrapper.find('.history').text()
    expect(history).toContain('Version 2: Granskas → Publicerad')
    expect(history).toContain('En administratör')
    expect(history).toContain('”Bra!”')
    expect(history).toContain('Du')

    const email = wrapper.find('input[name="maintainer-email"]')
    await email.setValue('okand@skola.se')
    await wrapper.find('form.maintainers__add').trigger('submit')
    await flushPromises()
    expect(wrapper.find('.maintainers').text()).toContain('Det finns inget konto med den e-postadressen.')
    await email.setValue('berit@skola.se')
    await wrapper.find('form.maintainers__add').trigger('submit')
    await flushPromises()
    expect(net.callsTo('POST /api/admin/tools/{id}/maintainers')[1]!.json).toEqual({ email: 'berit@skola.se' })
    expect(wrapper.find('.maintainers').text()).toContain('Berit Berg')
  })

  it('lets an admin roll back an archived version after confirming', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/tools/{id}': () => ({ status: 200, body: tool() }),
      'GET /api/admin/tools/{id}/maintainers': () => ({ status: 200, body: [] }),
      'GET /api/admin/tools/{id}/events': () => ({ status: 200, body: [] }),
      'POST /api/admin/tool-versions/{id}/rollback': () => ({ status: 200, body: {} as never }),
      ...TAXONOMY,
    })
    const { wrapper } = await mountAt(ToolAdminView, `/my-tools/${TOOL_ID}`)
    expect(wrapper.find('input[name="archived"]').exists()).toBe(true)
    const v1 = wrapper.findAll('.versions__item').find((li) => li.text().includes('Version 1'))!
    await button(v1, 'Återställ den här versionen').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    expect(dialog.find('h2').text()).toBe('Återställa version 1 av Närvarokoll?')
    await button(dialog, 'Återställ den här versionen').trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/admin/tool-versions/{id}/rollback')[0]!.path).toBe(`/api/admin/tool-versions/${V1}/rollback`)
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
  })
})
