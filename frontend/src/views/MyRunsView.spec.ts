import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunSummary } from '@/api/types'
import { makeUser, me, RUN_ID, TOOL_ID, VERSION_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import MyRunsView from './MyRunsView.vue'

const summary = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  id: RUN_ID,
  tool: { id: TOOL_ID, slug: 'betygsoversikt', title: 'Betygsöversikt' },
  version_id: VERSION_ID,
  context: 'production',
  status: 'succeeded',
  created_at: '2026-11-23T08:00:00Z',
  finished_at: '2026-11-23T08:00:02.5Z',
  ...overrides,
})

afterEach(() => {
  document.body.innerHTML = ''
})

describe('MyRunsView', () => {
  it('lists my runs with status and duration, each opening its result; filters go to the API', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: 'contributor' })) }),
      'GET /api/runs': ({ query }) => ({
        status: 200,
        body: {
          items: query.get('status') === 'failed' ? [] : [summary(), summary({ id: 'r2', status: 'failed', parent_run_id: RUN_ID })],
          total: 2,
          limit: 20,
          offset: 0,
        },
      }),
    })
    const { wrapper, router } = await mountAt(MyRunsView, '/my-runs')
    const rows = wrapper.findAll('tbody tr')
    expect(rows[0]!.text()).toContain('Betygsöversikt')
    expect(rows[0]!.text()).toContain('Klar')
    expect(rows[0]!.text()).toContain('2,5 s')
    expect(rows[0]!.find('a').attributes('href')).toBe(`/runs/${RUN_ID}`)
    expect(rows[1]!.text()).toContain('Misslyckades')
    expect(rows[1]!.text()).toContain('uppföljning')
    expect(net.callsTo('GET /api/runs')[0]!.query.get('context')).toBe('production')

    await wrapper.findAll('[role="tab"]')[1]!.trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.context).toBe('sandbox'))
    await flushPromises()
    expect(net.callsTo('GET /api/runs').at(-1)!.query.get('context')).toBe('sandbox')

    await wrapper.find('select[name="status"]').setValue('failed')
    await flushPromises()
    expect(net.callsTo('GET /api/runs').at(-1)!.query.get('status')).toBe('failed')
    expect(wrapper.text()).toContain('Inga körningar med den statusen')
  })

  it('shows no test-run tab to a user', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser({ role: 'user' })) }),
      'GET /api/runs': () => ({ status: 200, body: { items: [], total: 0, limit: 20, offset: 0 } }),
    })
    const { wrapper } = await mountAt(MyRunsView, '/my-runs')
    expect(wrapper.find('[role="tablist"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Inga körningar ännu')
  })
})
