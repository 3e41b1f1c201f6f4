/**
 * The privacy log a page at a time, newest first, optionally about one person; the page and
 * the person live in the address (`?subject_id=…&page=2`), so a link can open the log filtered.
 */
import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { PrivacyEventsPage } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listPrivacyEvents } from './privacyApi'

export const PRIVACY_PAGE_SIZE = 25

export function usePrivacyLog(limit = PRIVACY_PAGE_SIZE) {
  const route = useRoute()
  const router = useRouter()
  const status = ref<Status<PrivacyEventsPage>>({ state: 'idle' })

  const subjectId = computed(() => {
    const s = route.query.subject_id
    return typeof s === 'string' && s ? s : null
  })
  const offset = computed(() => {
    const n = Number(route.query.page ?? 1)
    return (Number.isInteger(n) && n > 0 ? n - 1 : 0) * limit
  })

  /** Shows another page, or another person's events (from their first page); `null` shows everyone's. */
  function show(change: { offset?: number; subjectId?: string | null }): void {
    const subject = 'subjectId' in change ? change.subjectId : subjectId.value
    const page = Math.floor((change.offset ?? 0) / limit) + 1
    void router.push({ query: { subject_id: subject ?? undefined, page: page > 1 ? String(page) : undefined } })
  }

  let latest = 0
  async function load(): Promise<void> {
    const ticket = ++latest
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      const data = await listPrivacyEvents({ subjectId: subjectId.value, limit, offset: offset.value })
      if (ticket === latest) status.value = { state: 'ready', data }
    } catch (e) {
      if (ticket === latest) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  watch([subjectId, offset], load, { immediate: true })
  return { status, subjectId, offset, limit, show, reload: load }
}
