import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Batch } from '@/api/types'
import { useToastStore } from '@/stores/toasts'
import { BATCH_ID, makeBatch, makeBatchItem, makeUser, me } from '@/test/fixtures'
import { buttonNamed as button } from '@/test/find'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import BatchView from './BatchView.vue'

type Wrapper = Awaited<ReturnType<typeof mountAt>>['wrapper']

const rows = (wrapper: Wrapper) => wrapper.findAll('tbody tr')

/** Three files: one done with a result file, one refused by the tool, one still waiting. */
function going(): Batch {
  return makeBatch([
    makeBatchItem(1, { status: 'succeeded', artifact_count: 1, started_at: '2026-11-23T08:00:01Z', finished_at: '2026-11-23T08:00:03Z' }),
    makeBatchItem(2, {
      status: 'failed',
      error_code: 'tool_error',
      error_params: { message: 'Filen saknar kolumnen Betyg.' },
      error_summary: 'The tool refused the input',
    }),
    makeBatchItem(3, { status: 'queued' }),
  ])
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('BatchView', () => {
  it('shows how far the batch has come and a row per file, and follows it until every file is done', async () => {
    let current = going()
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => ({ status: 200, body: current }),
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)

    expect(wrapper.find('h1').text()).toBe('Betygsöversikt')
    expect(wrapper.find('.batch-progress__text').text()).toBe('2 av 3 klara')
    expect(wrapper.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('2')
    expect(wrapper.findAll('[data-count]').map((c) => c.text())).toEqual(['1 klar', '1 misslyckades', '1 i kö'])

    expect(rows(wrapper)).toHaveLength(3)
    const [done, refused, waiting] = rows(wrapper)
    expect(done!.text()).toContain('elev-1.csv')
    expect(done!.find('[data-status]').text()).toBe('Klar')
    expect(done!.text()).toContain('1 fil att ladda ner')
    expect(refused!.find('[data-status]').text()).toBe('Misslyckades')
    expect(refused!.find('[data-error-code="tool_error"]').text()).toContain('Verktyget kunde inte använda det du skickade')
    expect(refused!.text()).toContain('Filen saknar kolumnen Betyg.')
    expect(refused!.text()).not.toContain('The tool refused')
    expect(waiting!.text()).toContain('Väntar på sin tur')
    const link = refused!.find('a')
    expect(link.attributes('href')).toBe(`/runs/${current.items[1]!.run_id}`)
    expect(link.attributes('aria-label')).toBe('Visa körningen för elev-2.csv')

    // The zip of every result file is a plain download link (the session cookie authorises it).
    const zip = wrapper.find('[data-test="batch-zip"]')
    expect(zip.element.tagName).toBe('A')
    expect(zip.attributes('href')).toBe(`/api/batches/${BATCH_ID}/artifacts.zip`)
    expect(zip.attributes('download')).toBeDefined()
    expect(zip.text()).toBe('Ladda ner alla filer (zip)')

    // About once a second it asks again, until the batch has finished.
    current = makeBatch([current.items[0]!, current.items[1]!, makeBatchItem(3, { status: 'succeeded', artifact_count: 1 })])
    await vi.advanceTimersByTimeAsync(1000)
    await flushPromises()
    expect(net.callsTo('GET /api/batches/{id}')).toHaveLength(2)
    expect(wrapper.find('.batch-progress__text').text()).toBe('3 av 3 klara · Alla filer är genomgångna.')
    expect(wrapper.findAll('[data-count]').map((c) => c.text())).toEqual(['2 klara', '1 misslyckades'])
    expect(wrapper.find('.page-header').findAll('button').some((b) => b.text() === 'Avbryt alla')).toBe(false)

    await vi.advanceTimersByTimeAsync(5000)
    expect(net.callsTo('GET /api/batches/{id}')).toHaveLength(2)
  })

  it('stops asking when the page is left', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => ({ status: 200, body: going() }),
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)
    expect(net.callsTo('GET /api/batches/{id}')).toHaveLength(1)
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(3000)
    expect(net.callsTo('GET /api/batches/{id}')).toHaveLength(1)
  })

  it('"Avbryt alla" cancels what is left after a confirmation', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => ({ status: 200, body: going() }),
      'POST /api/batches/{id}/cancel': () => {
        const items = going().items.map((item) => (item.status === 'queued' ? { ...item, status: 'cancelled' as const, error_code: 'cancelled' as const } : item))
        return { status: 200, body: makeBatch(items) }
      },
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)

    await button(wrapper, 'Avbryt alla').trigger('click')
    const dialog = wrapper.find('dialog[open]')
    expect(dialog.find('h2').text()).toBe('Avbryta klasskörningen?')
    expect(dialog.text()).toContain('Filen som väntar eller körs avbryts.')
    await button(dialog, 'Fortsätt köra').trigger('click')
    expect(net.callsTo('POST /api/batches/{id}/cancel')).toHaveLength(0)

    await button(wrapper, 'Avbryt alla').trigger('click')
    await button(wrapper.find('dialog[open]'), 'Avbryt alla').trigger('click')
    await flushPromises()

    const calls = net.callsTo('POST /api/batches/{id}/cancel')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.path).toBe(`/api/batches/${BATCH_ID}/cancel`)
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
    expect(rows(wrapper)[2]!.find('[data-status]').text()).toBe('Avbruten')
    expect(wrapper.findAll('[data-count]').map((c) => c.text())).toContain('1 avbruten')
    expect(useToastStore().toasts.map((toast) => toast.message)).toContain('Klasskörningen är avbruten. Klara filer behåller sina resultat.')
  })

  it('says so when a batch cannot be found, with a retry', async () => {
    let missing = true
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => (missing ? { problem: { status: 404, code: 'not_found' } } : { status: 200, body: going() }),
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)
    expect(wrapper.find('[role="alert"]').text()).toContain('Klasskörningen kunde inte hämtas.')
    expect(wrapper.find('[role="alert"]').text()).toContain('Det du letar efter finns inte längre.')
    missing = false
    await button(wrapper, 'Försök igen').trigger('click')
    await flushPromises()
    expect(rows(wrapper)).toHaveLength(3)
  })

  it('keeps the table when one poll fails, and says the state may be old', async () => {
    let fail = false
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => (fail ? { problem: { status: 502, code: 'http_502' } } : { status: 200, body: going() }),
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)
    fail = true
    await vi.advanceTimersByTimeAsync(1000)
    await flushPromises()
    expect(rows(wrapper)).toHaveLength(3)
    expect(wrapper.text()).toContain('Läget kunde inte hämtas just nu.')
    fail = false
    await vi.advanceTimersByTimeAsync(5000)
    await flushPromises()
    expect(wrapper.text()).not.toContain('Läget kunde inte hämtas just nu.')
  })

  it('offers no zip while no file has a result file yet', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
      'GET /api/batches/{id}': () => ({ status: 200, body: makeBatch([makeBatchItem(1), makeBatchItem(2, { status: 'running' })]) }),
    })
    const { wrapper } = await mountAt(BatchView, `/batches/${BATCH_ID}`)
    expect(wrapper.find('[data-test="batch-zip"]').exists()).toBe(false)
    expect(wrapper.find('.batch-progress__text').text()).toBe('0 av 2 klara')
    expect(rows(wrapper)[1]!.text()).toContain('Verktyget arbetar')
  })
})
