/** The tools I maintain, with their versions' states. */
import { ref } from 'vue'
import type { AdminTool } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listMyTools } from './authoringApi'

export function useMyTools() {
  const status = ref<Status<AdminTool[]>>({ state: 'idle' })
  async function load(): Promise<void> {
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      status.value = { state: 'ready', data: await listMyTools() }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }
  void load()
  return { status, reload: load }
}
