/**
 * ⚙ settings of a tool for me (or, in the editor, my sandbox settings of one version): load the
 * saved values into the settings schema's form, check, save. `schema_changed` is surfaced so
 * the user knows why a value went missing.
 */
import { ref } from 'vue'
import type { ActionField, SettingsResponse } from '@/api/types'
import { fromApiObject, type JsonObject } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { initialValues, toJson, validateForm, type FormErrors, type FormValues } from '@/features/forms/formValues'
import { t } from '@/i18n'
import { problemFieldErrors, problemMessage } from '@/i18n/problems'

export interface SettingsEndpoint {
  get: () => Promise<SettingsResponse>
  put: (values: JsonObject) => Promise<SettingsResponse>
}

export function useToolSettings(endpoint: () => SettingsEndpoint, fields: () => readonly ActionField[]) {
  const status = ref<Status<SettingsResponse>>({ state: 'idle' })
  const values = ref<FormValues>({})
  const errors = ref<FormErrors>({})
  const formError = ref<string | null>(null)
  const saving = ref(false)

  async function load(): Promise<void> {
    status.value = { state: 'loading', previous: null }
    errors.value = {}
    formError.value = null
    try {
      const settings = await endpoint().get()
      values.value = initialValues(fields(), fromApiObject(settings.values))
      status.value = { state: 'ready', data: settings }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  async function save(): Promise<SettingsResponse | null> {
    if (saving.value) return null
    errors.value = validateForm(fields(), values.value)
    if (Object.keys(errors.value).length) {
      formError.value = t('common.formHasErrors')
      return null
    }
    saving.value = true
    formError.value = null
    try {
      const saved = await endpoint().put(toJson(fields(), values.value))
      values.value = initialValues(fields(), fromApiObject(saved.values))
      status.value = { state: 'ready', data: saved }
      return saved
    } catch (e) {
      const problem = toProblem(e)
      errors.value = problemFieldErrors(problem, 'values.')
      formError.value = Object.keys(errors.value).length ? t('common.formHasErrors') : problemMessage(problem)
      return null
    } finally {
      saving.value = false
    }
  }

  return { status, values, errors, formError, saving, load, save }
}
