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
  { id: 't1', slug: 'betygsoversikt', title: 'Betygsöversikt', summary: 'CSV in, tabell ut.', categories: [taxon('administration', 'Administration')], professions: [taxon('larare', 'Lärare')] },
  { id: 't2', slug: 'gruppindelning', title: 'Gruppindelning', summary: 'Slumpade grupper.', categories: [taxon('lektionsplanering', 'Lektionsplanering')], professions: [] },
]

function catalogApi() {
  return mockApi({
    'GET /api/auth/me': () => ({ status: 200, body: me(TEACHER) }),
    'GET /api/categories': () => ({ status: 200, body: [taxon('administration', 'Administration'), taxon('lektionsplanering', 'Lektionsplanering')] }),
    'GET /api/professions': () => ({ status: 200, body: [taxon('larare', 'Lärare')] }),
    'GET /api/tools': ({ query }) => {
      const q = (query.get('q') ?? '').toLowerCase()
      const category = query.get('category')
      const items = TOOLS.filter((t) => t.title.toLowerCase().includes(q) && (!category || t.categories.some((c) => c.slug === category)))
      return { status: 200, body: { items, total: items.length, limit: Number(query.get('limit')), offset: Number(query.get('offset')) } }
    },
  })
}

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('CatalogView', () => {
  it('lists the published tools as cards linking to their pages', async () => {
    catalogApi()
    const { wrapper } = await mountAt(CatalogView, '/catalog')
    const links = wrapper.findAll('article h2 a')
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
    expect(net.callsTo('GET /api/tools')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    await flushPromises()
    expect(router.currentRoute.value.query.q).toBe('grupp')
    const searches = net.callsTo('GET /api/tools').slice(1)
    expect(searches.map((c) => c.query.get('q'))).toEqual(['grupp'])
    expect(wrapper.findAll('article')).toHaveLength(1)
  })

  it('filters by category from the address, and offers a way back when nothing matches', async () => {
    const net = catalogApi()
    const { wrapper, router } = await mountAt(CatalogView, '/catalog?category=lektionsplanering')
    expect(net.callsTo('GET /api/tools')[0]!.query.get('category')).toBe('lektionsplanering')
    expect(wrapper.findAll('article')).toHaveLength(1)
    await router.replace('/catalog?q=finns-inte')
    await flushPromises()
    expect(wrapper.text()).toContain('Inga verktyg matchar')
    await wrapper.findAll('button').find((b) => b.text() === 'Visa alla verktyg')!.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(wrapper.findAll('article')).toHaveLength(2)
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
})
