import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { ReviewItem } from '@/api/types'
import { ADMIN, me, TOOL_ID, VERSION_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import ReviewView from './ReviewView.vue'

const ITEM: ReviewItem = {
  tool_id: TOOL_ID,
  tool_slug: 'narvarokoll',
  tool_title: 'Närvarokoll',
  version: { id: VERSION_ID, number: 1, state: 'in_review', change_summary: 'Första versionen', updated_at: '2026-11-23T08:00:00Z' },
}

function button(scope: { findAll: (s: string) => { text: () => string }[] }, label: string) {
  const b = scope.findAll('button').find((x) => x.text().trim() === label)
  if (!b) throw new Error(`no button ${label}`)
  return b as unknown as { trigger: (e: string) => Promise<void> }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ReviewView', () => {
  it('publishes after a confirmation; a refusal is shown in the dialog', async () => {
    let attempt = 0
    let queue = [ITEM]
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/reviews': () => ({ status: 200, body: queue }),
      'POST /api/admin/tool-versions/{id}/publish': () => {
        attempt += 1
        if (attempt === 1) return { problem: { status: 409, code: 'not_publishable' } }
        queue = []
        return { status: 200, body: {} as never }
      },
    })
    const { wrapper } = await mountAt(ReviewView, '/admin/review')
    expect(wrapper.text()).toContain('Närvarokoll')
    expect(wrapper.text()).toContain('Första versionen')
    await button(wrapper, 'Publicera').trigger('click')
    const dialog = () => wrapper.find('dialog[open]')
    expect(dialog().find('h2').text()).toBe('Publicera version 1 av Närvarokoll?')
    await button(dialog(), 'Publicera').trigger('click')
    await flushPromises()
    expect(dialog().find('[role="alert"]').text()).toContain('minst en kategori')
    await button(dialog(), 'Publicera').trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/admin/tool-versions/{id}/publish')).toHaveLength(2)
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Inget att granska')
  })

  it('requests changes with a message, which it insists on', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/admin/reviews': () => ({ status: 200, body: [ITEM] }),
      'POST /api/admin/tool-versions/{id}/request-changes': () => ({ status: 200, body: {} as never }),
    })
    const { wrapper } = await mountAt(ReviewView, '/admin/review')
    await button(wrapper, 'Begär ändringar').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    await dialog.find('form').trigger('submit')
    expect(dialog.text()).toContain('Skriv vad som behöver ändras.')
    expect(net.callsTo('POST /api/admin/tool-versions/{id}/request-changes')).toHaveLength(0)
    await dialog.find('textarea[name="message"]').setValue('Lägg till en förklaring av kolumnerna.')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(net.callsTo('POST /api/admin/tool-versions/{id}/request-changes')[0]!.json).toEqual({ message: 'Lägg till en förklaring av kolumnerna.' })
  })
})
