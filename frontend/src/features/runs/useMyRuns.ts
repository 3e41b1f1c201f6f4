/** My run history, a page at a time, filtered by context and status; the filters live in the address. */
import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { RunContext, RunsPage, RunStatus } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listRuns } from './runsApi'
import { RUN_STATUS } from './runStatus'

export const RUNS_PAGE_SIZE = 20

export function useMyRuns(limit = RUNS_PAGE_SIZE) {
  const route = useRoute()
  const router = useRouter()
  const status = ref<Status<RunsPage>>({ state: 'idle' })

  const context = computed<RunContext>(() => (route.query.context === 'sandbox' ? 'sandbox' : 'production'))
  const runStatus = computed<RunStatus | ''>(() => {
    const s = route.query.status
    return typeof s === 'string' && s in RUN_STATUS ? (s as RunStatus) : ''
  })
  const page = computed(() => {
    const n = Number(route.query.page ?? 1)
    return Number.isInteger(n) && n > 0 ? n : 1
  })
  const offset = computed(() => (page.value - 1) * limit)

  function setQuery(change: { context?: RunContext; status?: RunStatus | ''; page?: number }): void {
    const next = { context: context.value, status: runStatus.value, page: 'page' in change ? (change.page ?? 1) : 1, ...change }
    void router.replace({
      query: {
        context: next.context === 'sandbox' ? 'sandbox' : undefined,
        status: next.status || undefined,
        page: next.page > 1 ? String(next.page) : undefined,
      },
    })
  }

  let ticket = 0
  async function load(): Promise<void> {
    const mine = ++ticket
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      const data = await listRuns({ context: context.value, status: runStatus.value || null, limit, offset: offset.value })
      if (mine === ticket) status.value = { state: 'ready', data }
    } catch (e) {
      if (mine === ticket) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  watch([context, runStatus, offset], load, { immediate: true })
  return { status, context, runStatus, offset, limit, setQuery, reload: load }
}
