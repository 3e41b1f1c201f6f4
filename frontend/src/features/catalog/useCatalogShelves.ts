/**
 * The catalog's two shelves above the full list: my favourites ("Favoriter") and the tools I
 * ran last ("Senast använda"), each one `GET /api/tools` call (`only=favorites`,
 * `only=recent&sort=recent`). Reloaded when a star changes anywhere on the page.
 */
import { ref } from 'vue'
import type { ToolSummary } from '@/api/types'
import { listTools } from '@/features/tools/toolsApi'

export const FAVORITES_SHELF_SIZE = 24
export const RECENT_SHELF_SIZE = 4

export function useCatalogShelves() {
  const favorites = ref<ToolSummary[]>([])
  const recent = ref<ToolSummary[]>([])
  /** Whether both shelves have loaded once (before that nothing is shown, not even "empty"). */
  const loaded = ref(false)

  let ticket = 0
  async function load(): Promise<void> {
    const mine = ++ticket
    try {
      const [fav, last] = await Promise.all([
        listTools({ only: 'favorites', limit: FAVORITES_SHELF_SIZE, offset: 0 }),
        listTools({ only: 'recent', sort: 'recent', limit: RECENT_SHELF_SIZE, offset: 0 }),
      ])
      if (mine !== ticket) return
      favorites.value = fav.items
      recent.value = last.items
      loaded.value = true
    } catch {
      // The shelves are a convenience; the full list below reports errors.
    }
  }

  /** Mirrors a star changed elsewhere into the shelves at once, then reloads them. */
  function starred(tool: ToolSummary, favorite: boolean): void {
    for (const shelf of [favorites, recent]) {
      shelf.value = shelf.value.map((t) => (t.id === tool.id ? { ...t, favorite } : t))
    }
    void load()
  }

  void load()
  return { favorites, recent, loaded, reload: load, starred }
}
