/** Answering one of a run's next actions: the form's values, checks, and the follow-up run. */
import { ref } from 'vue'
import type { NextAction, Run } from '@/api/types'
import { fromApiObject } from '@/api/types'
import { toProblem } from '@/composables/status'
import { initialValues, toJson, validateForm, type FormErrors, type FormValues } from '@/features/forms/formValues'
import { t } from '@/i18n'
import { problemFieldErrors, problemMessage } from '@/i18n/problems'
import { submitAction } from './runsApi'

export function useNextAction(runId: () => string, action: () => NextAction) {
  const values = ref<FormValues>(initialValues(action().fields ?? [], fromApiObject(action().prefill)))
  const errors = ref<FormErrors>({})
  const formError = ref<string | null>(null)
  const stale = ref(false)
  const busy = ref(false)

  /** Starts the follow-up run; null when the form or the server said no. */
  async function submit(): Promise<Run | null> {
    if (busy.value) return null
    const fields = action().fields ?? []
    errors.value = validateForm(fields, values.value)
    formError.value = null
    if (Object.keys(errors.value).length) {
      formError.value = t('common.formHasErrors')
      return null
    }
    busy.value = true
    try {
      return await submitAction(runId(), action().action_id, toJson(fields, values.value))
    } catch (e) {
      const problem = toProblem(e)
      if (problem.code === 'stale_action') {
        stale.value = true
        formError.value = t('runs.staleAction')
        return null
      }
      errors.value = problemFieldErrors(problem, 'input.')
      formError.value = Object.keys(errors.value).length ? t('common.formHasErrors') : problemMessage(problem)
      return null
    } finally {
      busy.value = false
    }
  }

  return { values, errors, formError, stale, busy, submit }
}
