import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Version } from '@/api/types'
import { field, makeRun, makeUser, me, TOOL_ID, VERSION_ID } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import VersionEditorView from './VersionEditorView.vue'

// CodeMirror needs a real browser (the e2e uses it); here the editor's plain-textarea fallback edits the source.
vi.mock('@/features/editor/codemirror', () => {
  throw new Error('no CodeMirror in specs')
})

const AUTHOR = makeUser({ id: '00000000-0000-4000-8000-0000000000d1', role: 'contributor', display_name: 'Cilla' })

function version(overrides: Partial<Version> = {}): Version {
  return {
    id: VERSION_ID,
    tool_id: TOOL_ID,
    number: 2,
    state: 'draft',
    source: 'def run_tool(input_dir, output_dir):\n    return {}\n',
    entrypoint: 'run_tool',
    input_schema: { files: null, fields: [field({ name: 'klass', kind: 'string', label: 'Klass' })] },
    settings_schema: null,
    change_summary: '',
    usage_instructions: '',
    author_id: AUTHOR.id,
    revision: 3,
    created_at: '2026-11-23T08:00:00Z',
    updated_at: '2026-11-23T08:00:00Z',
    ...overrides,
  }
}

const PATH = `/my-tools/${TOOL_ID}/versions/${VERSION_ID}`

function buttonNamed(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], label: string) {
  const b = wrapper.findAll('button').find((x) => x.text().trim() === label)
  if (!b) throw new Error(`no button ${label}`)
  return b
}

async function mountEditor(handlers: Parameters<typeof mockApi>[0]) {
  vi.spyOn(console, 'warn').mockImplementation(() => {})
  const net = mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(AUTHOR) }), ...handlers })
  const mounted = await mountAt(VersionEditorView, PATH)
  await flushPromises()
  return { ...mounted, net }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('VersionEditorView', () => {
  it('loads the draft, tracks unsaved changes and saves with the revision it was loaded at', async () => {
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version() }),
      'PUT /api/admin/tool-versions/{id}': ({ json }) => ({ status: 200, body: version({ source: json.source, revision: 4 }) }),
    })
    const source = wrapper.find('textarea.code-editor__fallback')
    expect((source.element as HTMLTextAreaElement).value).toContain('def run_tool')
    expect(wrapper.text()).toContain('Allt är sparat')
    expect(buttonNamed(wrapper, 'Spara').attributes('disabled')).toBeDefined()

    await source.setValue('def run_tool(i, o):\n    return {"outputs": []}\n')
    expect(wrapper.text()).toContain('Osparade ändringar')
    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    const body = net.callsTo('PUT /api/admin/tool-versions/{id}')[0]!.json as Record<string, unknown>
    expect(body).toMatchObject({ source: 'def run_tool(i, o):\n    return {"outputs": []}\n', entrypoint: 'run_tool', expected_revision: 3 })
    expect(body.input_schema).toEqual(version().input_schema)
    expect(wrapper.text()).toContain('Allt är sparat')
  })

  it('on an edit conflict offers reload or overwrite; overwrite saves over the newer revision', async () => {
    let saves = 0
    let reads = 0
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version({ revision: (reads += 1) === 1 ? 3 : 7 }) }),
      'PUT /api/admin/tool-versions/{id}': ({ json }) => {
        saves += 1
        return saves === 1 ? { problem: { status: 412, code: 'edit_conflict' } } : { status: 200, body: version({ source: json.source, revision: 8 }) }
      },
    })
    await wrapper.find('textarea.code-editor__fallback').setValue('# mitt\n')
    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('Någon annan har sparat under tiden')
    await buttonNamed(wrapper, 'Behåll mina och skriv över').trigger('click')
    await flushPromises()
    const puts = net.callsTo('PUT /api/admin/tool-versions/{id}').map((c) => c.json as { expected_revision: number; source: string })
    expect(puts.map((p) => p.expected_revision)).toEqual([3, 7])
    expect(puts[1]!.source).toBe('# mitt\n')
    expect(wrapper.text()).not.toContain('Någon annan har sparat under tiden')
  })

  it('shows JSON mistakes at once and the API\'s schema errors at the schema, in Swedish', async () => {
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version() }),
      'PUT /api/admin/tool-versions/{id}': () => ({
        problem: {
          status: 422,
          code: 'validation_failed',
          errors: [{ field: 'input_schema.fields[0].name', message: 'must be letters, digits and _, not starting with a digit' }],
        },
      }),
    })
    const [inputSchema] = wrapper.findAll('textarea.schema-json__text')
    await inputSchema!.setValue('{"fields": [')
    expect(wrapper.text()).toContain('Inte giltig JSON')
    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    expect(net.callsTo('PUT /api/admin/tool-versions/{id}')).toHaveLength(0)
    expect(wrapper.text()).toContain('Rätta JSON-felen')

    await inputSchema!.setValue('{"fields": [{"name": "1x", "kind": "string", "label": "X"}]}')
    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    expect(inputSchema!.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('.schema-json__errors').text()).toContain('fields[0].name')
    expect(wrapper.find('.schema-json__errors').text()).toContain('Får bara innehålla bokstäver')
  })

  it('TESTKÖR sends the unsaved buffer; a syntax error is shown at the code', async () => {
    let tries = 0
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version() }),
      'POST /api/admin/tool-versions/{id}/run-sandbox': () => {
        tries += 1
        return tries === 1
          ? { problem: { status: 422, code: 'validation_failed', errors: [{ field: 'source', message: "Syntax error at line 2, column 5: invalid syntax" }] } }
          : { status: 202, body: makeRun({ context: 'sandbox', status: 'queued' }) }
      },
      'GET /api/runs/{id}': () => ({ status: 200, body: makeRun({ context: 'sandbox', outputs: [{ kind: 'notice', level: 'info', message: 'Test klart' }] }) }),
    })
    vi.stubGlobal('EventSource', undefined)
    await wrapper.find('textarea.code-editor__fallback').setValue('def run_tool(:\n')
    const test = wrapper.find('.editor__test')
    await test.find('[name="klass"]').setValue('7B')
    await test.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-field-error="source"]').text()).toContain('Syntaxfel på rad 2, kolumn 5')
    expect(test.text()).toContain('Koden har ett fel')
    expect(buttonNamed(wrapper, 'Gå till rad 2').exists()).toBe(true)

    await wrapper.find('textarea.code-editor__fallback').setValue('def run_tool(i, o):\n    return {}\n')
    await test.find('form').trigger('submit')
    await flushPromises()
    const form = net.callsTo('POST /api/admin/tool-versions/{id}/run-sandbox')[1]!.form!
    expect(await (form.get('source') as File).text()).toBe('def run_tool(i, o):\n    return {}\n')
    expect(form.get('entrypoint')).toBe('run_tool')
    expect(JSON.parse(String(form.get('input_schema')))).toEqual(version().input_schema)
    expect(JSON.parse(String(form.get('inputs')))).toEqual({ klass: '7B' })
    expect(wrapper.find('.run-panel').exists()).toBe(true)
    await flushPromises()
    expect(wrapper.find('.run-panel').text()).toContain('Test klart')
  })

  it('submits for review, saving first, and then shows the version read-only', async () => {
    const net = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version() }),
      'PUT /api/admin/tool-versions/{id}': ({ json }) => ({ status: 200, body: version({ change_summary: json.change_summary ?? '', revision: 4 }) }),
      'POST /api/admin/tool-versions/{id}/submit-review': () => ({ status: 200, body: version({ state: 'in_review', revision: 4 }) }),
    })
    const { wrapper } = net
    await wrapper.find('[name="change_summary"]').setValue('Ny kolumn')
    await buttonNamed(wrapper, 'Skicka för granskning').trigger('click')
    await flushPromises()
    expect(net.net.callsTo('PUT /api/admin/tool-versions/{id}')).toHaveLength(1)
    expect(net.net.callsTo('POST /api/admin/tool-versions/{id}/submit-review')).toHaveLength(1)
    expect(wrapper.find('[data-state="in_review"]').exists()).toBe(true)
    expect(wrapper.findAll('button').some((b) => b.text().trim() === 'Spara')).toBe(false)
    expect(wrapper.find('textarea.code-editor__fallback').attributes('readonly')).toBeDefined()
  })

  it('edits the usage instructions with a live preview and saves them with the draft', async () => {
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version({ usage_instructions: 'Ladda upp en **CSV**.' }) }),
      'PUT /api/admin/tool-versions/{id}': ({ json }) => ({ status: 200, body: version({ usage_instructions: json.usage_instructions ?? '', revision: 4 }) }),
    })
    const usage = wrapper.find('textarea[name="usage_instructions"]')
    expect((usage.element as HTMLTextAreaElement).value).toBe('Ladda upp en **CSV**.')
    const preview = wrapper.find('.usage-editor__preview')
    expect(preview.find('strong').text()).toBe('CSV')
    expect(wrapper.find('.usage-editor__size').text()).toBe('0,0 av högst 16 KiB')

    await usage.setValue('## Så gör du\n\n1. Exportera resultaten.\n2. Tryck **Kör**.')
    // (happy-dom's parser drops some block elements under DOMPurify; markdown.spec.ts checks them on jsdom.)
    expect(preview.text()).toContain('Så gör du')
    expect(preview.find('strong').text()).toBe('Kör')
    expect(wrapper.text()).toContain('Osparade ändringar')
    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    const body = net.callsTo('PUT /api/admin/tool-versions/{id}')[0]!.json as Record<string, unknown>
    expect(body).toMatchObject({ usage_instructions: '## Så gör du\n\n1. Exportera resultaten.\n2. Tryck **Kör**.', expected_revision: 3 })
    expect(wrapper.text()).toContain('Allt är sparat')

    await usage.setValue('')
    expect(wrapper.find('.usage-editor__preview').text()).toContain('Ingen text ännu')
  })

  it('shows the 16 KiB limit while typing and the server\'s refusal at the field', async () => {
    const { wrapper, net } = await mountEditor({
      'GET /api/admin/tool-versions/{id}': () => ({ status: 200, body: version() }),
      'PUT /api/admin/tool-versions/{id}': () => ({
        problem: { status: 422, code: 'validation_failed', errors: [{ field: 'usage_instructions', message: 'must be at most 16 KiB' }] },
      }),
    })
    const usage = wrapper.find('textarea[name="usage_instructions"]')
    // 16 KiB is counted in UTF-8 bytes, as the server does: "å" is two.
    await usage.setValue('å'.repeat(8 * 1024))
    expect(wrapper.find('.usage-editor__size').text()).toBe('16,0 av högst 16 KiB')
    expect(wrapper.find('[data-field-error="usage_instructions"]').exists()).toBe(false)
    await usage.setValue('å'.repeat(8 * 1024) + 'x')
    expect(wrapper.find('[data-field-error="usage_instructions"]').text()).toContain('Texten är för lång: högst 16 KiB.')
    expect(usage.attributes('aria-invalid')).toBe('true')

    await buttonNamed(wrapper, 'Spara').trigger('click')
    await flushPromises()
    expect((net.callsTo('PUT /api/admin/tool-versions/{id}')[0]!.json as { usage_instructions: string }).usage_instructions).toHaveLength(8 * 1024 + 1)
    expect(wrapper.find('[data-field-error="usage_instructions"]').text()).toContain('Får vara högst 16 KiB.')
    expect(usage.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('.editor__other').exists()).toBe(false)
  })
})
