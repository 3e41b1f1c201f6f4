/** My latest runs of one tool (for the tool page), or of everything, newest first. */
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { RunsPage } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listRuns } from './runsApi'

export function useRecentRuns(toolId: MaybeRefOrGetter<string | null>, limit = 5) {
  const status = ref<Status<RunsPage>>({ state: 'idle' })
  async function load(): Promise<void> {
    const id = toValue(toolId)
    if (!id) return
    status.value = { state: 'loading', previous: null }
    try {
      status.value = { state: 'ready', data: await listRuns({ context: 'production', toolId: id, limit, offset: 0 }) }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }
  watch(() => toValue(toolId), load, { immediate: true })
  return { status, reload: load }
}
