import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BATCH_ID, makeRun, makeUser, me, RUN_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import RunView from './RunView.vue'

/** A finished run needs no live stream; keep EventSource inert. */
class NoEvents {
  addEventListener(): void {}
  close(): void {}
}

beforeEach(() => vi.stubGlobal('EventSource', NoEvents))
afterEach(() => {
  document.body.innerHTML = ''
})

const button = (wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], label: string) => {
  const found = wrapper.findAll('button').find((b) => b.text().trim() === label)
  if (!found) throw new Error(`no button ${label}`)
  return found
}

describe('RunView', () => {
  it('runs the same run again in one click and opens the new run; "Ändra och kör igen" opens the tool page prefilled', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs/{id}': ({ params }) => ({ status: 200, body: makeRun({ id: params.id! }) }),
      'POST /api/runs/{id}/rerun': () => ({ status: 202, body: makeRun({ id: 'r-new', status: 'queued', finished_at: null, ui: null }) }),
    })
    const { wrapper, router } = await mountAt(RunView, `/runs/${RUN_ID}`)
    const edit = wrapper.findAll('a').find((a) => a.text() === 'Ändra och kör igen')!
    expect(edit.attributes('href')).toBe(`/tools/betygsoversikt?reuse=${RUN_ID}`)
    await button(wrapper, 'Kör igen med samma filer').trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/runs/{id}/rerun')[0]!.path).toBe(`/api/runs/${RUN_ID}/rerun`)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/runs/r-new'))
  })

  it('says in Swedish that the files are gone, and offers the tool page', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun() }),
      'POST /api/runs/{id}/rerun': () => ({ problem: { status: 409, code: 'files_not_kept', detail: 'The uploaded file “resultat.csv” is no longer kept' } }),
    })
    const { wrapper, router } = await mountAt(RunView, `/runs/${RUN_ID}`)
    await button(wrapper, 'Kör igen med samma filer').trigger('click')
    await flushPromises()
    const alert = wrapper.find('.run-view__problem')
    expect(alert.text()).toContain('Filerna från den här körningen finns inte kvar (de sparas i 24 timmar).')
    expect(alert.find('a').attributes('href')).toBe('/tools/betygsoversikt')
    expect(wrapper.text()).not.toContain('no longer kept')
    expect(router.currentRoute.value.fullPath).toBe(`/runs/${RUN_ID}`)
  })

  it('leads back to its class-mode batch when the run is one of its files', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ batch_id: BATCH_ID }) }),
    })
    const { wrapper } = await mountAt(RunView, `/runs/${RUN_ID}`)
    const back = wrapper.findAll('a').find((a) => a.text() === '← Hela klasskörningen')!
    expect(back.attributes('href')).toBe(`/batches/${BATCH_ID}`)
  })

  it('has no batch link for an ordinary run', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun() }),
    })
    const { wrapper } = await mountAt(RunView, `/runs/${RUN_ID}`)
    expect(wrapper.text()).not.toContain('Hela klasskörningen')
  })
})
