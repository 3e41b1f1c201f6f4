import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunSummary } from '@/api/types'
import { makeRun, makeUser, me, RUN_ID, TOOL_ID, VERSION_ID } from '@/test/fixtures'
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

  it('says in a few Swedish words why a run did not succeed', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs': () => ({
        status: 200,
        body: {
          items: [
            summary({ id: 'r1', status: 'timed_out', error_code: 'timed_out', error_params: { seconds: 120 }, error_summary: 'The tool did not finish within 120 seconds and was stopped.' }),
            summary({ id: 'r2', status: 'failed', error_code: 'out_of_memory', error_params: { mib: 1024 } }),
          ],
          total: 2,
          limit: 20,
          offset: 0,
        },
      }),
    })
    const { wrapper } = await mountAt(MyRunsView, '/my-runs')
    const rows = wrapper.findAll('tbody tr')
    expect(rows[0]!.find('.my-runs__why').text()).toBe('Tog längre tid än 120 sekunder')
    expect(rows[1]!.find('.my-runs__why').text()).toBe('Fick slut på minne')
    expect(wrapper.text()).not.toContain('did not finish')
  })

  it('runs a finished run again in one click and opens the new run', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs': () => ({
        status: 200,
        body: { items: [summary(), summary({ id: 'r-going', status: 'running', finished_at: null }), summary({ id: 'r-step', parent_run_id: RUN_ID })], total: 3, limit: 20, offset: 0 },
      }),
      'POST /api/runs/{id}/rerun': () => ({ status: 202, body: makeRun({ id: 'r-new', status: 'queued', finished_at: null, ui: null }) }),
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ id: 'r-new' }) }),
    })
    const { wrapper, router } = await mountAt(MyRunsView, '/my-runs')
    const rows = wrapper.findAll('tbody tr')
    expect(rows[1]!.find('button').exists()).toBe(false) // still going: nothing to run again
    expect(rows[2]!.find('button').text()).toBe('Börja om') // a follow-up step starts over
    const again = rows[0]!.find('button')
    expect(again.text()).toBe('Kör igen')
    expect(again.attributes('aria-label')).toBe('Kör Betygsöversikt igen')
    await again.trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/runs/{id}/rerun')[0]!.path).toBe(`/api/runs/${RUN_ID}/rerun`)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/runs/r-new'))
  })

  it('says clearly when the files are no longer kept, with the way to the tool', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs': () => ({ status: 200, body: { items: [summary()], total: 1, limit: 20, offset: 0 } }),
      'POST /api/runs/{id}/rerun': () => ({ problem: { status: 409, code: 'files_not_kept', detail: 'The uploaded file “a.csv” is no longer kept' } }),
    })
    const { wrapper, router } = await mountAt(MyRunsView, '/my-runs')
    await wrapper.find('tbody tr button').trigger('click')
    await flushPromises()
    const alert = wrapper.find('[role="status"]')
    expect(alert.text()).toContain('Filerna från den här körningen finns inte kvar (de sparas i 24 timmar).')
    expect(wrapper.text()).not.toContain('no longer kept')
    expect(alert.find('a').text()).toBe('Öppna verktyget')
    expect(alert.find('a').attributes('href')).toBe('/tools/betygsoversikt')
    expect(router.currentRoute.value.path).toBe('/my-runs')
  })
})
