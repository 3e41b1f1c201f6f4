import { config, flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OutputOf, UiOutput } from '@/api/types'
import OutputList from '../OutputList.vue'
import { OUTPUT_RENDERERS } from '../outputRenderers'
import HtmlSandboxOutput from './HtmlSandboxOutput.vue'
import JsonOutput from './JsonOutput.vue'
import NoticeOutput from './NoticeOutput.vue'
import TableOutput from './TableOutput.vue'
import VegaLiteOutput from './VegaLiteOutput.vue'

const renderVegaLite = vi.fn()
vi.mock('./vegaChart', () => ({ renderVegaLite: (...args: unknown[]) => renderVegaLite(...args) }))

// The table's copy button is the design system's Button, which can be a router link.
config.global.stubs = { RouterLink: RouterLinkStub }

afterEach(() => {
  document.body.innerHTML = ''
  renderVegaLite.mockReset()
})

function table(rows: Record<string, string | number | null>[]): OutputOf<'table'> {
  return {
    kind: 'table',
    title: 'Resultat',
    columns: [
      { key: 'namn', label: 'Namn' },
      { key: 'poang', label: 'Poäng' },
    ],
    rows: rows as never,
  }
}

describe('notice', () => {
  it.each([
    ['info', 'alert--info', 'status'],
    ['warning', 'alert--warning', 'status'],
    ['error', 'alert--danger', 'alert'],
  ] as const)('shows a %s notice as a %s alert', (level, cls, role) => {
    const wrapper = mount(NoticeOutput, { props: { output: { kind: 'notice', level, message: 'Klart!' } } })
    expect(wrapper.classes()).toContain(cls)
    expect(wrapper.attributes('role')).toBe(role)
    expect(wrapper.text()).toContain('Klart!')
  })
})

describe('table', () => {
  const rows = [
    { namn: 'Östen', poang: 9 },
    { namn: 'Anna', poang: 12 },
    { namn: 'Bo', poang: null },
    { namn: 'Åsa', poang: 100 },
  ]

  function column(wrapper: ReturnType<typeof mount>, index: number): string[] {
    return wrapper.findAll('tbody tr').map((tr) => tr.findAll('td')[index]!.text())
  }

  it('renders the title, the columns and every row; numeric columns are right-aligned', () => {
    const wrapper = mount(TableOutput, { props: { output: table(rows) } })
    expect(wrapper.find('h3').text()).toBe('Resultat')
    expect(wrapper.findAll('th').map((th) => th.text())).toEqual(['Namn', 'Poäng'])
    expect(column(wrapper, 0)).toEqual(['Östen', 'Anna', 'Bo', 'Åsa'])
    expect(wrapper.text()).toContain('4 rader')
    expect(wrapper.findAll('th')[1]!.classes()).toContain('is-numeric')
  })

  it('sorts by a column: numbers by value, text the Swedish way, blanks last; again reverses', async () => {
    const wrapper = mount(TableOutput, { props: { output: table(rows) } })
    const [nameHeader, pointsHeader] = wrapper.findAll('th')
    await pointsHeader!.find('button').trigger('click')
    expect(pointsHeader!.attributes('aria-sort')).toBe('ascending')
    expect(column(wrapper, 1)).toEqual(['9', '12', '100', ''])
    await pointsHeader!.find('button').trigger('click')
    expect(pointsHeader!.attributes('aria-sort')).toBe('descending')
    expect(column(wrapper, 1)).toEqual(['100', '12', '9', ''])
    await nameHeader!.find('button').trigger('click')
    expect(column(wrapper, 0)).toEqual(['Anna', 'Bo', 'Åsa', 'Östen'])
    expect(pointsHeader!.attributes('aria-sort')).toBe('none')
  })

  it('copies the rows as TSV, in the order shown', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined)
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const wrapper = mount(TableOutput, { props: { output: table([{ namn: 'Anna\tAndersson', poang: 12 }, { namn: 'Bo', poang: 9 }]) } })
    await wrapper.findAll('th')[1]!.find('button').trigger('click')
    await wrapper.findAll('button').find((b) => b.text().includes('Kopiera som TSV'))!.trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('Namn\tPoäng\nBo\t9\nAnna Andersson\t12\n')
    expect(wrapper.text()).toContain('Kopierad')
  })
})

describe('json', () => {
  it('shows a collapsible tree: the top level open, deeper levels folded', () => {
    const wrapper = mount(JsonOutput, {
      props: { output: { kind: 'json', title: 'Data', value: { klass: '7B', elever: ['Anna', 'Bo'], meta: { n: 2, ok: true, x: null } } } },
    })
    expect(wrapper.find('h3').text()).toBe('Data')
    const details = wrapper.findAll('details')
    expect(details).toHaveLength(3)
    expect(details[0]!.attributes('open')).toBeDefined()
    expect(details[1]!.attributes('open')).toBeUndefined()
    expect(details[0]!.find('summary').text()).toContain('3 nycklar')
    expect(details[1]!.find('summary').text()).toContain('2 element')
    expect(wrapper.text()).toContain('"7B"')
    expect(wrapper.text()).toContain('null')
  })
})

describe('html_sandboxed', () => {
  it('renders in an iframe sandbox without scripts or same-origin, and refuses network loads', () => {
    const html = '<p>Hej</p><script>parent.alert(1)</script>'
    const wrapper = mount(HtmlSandboxOutput, { props: { output: { kind: 'html_sandboxed', html } } })
    const iframe = wrapper.find('iframe')
    expect(iframe.attributes('sandbox')).toBe('')
    expect(iframe.attributes('sandbox')).not.toContain('allow-scripts')
    expect(iframe.attributes('sandbox')).not.toContain('allow-same-origin')
    const srcdoc = (iframe.element as HTMLIFrameElement).srcdoc || iframe.attributes('srcdoc') || ''
    expect(srcdoc).toContain(html)
    expect(srcdoc).toContain("Content-Security-Policy\" content=\"default-src 'none'")
    expect(iframe.attributes('src')).toBeUndefined()
  })
})

describe('vega_lite', () => {
  const spec = { mark: 'bar', data: { values: [{ a: 1 }] }, encoding: {} }

  it('draws the chart with the lazily loaded chart chunk', async () => {
    renderVegaLite.mockResolvedValue(() => {})
    const wrapper = mount(VegaLiteOutput, { props: { output: { kind: 'vega_lite', spec: spec as never } } })
    await flushPromises()
    expect(renderVegaLite).toHaveBeenCalledTimes(1)
    expect(renderVegaLite.mock.calls[0]![1]).toEqual(spec)
    expect(wrapper.find('.vega-output__chart').isVisible()).toBe(true)
  })

  it('falls back to the spec as JSON when the chart cannot be drawn', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    renderVegaLite.mockRejectedValue(new Error('bad spec'))
    const wrapper = mount(VegaLiteOutput, { props: { output: { kind: 'vega_lite', spec: spec as never } } })
    await flushPromises()
    expect(wrapper.text()).toContain('Diagrammet kunde inte ritas')
    expect(wrapper.find('.json-tree').text()).toContain('"bar"')
  })
})

describe('OutputList', () => {
  it('has a renderer for every output kind, and draws each block with its own', async () => {
    renderVegaLite.mockResolvedValue(() => {})
    expect(Object.keys(OUTPUT_RENDERERS).sort()).toEqual(['html_sandboxed', 'json', 'markdown', 'notice', 'table', 'vega_lite'])
    const outputs: UiOutput[] = [
      { kind: 'notice', level: 'info', message: 'n' },
      { kind: 'markdown', markdown: '# m' },
      table([{ namn: 'A', poang: 1 }]),
      { kind: 'json', value: [1] },
      { kind: 'html_sandboxed', html: '<p>h</p>' },
      { kind: 'vega_lite', spec: {} as never },
    ]
    const wrapper = mount(OutputList, { props: { outputs } })
    await flushPromises()
    expect(wrapper.findAll('[data-output-kind]').map((el) => el.attributes('data-output-kind'))).toEqual(outputs.map((o) => o.kind))
  })
})
