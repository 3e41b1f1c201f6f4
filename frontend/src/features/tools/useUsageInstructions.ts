/**
 * The tool page's "Så använder du verktyget" panel: shown when the version has instructions,
 * open while I have not seen them as they read now, folded after. Showing them open tells the
 * server once, so the next visit folds them; a failed call only means they open again.
 */
import { computed, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ToolPage } from '@/api/types'
import { markUsageSeen } from './toolsApi'

export interface UsagePanel {
  markdown: string
  /** Open on arrival; the user folds and unfolds it from there. */
  open: boolean
}

export function useUsageInstructions(tool: MaybeRefOrGetter<ToolPage | null>) {
  /** Instructions already reported as seen on this page, by slug and text. */
  const reported = new Set<string>()

  const panel = computed<UsagePanel | null>(() => {
    const page = toValue(tool)
    if (!page || !page.usage_instructions.trim()) return null
    return { markdown: page.usage_instructions, open: !page.usage_instructions_seen }
  })

  watch(
    () => toValue(tool),
    (page) => {
      if (!page || !panel.value?.open) return
      const key = `${page.slug}\n${page.usage_instructions}`
      if (reported.has(key)) return
      reported.add(key)
      markUsageSeen(page.slug).catch(() => reported.delete(key))
    },
    { immediate: true },
  )

  return { panel }
}
