import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ToolSummary } from '@/api/types'
import { SEARCH_DEBOUNCE_MS } from '@/features/catalog/useCatalog'
import { makeUser, me } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import CatalogView from './CatalogView.vue'

const TEACHER = makeUser({ role: 'user' })
const taxon = (slug: string, name: string) => ({ id: `id-${slug}`, slug, name })
const TOOLS: ToolSummary[] = [
  { id: 't1', slug: 'betygsoversikt', title: 'Betygsöversikt', summary: 'CSV in, tabell ut.', categories: [taxon('administration', 'Administration')], professions: [taxon('larare', 'Lärare')], favorite: false },
  { id: 't2', slug: 'gruppindelning', title: 'Gruppindelning', summary: 'Slumpade grupper.', categories: [taxon('lektionsplanering', 'Lektionsplanering')], professions: [], favorite: false },
]

function catalogApi(tools: ToolSummary[] = TOOLS) {
  return mockApi({
    'GET /api/auth/me': () => ({ status: 200, body: me(TEACHER) }),
    'GET /api/categories': () => ({ status: 200, body: [taxon('administration', 'Administration'), taxon('lektionsplanering', 'Lektionsplanering')] }),
    'GET /api/professions': () => ({ status: 200, body: [taxon('larare', 'Lärare')] }),
    'GET /api/tools': ({ query }) => {
      const q = (query.get('q') ?? '').toLowerCase()
      const category = query.get('category')
      const only = query.get('only')
      let items = tools.filter((t) => t.title.toLowerCase().includes(q) && (!category || t.categories.some((c) => c.slug === category)))
      if (only === 'favorites') items = items.filter((t) => t.favorite)
      if (only === 'recent') items = items.filter((t) => t.last_run_at).sort((a, b) => (b.last_run_at ?? '').localeCompare(a.last_run_at ?? ''))
      return { status: 200, body: { items, total: items.length, limit: Number(query.get('limit')), offset: Number(query.get('offset')) } }
    },
    'PUT /api/tools/{slug}/favorite': ({ params }) => {
      tools.find((t) => t.slug === params.slug)!.favorite = true
      return { status: 204, body: undefined }
    },
    'DELETE /api/tools/{slug}/favorite': ({ params }) => {
      tools.find((t) => t.slug === params.slug)!.favorite = false
      return { status: 204, body: undefined }
    },
  })
}

/** The calls of the full list (not the shelves). */
const listCalls = (net: ReturnType<typeof catalogApi>) => net.callsTo('GET /api/tools').filter((c) => !c.query.get('only'))
const cards = (wrapper: { findAll: (s: string) => unknown[] }, list = 'all') => wrapper.findAll(`[data-list="${list}"] article`)

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('CatalogView', () => {
  it('lists the published tools as cards linking to their pages', async () => {
    catalogApi()
    const { wrapper } = await mountAt(CatalogView, '/catalog')
    // Under the shelves the cards are headed one level down.
    const links = wrapper.findAll('[data-list="all"] article h3 a')
    expect(links.map((a) => a.text())).toEqual(['Betygsöversikt', 'Gruppindelning'])
    expect(links[0]!.attributes('href')).toBe('/tools/betygsoversikt')
    expect(wrapper.text()).toContain('2 verktyg')
  })

  it('searches after a pause in typing, once, with the words in the address', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const net = catalogApi()
    const { wrapper, router } = await mountAt(CatalogView, '/catalog')
    const box = wrapper.find('input[name="q"]')
    await box.setValue('g')
    await box.setValue('gr')
    await box.setValue('grupp')
    expect(listCalls(net)).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    await flushPromises()
    expect(router.currentRoute.value.query.q).toBe('grupp')
    const searches = listCalls(net).slice(1)
    expect(searches.map((c) => c.query.get('q'))).toEqual(['grupp'])
    expect(cards(wrapper)).toHaveLength(1)
  })

  it('filters by category from the address, and offers a way back when nothing matches', async () => {
    const net = catalogApi()
    const { wrapper, router } = await mountAt(CatalogView, '/catalog?category=lektionsplanering')
    expect(listCalls(net)[0]!.query.get('category')).toBe('lektionsplanering')
    expect(cards(wrapper)).toHaveLength(1)
    await router.replace('/catalog?q=finns-inte')
    await flushPromises()
    expect(wrapper.text()).toContain('Inga verktyg matchar')
    await wrapper.findAll('button').find((b) => b.text() === 'Visa alla verktyg')!.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(cards(wrapper)).toHaveLength(2)
  })

  it('says so when the catalog is empty', async () => {
    mockApi({
      'GET /api/auth/me': () => ({ status: 200, body: me(TEACHER) }),
      'GET /api/categories': () => ({ status: 200, body: [] }),
      'GET /api/professions': () => ({ status: 200, body: [] }),
      'GET /api/tools': () => ({ status: 200, body: { items: [], total: 0, limit: 12, offset: 0 } }),
    })
    const { wrapper } = await mountAt(CatalogView, '/catalog')
    expect(wrapper.text()).toContain('Katalogen är tom')
  })

  it('shows my favourites and the tools I ran last above the full list, and stars a tool at once', async () => {
    const tools: ToolSummary[] = [
      { ...TOOLS[0]!, favorite: true },
      { ...TOOLS[1]!, favorite: false, last_run_at: '2026-11-23T08:00:00Z' },
    ]
    const net = catalogApi(tools)
    const { wrapper } = await mountAt(CatalogView, '/catalog')
    // In document order (the view has several roots, so ask the document).
    expect(Array.from(document.querySelectorAll('h2'), (h) => h.textContent)).toEqual(['Favoriter', 'Senast använda', 'Alla verktyg'])
    expect(cards(wrapper, 'favorites').map((c) => (c as { find: (s: string) => { text: () => string } }).find('h3').text())).toEqual(['Betygsöversikt'])
    expect(wrapper.find('[data-list="recent"]').text()).toContain('Senast körd')
    expect(net.callsTo('GET /api/tools').find((c) => c.query.get('only') === 'recent')!.query.get('sort')).toBe('recent')

    const star = wrapper.find('[data-list="all"] [data-tool="gruppindelning"] button[aria-pressed]')
    expect(star.attributes('aria-pressed')).toBe('false')
    expect(star.attributes('aria-label')).toBe('Lägg till Gruppindelning i favoriter')
    await star.trigger('click')
    expect(star.attributes('aria-pressed')).toBe('true')
    await flushPromises()
    expect(net.callsTo('PUT /api/tools/{slug}/favorite')).toHaveLength(1)
    expect(cards(wrapper, 'favorites')).toHaveLength(2)

    await wrapper.find('[data-list="favorites"] [data-tool="betygsoversikt"] button[aria-pressed]').trigger('click')
    await flushPromises()
    expect(net.callsTo('DELETE /api/tools/{slug}/favorite')[0]!.path).toBe('/api/tools/betygsoversikt/favorite')
    expect(cards(wrapper, 'favorites')).toHaveLength(1)
    expect(wrapper.find('[data-list="all"] [data-tool="betygsoversikt"] button[aria-pressed]').attributes('aria-pressed')).toBe('false')
  })

  it('hides the shelves while searching and invites to star a first favourite', async () => {
    catalogApi(TOOLS.map((t) => ({ ...t, favorite: false })))
    const { wrapper, router } = await mountAt(CatalogView, '/catalog')
    expect(wrapper.text()).toContain('Stjärnmärk verktyg du använder ofta')
    expect(wrapper.find('[data-list="recent"]').exists()).toBe(false)
    await router.replace('/catalog?q=betyg')
    await flushPromises()
    expect(wrapper.text()).not.toContain('Favoriter')
    expect(wrapper.findAll('[data-list="all"] article h2 a').map((a) => a.text())).toEqual(['Betygsöversikt'])
  })
})
