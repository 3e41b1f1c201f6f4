/** The review queue (admins): versions in review, oldest first, with publish and request changes. */
import { ref } from 'vue'
import type { ReviewItem } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listReviews, transition } from '@/features/authoring/authoringApi'

export function useReviewQueue() {
  const status = ref<Status<ReviewItem[]>>({ state: 'idle' })

  async function load(): Promise<void> {
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      status.value = { state: 'ready', data: await listReviews() }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  /** Throws ApiProblem (e.g. `not_publishable`) for the dialog to show. */
  async function publish(item: ReviewItem): Promise<void> {
    await transition(item.version.id, 'publish')
    await load()
  }

  async function requestChanges(item: ReviewItem, message: string): Promise<void> {
    await transition(item.version.id, 'request-changes', message)
    await load()
  }

  void load()
  return { status, reload: load, publish, requestChanges }
}
