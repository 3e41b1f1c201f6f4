/** "Kör igen med samma filer": the earlier run named by `?reuse=` prefills the run form. */
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { fromApiObject, type JsonObject } from '@/api/types'
import { getRun } from '@/features/runs/runsApi'
import type { ReusedFiles } from './useToolRun'

export function useReusePrefill(runId: MaybeRefOrGetter<string | null>, slug: MaybeRefOrGetter<string>) {
  const prefill = ref<{ inputs: JsonObject; reuse: ReusedFiles | null } | null>(null)

  watch(
    () => [toValue(runId), toValue(slug)] as const,
    async ([id, toolSlug]) => {
      prefill.value = null
      if (!id) return
      try {
        const run = await getRun(id)
        if (run.tool.slug !== toolSlug) return
        prefill.value = { inputs: fromApiObject(run.inputs), reuse: { runId: run.id, files: run.files } }
      } catch {
        // An old or foreign run simply prefills nothing.
      }
    },
    { immediate: true },
  )
  return { prefill }
}
