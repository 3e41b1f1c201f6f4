/**
 * One batch, loaded by id and asked again about once a second until every item has ended;
 * polling stops when the page goes away. "Avbryt alla" cancels what is still waiting or going.
 */
import { computed, onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ApiProblem } from '@/api/problem'
import type { Batch } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { cancelBatch, getBatch } from './batchesApi'

export const BATCH_POLL_MS = 1000
/** After a failed poll the table stays as it was, and the next question comes later. */
const RETRY_POLL_MS = 5000

export function useBatch(id: MaybeRefOrGetter<string | null>) {
  const status = ref<Status<Batch>>({ state: 'idle' })
  /** A poll that failed while the last answer is still shown. */
  const stale = ref<ApiProblem | null>(null)
  const cancelling = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null
  let ticket = 0

  const batch = computed(() => (status.value.state === 'ready' ? status.value.data : null))

  function stop(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function show(next: Batch, mine: number): void {
    if (mine !== ticket) return
    status.value = { state: 'ready', data: next }
    stale.value = null
    stop()
    if (!next.finished) timer = setTimeout(() => void poll(next.id, mine), BATCH_POLL_MS)
  }

  async function poll(batchId: string, mine: number): Promise<void> {
    try {
      show(await getBatch(batchId), mine)
    } catch (e) {
      if (mine !== ticket) return
      const problem = toProblem(e)
      if (batch.value) {
        stale.value = problem
        timer = setTimeout(() => void poll(batchId, mine), RETRY_POLL_MS)
      } else {
        status.value = { state: 'error', problem }
      }
    }
  }

  function load(batchId: string | null): void {
    const mine = ++ticket
    stop()
    stale.value = null
    if (!batchId) {
      status.value = { state: 'idle' }
      return
    }
    status.value = { state: 'loading', previous: null }
    void poll(batchId, mine)
  }

  /** Cancels the items still waiting or going; throws the refusal for the caller to show. */
  async function cancel(): Promise<void> {
    const current = batch.value
    if (!current || cancelling.value) return
    cancelling.value = true
    try {
      show(await cancelBatch(current.id), ticket)
    } finally {
      cancelling.value = false
    }
  }

  watch(() => toValue(id), load, { immediate: true })
  onScopeDispose(() => {
    ticket += 1
    stop()
  })

  return { status, batch, stale, cancelling, cancel, reload: () => load(toValue(id)) }
}
