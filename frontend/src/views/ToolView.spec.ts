import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ADMIN, BATCH_ID, field, makeBatch, makeBatchItem, makeRun, makeToolPage, me, RUN_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import { useToastStore } from '@/stores/toasts'
import ToolView from './ToolView.vue'

const EMPTY_RUNS = { items: [], total: 0, limit: 5, offset: 0 }

function button(wrapper: { findAll: (s: string) => { text: () => string }[] }, label: string) {
  const found = wrapper.findAll('button').find((b) => b.text().trim() === label)
  if (!found) throw new Error(`no button ${label}`)
  return found as unknown as { trigger: (e: string) => Promise<void> }
}

async function pick(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], ...files: File[]) {
  const input = wrapper.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ToolView', () => {
  it('shows the tool, the limits before upload, and checks the file before sending anything', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage() as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
    })
    const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
    expect(wrapper.find('h1').text()).toBe('Betygsöversikt')
    expect(wrapper.text()).toContain('En fil · Filtyper: .csv · Högst 20 MB')
    await button(wrapper, 'Kör').trigger('click')
    await wrapper.find('form.run-form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-field-error="files"]').text()).toContain('Välj en fil.')
    await pick(wrapper, new File(['x'], 'bild.png'))
    await wrapper.find('form.run-form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-field-error="files"]').text()).toContain('har fel filtyp')
    expect(net.callsTo('POST /api/tools/{slug}/run')).toHaveLength(0)
  })

  it('KÖR sends the files and the inputs as multipart, then opens the run', async () => {
    const tool = makeToolPage({
      input_schema: {
        files: { accept: ['.csv'], min: 1, max: 2 },
        fields: [field({ name: 'klass', kind: 'string', label: 'Klass', required: true }), field({ name: 'antal', kind: 'integer', label: 'Antal' })],
      },
    })
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: tool as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      'POST /api/tools/{slug}/run': () => ({ status: 202, body: makeRun({ status: 'queued' }), headers: { Location: `/api/runs/${RUN_ID}` } }),
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun() }),
    })
    vi.stubGlobal('EventSource', undefined)
    const { wrapper, router } = await mountAt(ToolView, '/tools/betygsoversikt')
    await pick(wrapper, new File(['a;b\n'], 'ht.csv'), new File(['c;d\n'], 'vt.csv'))
    await wrapper.find('[name="klass"]').setValue('7B')
    await wrapper.find('[name="antal"]').setValue('4')
    await wrapper.find('form.run-form').trigger('submit')
    await flushPromises()

    const call = net.callsTo('POST /api/tools/{slug}/run')[0]!
    expect(call.headers.get('X-CSRF-Token')).toBe('csrf-123')
    const form = call.form!
    expect(form.getAll('files').map((f) => (f as File).name)).toEqual(['ht.csv', 'vt.csv'])
    expect(JSON.parse(String(form.get('inputs')))).toEqual({ klass: '7B', antal: 4 })
    expect(form.has('reuse_files_from')).toBe(false)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/runs/${RUN_ID}`))
  })

  it('puts the server\'s refusals at the files and at the fields', async () => {
    const tool = makeToolPage({ input_schema: { files: { accept: [], min: 0, max: 3 }, fields: [field({ name: 'klass', kind: 'string', label: 'Klass' })] } })
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: tool as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      'POST /api/tools/{slug}/run': () => ({
        problem: {
          status: 422,
          code: 'validation_failed',
          errors: [
            { field: 'files', message: 'this tool takes at most 1 file(s); you sent 2' },
            { field: 'inputs.klass', message: 'must be at most 3 characters' },
          ],
        },
      }),
    })
    const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
    await wrapper.find('form.run-form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-field-error="files"]').text()).toContain('Välj bara en fil.')
    expect(wrapper.find('[data-field-error="klass"]').text()).toContain('Får vara högst 3 tecken.')
    expect(wrapper.find('.run-form [role="alert"]').text()).toContain('Kontrollera de markerade fälten.')
  })

  it('"Kör igen med samma filer": the earlier run\'s files are sent by reference, its inputs prefilled', async () => {
    const earlier = makeRun({ inputs: { klass: '9C' } as never, files: [{ name: 'elever.csv', bytes: 2000 }] })
    const tool = makeToolPage({ input_schema: { files: { accept: ['.csv'], min: 1, max: 1 }, fields: [field({ name: 'klass', kind: 'string', label: 'Klass' })] } })
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: tool as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      'GET /api/runs/{id}': () => ({ status: 200, body: earlier }),
      'POST /api/tools/{slug}/run': () => ({ status: 202, body: makeRun({ id: '00000000-0000-4000-8000-0000000000c9', status: 'queued' }) }),
    })
    const { wrapper } = await mountAt(ToolView, `/tools/betygsoversikt?reuse=${RUN_ID}`)
    await flushPromises()
    expect(wrapper.text()).toContain('Samma fil som förra gången:')
    expect(wrapper.text()).toContain('elever.csv')
    expect((wrapper.find('[name="klass"]').element as HTMLInputElement).value).toBe('9C')
    await wrapper.find('form.run-form').trigger('submit')
    await flushPromises()
    const form = net.callsTo('POST /api/tools/{slug}/run')[0]!.form!
    expect(form.get('reuse_files_from')).toBe(RUN_ID)
    expect(form.getAll('files')).toHaveLength(0)
  })

  it('⚙ loads my settings into the settings form and saves them', async () => {
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage() as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      'GET /api/tools/{slug}/settings': () => ({ status: 200, body: { values: { separator: ',' } as never, schema_changed: false, updated_at: null } }),
      'PUT /api/tools/{slug}/settings': ({ json }) => ({
        status: 200,
        body: { values: json.values, schema_changed: false, updated_at: '2026-11-23T09:00:00Z' },
      }),
    })
    const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
    await button(wrapper, 'Inställningar').trigger('click')
    await flushPromises()
    const dialog = wrapper.find('dialog[open]')
    const select = dialog.find('select[name="separator"]')
    expect((select.element as HTMLSelectElement).value).toBe(',')
    await select.setValue(';')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(net.callsTo('PUT /api/tools/{slug}/settings')[0]!.json).toEqual({ values: { separator: ';' } })
    expect(wrapper.find('dialog[open]').exists()).toBe(false)
  })

  describe('"Så använder du verktyget"', () => {
    const USAGE = '1. Exportera resultaten som **CSV**.\n2. Tryck **Kör**.'

    async function mountWithUsage(usage: string, seen: boolean) {
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage({ usage_instructions: usage, usage_instructions_seen: seen }) as never }),
        'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
        'PUT /api/tools/{slug}/usage-instructions/seen': () => ({ status: 204, body: undefined }),
      })
      const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
      await flushPromises()
      return { wrapper, net, seenCalls: () => net.callsTo('PUT /api/tools/{slug}/usage-instructions/seen') }
    }

    it('is open on a first visit, rendered as Markdown, and tells the server once that I have seen it', async () => {
      const { wrapper, seenCalls } = await mountWithUsage(USAGE, false)
      const panel = wrapper.find('details[data-usage-instructions]')
      expect(panel.find('summary').text()).toBe('Så använder du verktyget')
      expect((panel.element as HTMLDetailsElement).open).toBe(true)
      expect(panel.findAll('li')).toHaveLength(2)
      expect(panel.find('strong').text()).toBe('CSV')
      expect(seenCalls()).toHaveLength(1)
      expect(seenCalls()[0]!.path).toBe('/api/tools/betygsoversikt/usage-instructions/seen')
      expect(seenCalls()[0]!.headers.get('X-CSRF-Token')).toBe('csrf-123')

      // Folding and unfolding it is the user's business: no second call.
      await panel.find('summary').trigger('click')
      await panel.find('summary').trigger('click')
      await flushPromises()
      expect(seenCalls()).toHaveLength(1)
    })

    it('is folded once seen, and opens on request', async () => {
      const { wrapper, seenCalls } = await mountWithUsage(USAGE, true)
      const panel = wrapper.find('details[data-usage-instructions]')
      expect(panel.exists()).toBe(true)
      expect((panel.element as HTMLDetailsElement).open).toBe(false)
      expect(panel.find('summary').text()).toBe('Så använder du verktyget')
      ;(panel.element as HTMLDetailsElement).open = true
      expect(panel.find('strong').text()).toBe('CSV')
      expect(seenCalls()).toHaveLength(0)
    })

    it('is not there when the version has no instructions', async () => {
      const { wrapper, seenCalls } = await mountWithUsage('', false)
      expect(wrapper.find('details[data-usage-instructions]').exists()).toBe(false)
      expect(wrapper.text()).not.toContain('Så använder du verktyget')
      expect(seenCalls()).toHaveLength(0)
    })
  })

  it('stars the tool from its page, and takes the star back when saving fails', async () => {
    let refuse = false
    const net = mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
      'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage({ favorite: false }) as never }),
      'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      'PUT /api/tools/{slug}/favorite': () => ({ status: 204, body: undefined }),
      'DELETE /api/tools/{slug}/favorite': () => (refuse ? { problem: { status: 500, code: 'internal' } } : { status: 204, body: undefined }),
    })
    const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
    const star = wrapper.find('button[aria-pressed]')
    expect(star.attributes('aria-label')).toBe('Lägg till Betygsöversikt i favoriter')
    await star.trigger('click')
    await flushPromises()
    expect(net.callsTo('PUT /api/tools/{slug}/favorite')[0]!.path).toBe('/api/tools/betygsoversikt/favorite')
    expect(star.attributes('aria-pressed')).toBe('true')
    expect(star.attributes('aria-label')).toBe('Ta bort Betygsöversikt från favoriter')

    refuse = true
    await star.trigger('click')
    expect(star.attributes('aria-pressed')).toBe('false') // at once, before the answer
    await flushPromises()
    expect(star.attributes('aria-pressed')).toBe('true')
    expect(useToastStore().toasts.map((toast) => toast.message)).toContain('Favoriten kunde inte sparas. Försök igen.')
  })

  describe('class mode ("En körning per fil")', () => {
    const csvs = (n: number) => Array.from({ length: n }, (_, i) => new File([`elev;betyg\nA;${i}\n`], `elev-${i + 1}.csv`))

    it('runs the tool once per file: many files, "Kör för N filer", then the batch page', async () => {
      const tool = makeToolPage({
        input_schema: { files: { accept: ['.csv'], min: 1, max: 1 }, fields: [field({ name: 'klass', kind: 'string', label: 'Klass' })] },
      })
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/tools/{slug}': () => ({ status: 200, body: tool as never }),
        'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
        'POST /api/tools/{slug}/batch': () => ({ status: 202, body: makeBatch([1, 2, 3].map((n) => makeBatchItem(n))) }),
        'GET /api/batches/{id}': () => ({ status: 200, body: makeBatch([1, 2, 3].map((n) => makeBatchItem(n, { status: 'succeeded' }))) }),
      })
      const { wrapper, router } = await mountAt(ToolView, '/tools/betygsoversikt')
      const mode = wrapper.find('[data-run-mode]')
      expect(mode.find('legend').text()).toBe('Hur vill du köra verktyget?')
      expect((mode.find('input[value="once"]').element as HTMLInputElement).checked).toBe(true)
      expect(wrapper.text()).toContain('En fil · Filtyper: .csv · Högst 20 MB')

      await mode.find('input[value="per-file"]').setValue(true)
      expect(wrapper.text()).toContain('1–100 filer · Filtyper: .csv · Högst 20 MB per fil och 200 MB totalt')
      expect(wrapper.find('input[type="file"]').attributes('multiple')).toBeDefined()
      expect(wrapper.find('button[type="submit"]').text()).toBe('Kör för varje fil')

      await pick(wrapper, ...csvs(2))
      await pick(wrapper, ...csvs(3))
      expect(wrapper.find('button[type="submit"]').text()).toBe('Kör för 3 filer')
      await wrapper.find('[name="klass"]').setValue('7B')
      await wrapper.find('form.run-form').trigger('submit')
      await flushPromises()

      expect(net.callsTo('POST /api/tools/{slug}/run')).toHaveLength(0)
      const call = net.callsTo('POST /api/tools/{slug}/batch')[0]!
      expect(call.path).toBe('/api/tools/betygsoversikt/batch')
      expect(call.headers.get('X-CSRF-Token')).toBe('csrf-123')
      expect(call.form!.getAll('files').map((f) => (f as File).name)).toEqual(['elev-1.csv', 'elev-2.csv', 'elev-3.csv'])
      expect(JSON.parse(String(call.form!.get('inputs')))).toEqual({ klass: '7B' })
      await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/batches/${BATCH_ID}`))
    })

    it('checks the files against class mode\'s limits, and back in one run only one file goes', async () => {
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage() as never }),
        'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
      })
      const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
      await wrapper.find('[data-run-mode] input[value="per-file"]').setValue(true)
      await pick(wrapper, ...csvs(101))
      await wrapper.find('form.run-form').trigger('submit')
      await flushPromises()
      expect(wrapper.find('[data-field-error="files"]').text()).toContain('Välj högst 100 filer.')

      await wrapper.find('[data-run-mode] input[value="once"]').setValue(true)
      expect(wrapper.find('[data-field-error="files"]').text()).toContain('Välj bara en fil.')
      expect(wrapper.find('button[type="submit"]').text()).toBe('Kör')
      expect(net.callsTo('POST /api/tools/{slug}/batch')).toHaveLength(0)
    })

    it('shows the server\'s refusal of class mode in Swedish at the files', async () => {
      mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
        'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage() as never }),
        'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
        'POST /api/tools/{slug}/batch': () => ({
          problem: {
            status: 422,
            code: 'validation_failed',
            errors: [{ field: 'files', message: 'this tool does not take one file at a time, so it cannot run per file' }],
          },
        }),
      })
      const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
      await wrapper.find('[data-run-mode] input[value="per-file"]').setValue(true)
      await pick(wrapper, ...csvs(2))
      await wrapper.find('form.run-form').trigger('submit')
      await flushPromises()
      expect(wrapper.find('[data-field-error="files"]').text()).toContain('Verktyget tar inte en fil i taget')
    })

    it('is not offered when the tool needs several files at once, or takes none', async () => {
      for (const input_schema of [{ files: { accept: ['.csv'], min: 2, max: 5 }, fields: [] }, { files: null, fields: [] }]) {
        mockApi({
          'GET /api/auth/me': () => ({ status: 200, body: me(ADMIN) }),
          'GET /api/tools/{slug}': () => ({ status: 200, body: makeToolPage({ input_schema }) as never }),
          'GET /api/runs': () => ({ status: 200, body: EMPTY_RUNS }),
        })
        const { wrapper } = await mountAt(ToolView, '/tools/betygsoversikt')
        expect(wrapper.find('[data-run-mode]').exists()).toBe(false)
        wrapper.unmount()
        document.body.innerHTML = ''
      }
    })
  })
})
