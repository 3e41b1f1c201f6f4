/** The tool page's data: the tool (metadata, input and settings schemas) by slug. */
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ToolPage } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { getTool } from './toolsApi'

export function useToolPage(slug: MaybeRefOrGetter<string>) {
  const status = ref<Status<ToolPage>>({ state: 'idle' })
  let ticket = 0

  async function load(): Promise<void> {
    const mine = ++ticket
    status.value = { state: 'loading', previous: null }
    try {
      const tool = await getTool(toValue(slug))
      if (mine === ticket) status.value = { state: 'ready', data: tool }
    } catch (e) {
      if (mine === ticket) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  watch(() => toValue(slug), load, { immediate: true })
  return { status, reload: load }
}
