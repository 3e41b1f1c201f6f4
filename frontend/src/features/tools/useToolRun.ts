/**
 * The run form of a tool (KÖR) or of a version in the editor (TESTKÖR): chosen files (or files
 * reused from an earlier run), the input fields' values, checks before sending (the same limits
 * the API enforces), and the start of the run. Server field errors land at their fields.
 * In class mode (`perFile`) the files are many, each the one file of its own run.
 */
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ApiProblem } from '@/api/problem'
import type { InputSchema, JsonObject } from '@/api/types'
import { toProblem } from '@/composables/status'
import { BATCH_LIMITS, filesProblem, formatBytes, perFileRule, UPLOAD_LIMITS } from '@/features/forms/fileRules'
import { initialValues, toJson, validateForm, type FormErrors, type FormValues } from '@/features/forms/formValues'
import type { RunRequest } from '@/features/runs/runsApi'
import { t } from '@/i18n'
import { problemFieldErrors, problemMessage } from '@/i18n/problems'

export interface ReusedFiles {
  runId: string
  files: readonly { name: string; bytes: number }[]
}

export function useToolRun<Started>(
  schema: MaybeRefOrGetter<InputSchema | null | undefined>,
  start: (request: RunRequest) => Promise<Started>,
  perFile: MaybeRefOrGetter<boolean> = false,
) {
  const fields = computed(() => toValue(schema)?.fields ?? [])
  const fileRule = computed(() => {
    const rule = toValue(schema)?.files ?? null
    return rule && toValue(perFile) ? perFileRule(rule) : rule
  })
  const limits = computed(() => (toValue(perFile) ? BATCH_LIMITS : UPLOAD_LIMITS))
  const files = ref<File[]>([])
  const reused = ref<ReusedFiles | null>(null)
  const values = ref<FormValues>(initialValues(fields.value))
  const errors = ref<FormErrors>({})
  const filesError = ref<string | null>(null)
  const formError = ref<string | null>(null)
  const busy = ref(false)

  /** The last refusal, for callers that show more than field errors (the editor's `source`). */
  const problem = ref<ApiProblem | null>(null)

  // A changed schema (the editor's buffer) keeps the values whose field is still of that shape.
  watch(fields, (next) => {
    const old = values.value
    const fresh = initialValues(next)
    for (const field of next) {
      const value = old[field.name]
      if (value !== undefined && typeof value === typeof fresh[field.name] && Array.isArray(value) === Array.isArray(fresh[field.name])) {
        fresh[field.name] = value
      }
    }
    values.value = fresh
  })

  // Class mode uploads every file: files reused by reference go with a single run only.
  watch(
    () => toValue(perFile),
    (many) => {
      if (many) reused.value = null
    },
  )

  // Once a problem with the files is shown, it follows the user's corrections.
  watch([files, reused, fileRule], () => {
    if (!filesError.value) return
    const rule = fileRule.value
    filesError.value = rule && !reused.value ? filesProblem(rule, files.value, limits.value) : null
    if (!filesError.value && Object.keys(errors.value).length === 0) formError.value = null
  })

  /** Prefills from an earlier run: its inputs, and its files by reference. */
  function prefill(inputs: JsonObject, reuse: ReusedFiles | null): void {
    values.value = initialValues(fields.value, inputs)
    reused.value = reuse && reuse.files.length ? reuse : null
    files.value = []
  }

  function check(): boolean {
    errors.value = validateForm(fields.value, values.value)
    const rule = fileRule.value
    filesError.value = rule && !reused.value ? filesProblem(rule, files.value, limits.value) : null
    if (!rule && files.value.length) filesError.value = t('files.none')
    const ok = !filesError.value && Object.keys(errors.value).length === 0
    formError.value = ok ? null : t('common.formHasErrors')
    return ok
  }

  async function submit(): Promise<Started | null> {
    if (busy.value || !check()) return null
    busy.value = true
    problem.value = null
    try {
      return await start({
        files: reused.value ? [] : files.value,
        inputs: toJson(fields.value, values.value),
        reuseFilesFrom: reused.value?.runId ?? null,
      })
    } catch (e) {
      const refused = toProblem(e)
      problem.value = refused
      const byField = problemFieldErrors(refused, 'inputs.')
      filesError.value = byField.files ?? byField.reuse_files_from ?? null
      if (refused.code === 'payload_too_large') {
        const { maxFileBytes, maxTotalBytes } = limits.value
        filesError.value = t('files.serverTooLarge', { file: formatBytes(maxFileBytes), total: formatBytes(maxTotalBytes) })
      }
      delete byField.files
      delete byField.reuse_files_from
      errors.value = byField
      const fieldProblems = Boolean(filesError.value) || Object.keys(byField).some((k) => fields.value.some((f) => f.name === k))
      formError.value = fieldProblems ? t('common.formHasErrors') : problemMessage(refused)
      return null
    } finally {
      busy.value = false
    }
  }

  return { fields, fileRule, limits, files, reused, values, errors, filesError, formError, problem, busy, prefill, submit }
}
