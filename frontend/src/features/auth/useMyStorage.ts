/** My storage (uploaded files and run results still kept) against my quota, fresh from the server. */
import { ref } from 'vue'
import { api, unwrap } from '@/api/client'
import { shownData, toProblem, type Status } from '@/composables/status'

export interface MyStorage {
  usedBytes: number
  /** `null` when unlimited. */
  quotaBytes: number | null
}

export function useMyStorage() {
  const status = ref<Status<MyStorage>>({ state: 'idle' })

  async function load(): Promise<void> {
    status.value = { state: 'loading', previous: shownData(status.value) }
    try {
      const me = await unwrap(api.GET('/api/auth/me'))
      status.value = {
        state: 'ready',
        data: { usedBytes: me.storage_used_bytes, quotaBytes: me.storage_quota_bytes ?? null },
      }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  return { status, load }
}
