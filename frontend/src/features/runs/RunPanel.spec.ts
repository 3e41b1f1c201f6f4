import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Run } from '@/api/types'
import { field, makeRun, RUN_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import RunPanel from './RunPanel.vue'
import { POLL_MS } from './useRunEvents'

/** A stand-in for the browser's EventSource that the spec drives by hand. */
class FakeEventSource {
  static instances: FakeEventSource[] = []
  readonly url: string
  closed = false
  onerror: ((event: Event) => void) | null = null
  private listeners = new Map<string, ((event: MessageEvent) => void)[]>()

  constructor(url: string) {
    this.url = url
    FakeEventSource.instances.push(this)
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  close(): void {
    this.closed = true
  }

  emit(type: string, data: unknown): void {
    const event = new MessageEvent(type, { data: JSON.stringify(data) })
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }

  fail(): void {
    this.onerror?.(new Event('error'))
  }

  static last(): FakeEventSource {
    const es = FakeEventSource.instances.at(-1)
    if (!es) throw new Error('no EventSource was opened')
    return es
  }
}

const QUEUED = makeRun({ status: 'queued', started_at: null, finished_at: null, ui: null, stderr: null })
const DONE = makeRun({
  status: 'succeeded',
  stdout: 'läste 4 rader\n',
  outputs: [
    { kind: 'markdown', markdown: '## Klart' },
    { kind: 'table', columns: [{ key: 'k', label: 'Kolumn' }], rows: [{ k: 'matte' }] as never },
  ],
  artifacts: [{ id: 'a1', name: 'betygsoversikt.xlsx', bytes: 4900, content_type: 'application/vnd.ms-excel', download_url: `/api/runs/${RUN_ID}/artifacts/a1` }],
})

function mountPanel() {
  return mount(RunPanel, { props: { runId: RUN_ID }, attachTo: document.body, global: { stubs: { RouterLink: RouterLinkStub } } })
}

beforeEach(() => {
  FakeEventSource.instances = []
  vi.stubGlobal('EventSource', FakeEventSource)
})

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('RunPanel: following a run', () => {
  it('opens the event stream, shows status changes and streaming output, then the final result', async () => {
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: QUEUED }) })
    const wrapper = mountPanel()
    await flushPromises()
    const es = FakeEventSource.last()
    expect(es.url).toBe(`/api/runs/${RUN_ID}/events`)
    expect(wrapper.find('[data-status]').text()).toBe('I kö')
    expect(wrapper.find('[role="progressbar"]').exists()).toBe(true)

    es.emit('status', { status: 'queued' })
    es.emit('status', { status: 'running' })
    await flushPromises()
    expect(wrapper.find('[data-status]').text()).toBe('Körs')
    expect(wrapper.text()).toContain('Verktyget arbetar')

    expect(wrapper.find('[role="progressbar"]').attributes('data-determinate')).toBe('false')
    es.emit('progress', { done: 3, total: 4, stage: 'Räknar betyg' })
    await flushPromises()
    expect(wrapper.find('[role="progressbar"]').attributes('data-determinate')).toBe('true')
    expect(wrapper.find('.run-progress__text').text()).toContain('Räknar betyg')
    expect(wrapper.find('.run-progress__text').text()).toContain('3 av 4 (75 %)')

    es.emit('output', { stream: 'stdout', text: 'läste ' })
    es.emit('output', { stream: 'stdout', text: '4 rader\n' })
    es.emit('output', { stream: 'stderr', text: 'Traceback: hemligt\n' })
    await flushPromises()
    const log = wrapper.find('.run-logs__pre')
    expect(log.text()).toContain('läste 4 rader')
    // stderr is for the tool's maintainers; this user's run came with `stderr: null`.
    expect(log.text()).not.toContain('Traceback')
    expect(wrapper.find('.run-logs').attributes('open')).toBeDefined()

    es.emit('run', DONE)
    await flushPromises()
    expect(es.closed).toBe(true)
    expect(wrapper.find('[data-status]').text()).toBe('Klar')
    expect(wrapper.find('[role="progressbar"]').exists()).toBe(false)
    expect(wrapper.find('.markdown-output').text()).toContain('Klart')
    expect(wrapper.find('table').text()).toContain('matte')
    const link = wrapper.find('a[download]')
    expect(link.attributes('href')).toBe(`/api/runs/${RUN_ID}/artifacts/a1`)
    expect(link.attributes('download')).toBe('betygsoversikt.xlsx')
    expect(FakeEventSource.instances).toHaveLength(1)
  })

  it('streams stderr to maintainers, whose runs come with a stderr string', async () => {
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: { ...QUEUED, stderr: '' } }) })
    const wrapper = mountPanel()
    await flushPromises()
    FakeEventSource.last().emit('output', { stream: 'stderr', text: 'varning: tom kolumn\n' })
    await flushPromises()
    expect(wrapper.find('.run-logs__stderr').text()).toContain('varning: tom kolumn')
  })

  it('falls back to polling when the stream breaks before the end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    let polls = 0
    const net = mockApi({
      'GET /api/runs/{id}': () => {
        polls += 1
        if (polls === 1) return { status: 200, body: QUEUED }
        return { status: 200, body: polls < 3 ? { ...QUEUED, status: 'running' as const } : DONE }
      },
    })
    const wrapper = mountPanel()
    await flushPromises()
    const es = FakeEventSource.last()
    es.fail()
    expect(es.closed).toBe(true)
    await flushPromises()
    expect(wrapper.text()).toContain('frågar efter läget')

    await vi.advanceTimersByTimeAsync(POLL_MS)
    await flushPromises()
    expect(wrapper.find('[data-status]').text()).toBe('Körs')
    await vi.advanceTimersByTimeAsync(POLL_MS)
    await flushPromises()
    expect(wrapper.find('[data-status]').text()).toBe('Klar')
    await vi.advanceTimersByTimeAsync(POLL_MS * 3)
    expect(net.callsTo('GET /api/runs/{id}')).toHaveLength(3)
    expect(FakeEventSource.instances).toHaveLength(1)
  })

  it('opens no stream for a run that has already ended', async () => {
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: DONE }) })
    const wrapper = mountPanel()
    await flushPromises()
    expect(FakeEventSource.instances).toHaveLength(0)
    expect(wrapper.find('table').exists()).toBe(true)
    // The stored log, folded away for a run that went well.
    expect(wrapper.find('.run-logs').attributes('open')).toBeUndefined()
    expect(wrapper.find('.run-logs__pre').text()).toContain('läste 4 rader')
  })

  it('explains a failed run in Swedish, with the tool\'s own message, and no English summary for a teacher', async () => {
    const failed = makeRun({
      status: 'failed',
      error_summary: 'Filen har inga kolumner med siffror.',
      error_code: 'tool_error',
      error_params: { message: 'Filen har inga kolumner med siffror.' },
      ui: null,
    })
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: failed }) })
    const wrapper = mountPanel()
    await flushPromises()
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('Verktyget kunde inte använda det du skickade')
    expect(alert.find('blockquote').text()).toContain('Filen har inga kolumner med siffror.')
    expect(wrapper.find('details.run-error__detail').exists()).toBe(false)
  })

  it('tells a teacher why a run was stopped, and keeps the English summary for the tool\'s authors', async () => {
    const oom = { status: 'failed' as const, error_summary: 'The tool used more memory than the 1024 MiB it may use and was stopped (out of memory).', error_code: 'out_of_memory' as const, error_params: { mib: 1024 }, ui: null }
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ ...oom, stderr: null }) }) })
    const teacher = mountPanel()
    await flushPromises()
    expect(teacher.find('[data-error-code="out_of_memory"]').text()).toContain('Verktyget behövde mer än de 1024 MB minne det får använda och stoppades')
    expect(teacher.text()).not.toContain('The tool used more memory')
    teacher.unmount()

    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ ...oom, stderr: 'Killed\n' }) }) })
    const author = mountPanel()
    await flushPromises()
    expect(author.find('details.run-error__detail').text()).toContain('The tool used more memory')
  })

  it('shows Skriptoteket\'s own English notices only to the tool\'s authors; a teacher reads output_cut in Swedish', async () => {
    const cut = {
      status: 'succeeded' as const,
      error_code: 'output_cut' as const,
      error_params: { shortened: true },
      outputs: [
        { kind: 'markdown' as const, markdown: '## Klart' },
        { kind: 'notice' as const, level: 'warning' as const, message: 'Skriptoteket: table rows were cut to 750.' },
      ],
    }
    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ ...cut, stderr: null }) }) })
    const teacher = mountPanel()
    await flushPromises()
    expect(teacher.text()).not.toContain('table rows were cut')
    expect(teacher.find('[data-error-code="output_cut"]').text()).toContain('Resultatet var för stort för att visas i sin helhet och har kortats.')
    teacher.unmount()

    mockApi({ 'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ ...cut, stderr: '' }) }) })
    const author = mountPanel()
    await flushPromises()
    expect(author.text()).toContain('table rows were cut')
  })

  it('cancels a running run', async () => {
    const net = mockApi({
      'GET /api/runs/{id}': () => ({ status: 200, body: { ...QUEUED, status: 'running' as const } }),
      'POST /api/runs/{id}/cancel': () => ({ status: 200, body: makeRun({ status: 'cancelled', ui: null }) }),
    })
    const wrapper = mountPanel()
    await flushPromises()
    await wrapper.findAll('button').find((b) => b.text() === 'Avbryt körningen')!.trigger('click')
    await flushPromises()
    expect(net.callsTo('POST /api/runs/{id}/cancel')).toHaveLength(1)
    expect(wrapper.find('[data-status]').text()).toBe('Avbruten')
  })
})

describe('RunPanel: next actions', () => {
  const withAction: Run = makeRun({
    outputs: [{ kind: 'markdown', markdown: '6 elever' }],
  })
  withAction.ui!.next_actions = [
    {
      action_id: 'make_groups',
      label: 'Dela in i grupper',
      kind: 'form',
      fields: [field({ name: 'size', kind: 'integer', label: 'Elever per grupp', required: true, min: 2, max: 10 }), field({ name: 'seed', kind: 'string' })],
      prefill: { size: 3 } as never,
    },
  ]

  it('offers the action as a form, prefilled; checks it; and starts the follow-up run', async () => {
    const next = makeRun({ id: '00000000-0000-4000-8000-0000000000c2', status: 'queued', parent_run_id: RUN_ID, ui: null })
    const net = mockApi({
      'GET /api/runs/{id}': () => ({ status: 200, body: withAction }),
      'POST /api/runs/{id}/actions': () => ({ status: 202, body: next }),
    })
    const wrapper = mountPanel()
    await flushPromises()
    const form = wrapper.find('form[aria-label="Dela in i grupper"]')
    const size = form.find('[name="size"]')
    expect((size.element as HTMLInputElement).value).toBe('3')
    await size.setValue('12')
    await form.trigger('submit')
    await flushPromises()
    expect(form.text()).toContain('Får vara högst 10.')
    expect(net.callsTo('POST /api/runs/{id}/actions')).toHaveLength(0)

    await size.setValue('2')
    await form.trigger('submit')
    await flushPromises()
    expect(net.callsTo('POST /api/runs/{id}/actions')[0]!.json).toEqual({ action_id: 'make_groups', input: { size: 2 } })
    expect(wrapper.emitted('follow-up')?.[0]?.[0]).toMatchObject({ id: next.id })
  })

  it('says so when the step was already answered (409), and puts 422 errors at the fields', async () => {
    let answer = 0
    mockApi({
      'GET /api/runs/{id}': () => ({ status: 200, body: withAction }),
      'POST /api/runs/{id}/actions': () => {
        answer += 1
        return answer === 1
          ? { problem: { status: 422, code: 'validation_failed', errors: [{ field: 'input.size', message: 'must be at most 10' }] } }
          : { problem: { status: 409, code: 'stale_action' } }
      },
    })
    const wrapper = mountPanel()
    await flushPromises()
    const form = wrapper.find('form[aria-label="Dela in i grupper"]')
    await form.trigger('submit')
    await flushPromises()
    expect(form.find('[data-field-error="size"]').text()).toContain('Får vara högst 10.')
    await form.trigger('submit')
    await flushPromises()
    expect(form.find('[role="alert"]').text()).toContain('Det här steget är redan besvarat.')
  })
})
