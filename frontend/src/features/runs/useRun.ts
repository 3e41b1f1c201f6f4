/** One run, loaded by id and followed live until it ends; cancel while it is queued or running. */
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { Run } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { cancelRun, getRun } from './runsApi'
import { useRunEvents } from './useRunEvents'

export function useRun(id: MaybeRefOrGetter<string | null>) {
  const status = ref<Status<Run>>({ state: 'idle' })
  const events = useRunEvents()
  const cancelling = ref(false)
  let ticket = 0

  const run = computed(() => (status.value.state === 'ready' ? status.value.data : null))

  function show(next: Run): void {
    status.value = { state: 'ready', data: next }
  }

  async function load(runId: string | null): Promise<void> {
    const mine = ++ticket
    events.stop()
    if (!runId) {
      status.value = { state: 'idle' }
      return
    }
    status.value = { state: 'loading', previous: null }
    try {
      const loaded = await getRun(runId)
      if (mine !== ticket) return
      show(loaded)
      events.follow(loaded, (next) => {
        if (mine === ticket) show(next)
      })
    } catch (e) {
      if (mine === ticket) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  /** Asks the server to stop the run; the event stream reports the end. */
  async function cancel(): Promise<void> {
    const current = run.value
    if (!current || cancelling.value) return
    cancelling.value = true
    try {
      const cancelled = await cancelRun(current.id)
      if (run.value?.id === cancelled.id) show(cancelled)
    } finally {
      cancelling.value = false
    }
  }

  watch(() => toValue(id), (runId) => void load(runId), { immediate: true })

  return { status, run, logs: events.logs, connection: events.connection, cancelling, cancel, reload: () => load(toValue(id)) }
}
