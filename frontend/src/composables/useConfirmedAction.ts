/**
 * The state of a confirmation dialog that acts: busy while the call runs, the refusal in
 * Swedish inside the dialog, closed (and `done` told) once it succeeded. A fresh opening
 * forgets the last refusal.
 */
import { ref, watch, type Ref } from 'vue'
import { toProblem } from '@/composables/status'
import { problemMessage } from '@/i18n/problems'

export function useConfirmedAction<T>(open: Ref<boolean>, action: () => Promise<T>, done: (result: T) => void) {
  const busy = ref(false)
  const error = ref<string | null>(null)

  watch(open, (isOpen) => {
    if (isOpen) error.value = null
  })

  async function confirm(): Promise<void> {
    if (busy.value) return
    busy.value = true
    error.value = null
    try {
      const result = await action()
      open.value = false
      done(result)
    } catch (e) {
      error.value = problemMessage(toProblem(e))
    } finally {
      busy.value = false
    }
  }

  return { busy, error, confirm }
}
