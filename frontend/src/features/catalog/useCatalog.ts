/**
 * The catalog's state lives in the address (`?q=&category=&profession=&page=`), so a search can
 * be shared and Back works. Typing is debounced before it reaches the address; every change of
 * the address loads one page, and answers that arrive late are dropped.
 */
import { computed, onScopeDispose, ref, watch } from 'vue'
import { useRoute, useRouter, type LocationQueryValue } from 'vue-router'
import type { Taxon, ToolsPage } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listCategories, listProfessions, listTools } from '@/features/tools/toolsApi'

export const CATALOG_PAGE_SIZE = 12
export const SEARCH_DEBOUNCE_MS = 300

function one(value: LocationQueryValue | LocationQueryValue[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v : ''
}

export function useCatalog(limit = CATALOG_PAGE_SIZE) {
  const route = useRoute()
  const router = useRouter()
  const status = ref<Status<ToolsPage>>({ state: 'idle' })
  const categories = ref<Taxon[]>([])
  const professions = ref<Taxon[]>([])

  const q = computed(() => one(route.query.q))
  const category = computed(() => one(route.query.category))
  const profession = computed(() => one(route.query.profession))
  const page = computed(() => {
    const n = Number(one(route.query.page) || 1)
    return Number.isInteger(n) && n > 0 ? n : 1
  })
  const offset = computed(() => (page.value - 1) * limit)
  const filtered = computed(() => Boolean(q.value || category.value || profession.value))

  /** What the search box shows; it reaches the address after a pause in typing. */
  const search = ref(q.value)
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(search, (text) => {
    clearTimeout(timer)
    timer = setTimeout(() => setQuery({ q: text.trim() }), SEARCH_DEBOUNCE_MS)
  })
  watch(q, (value) => {
    if (value !== search.value.trim()) search.value = value
  })
  onScopeDispose(() => clearTimeout(timer))

  function setQuery(change: { q?: string; category?: string; profession?: string; page?: number }): void {
    const next = { q: q.value, category: category.value, profession: profession.value, page: page.value, ...change }
    // Any change but paging starts again at page 1.
    if (!('page' in change)) next.page = 1
    const query = {
      q: next.q || undefined,
      category: next.category || undefined,
      profession: next.profession || undefined,
      page: next.page > 1 ? String(next.page) : undefined,
    }
    const same = ['q', 'category', 'profession', 'page'].every(
      (key) => (query[key as keyof typeof query] ?? '') === one(route.query[key]),
    )
    if (!same) void router.replace({ query })
  }

  function clear(): void {
    clearTimeout(timer)
    search.value = ''
    setQuery({ q: '', category: '', profession: '' })
  }

  let ticket = 0
  async function load(): Promise<void> {
    const mine = ++ticket
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      const data = await listTools({ q: q.value, category: category.value, profession: profession.value, limit, offset: offset.value })
      if (mine === ticket) status.value = { state: 'ready', data }
    } catch (e) {
      if (mine === ticket) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  async function loadTaxonomy(): Promise<void> {
    try {
      const [c, p] = await Promise.all([listCategories(), listProfessions()])
      categories.value = c
      professions.value = p
    } catch {
      // The filters are a convenience; the list itself reports errors.
    }
  }

  watch([q, category, profession, offset], load, { immediate: true })
  void loadTaxonomy()

  return { status, search, q, category, profession, offset, limit, filtered, categories, professions, setQuery, clear, reload: load }
}
