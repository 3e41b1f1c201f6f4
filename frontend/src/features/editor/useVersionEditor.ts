/**
 * The editor of one version: the buffer (source, entrypoint, schemas as JSON text, change
 * summary, usage instructions), whether it differs from what was saved, saving with the revision it was loaded at
 * (412 → a conflict the user resolves: reload theirs, or keep mine and overwrite), field errors
 * from the API at their place, submitting for review, and the content a sandbox run carries.
 */
import { computed, reactive, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ApiProblem } from '@/api/problem'
import type { JsonObject, Version } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { transition } from '@/features/authoring/authoringApi'
import type { SandboxContent } from '@/features/runs/runsApi'
import { t } from '@/i18n'
import { fieldMessage, problemMessage } from '@/i18n/problems'
import { getVersion, saveVersion, type DraftContent } from './editorApi'

export interface Buffer {
  source: string
  entrypoint: string
  inputSchema: string
  settingsSchema: string
  changeSummary: string
  usageInstructions: string
}

export interface PathError {
  path: string
  message: string
}

export interface EditorErrors {
  source: string | null
  entrypoint: string | null
  changeSummary: string | null
  usageInstructions: string | null
  inputSchema: PathError[]
  settingsSchema: PathError[]
  other: string[]
}

const NO_ERRORS = (): EditorErrors => ({
  source: null,
  entrypoint: null,
  changeSummary: null,
  usageInstructions: null,
  inputSchema: [],
  settingsSchema: [],
  other: [],
})

function schemaText(schema: unknown): string {
  return schema ? JSON.stringify(schema, null, 2) : ''
}

function bufferOf(version: Version): Buffer {
  return {
    source: version.source,
    entrypoint: version.entrypoint,
    inputSchema: schemaText(version.input_schema),
    settingsSchema: schemaText(version.settings_schema),
    changeSummary: version.change_summary,
    usageInstructions: version.usage_instructions,
  }
}

/** Empty text is "no schema"; anything else must be a JSON object. */
export function parseSchema(text: string): { value: JsonObject | null; error: string | null } {
  if (!text.trim()) return { value: null, error: null }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { value: null, error: t('editor.jsonNotObject') }
    return { value: value as JsonObject, error: null }
  } catch (e) {
    return { value: null, error: e instanceof Error ? e.message : String(e) }
  }
}

/** "line 3, column 5" in a syntax error, for "go to line". */
export function errorLocation(message: string | null): { line: number; column: number } | null {
  const match = /(?:line|rad) (\d+)(?:, (?:column|kolumn) (\d+))?/i.exec(message ?? '')
  return match ? { line: Number(match[1]), column: Number(match[2] ?? 1) } : null
}

export function useVersionEditor(versionId: MaybeRefOrGetter<string>) {
  const status = ref<Status<Version>>({ state: 'idle' })
  const buffer = reactive<Buffer>({ source: '', entrypoint: 'run_tool', inputSchema: '', settingsSchema: '', changeSummary: '', usageInstructions: '' })
  const saved = ref<Buffer | null>(null)
  const revision = ref(0)
  const errors = ref<EditorErrors>(NO_ERRORS())
  const conflict = ref(false)
  const notice = ref<string | null>(null)
  const saving = ref(false)
  const submitting = ref(false)

  const version = computed(() => (status.value.state === 'ready' ? status.value.data : null))
  const editable = computed(() => version.value?.state === 'draft')
  const dirty = computed(() => {
    const s = saved.value
    if (!s) return false
    return (Object.keys(s) as (keyof Buffer)[]).some((k) => s[k] !== buffer[k])
  })
  const inputSchema = computed(() => parseSchema(buffer.inputSchema))
  const settingsSchema = computed(() => parseSchema(buffer.settingsSchema))
  const jsonValid = computed(() => !inputSchema.value.error && !settingsSchema.value.error)

  function adopt(loaded: Version, resetBuffer: boolean): void {
    status.value = { state: 'ready', data: loaded }
    revision.value = loaded.revision
    const fresh = bufferOf(loaded)
    saved.value = fresh
    if (resetBuffer) Object.assign(buffer, fresh)
  }

  async function load(): Promise<void> {
    status.value = { state: 'loading', previous: null }
    errors.value = NO_ERRORS()
    conflict.value = false
    notice.value = null
    try {
      adopt(await getVersion(toValue(versionId)), true)
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  /** Puts the API's field errors where they belong (source, schemas by path, …). */
  function applyProblem(problem: ApiProblem): void {
    const next = NO_ERRORS()
    for (const { field, message } of problem.errors) {
      const text = fieldMessage(message)
      if (field === 'source') next.source = text
      else if (field === 'entrypoint') next.entrypoint = text
      else if (field === 'change_summary') next.changeSummary = text
      else if (field === 'usage_instructions') next.usageInstructions = text
      else if (field.startsWith('input_schema')) next.inputSchema.push({ path: field.slice('input_schema'.length).replace(/^\./, ''), message: text })
      else if (field.startsWith('settings_schema')) next.settingsSchema.push({ path: field.slice('settings_schema'.length).replace(/^\./, ''), message: text })
      else next.other.push(`${field}: ${text}`)
    }
    errors.value = next
    if (!problem.errors.length) notice.value = problemMessage(problem)
  }

  function clearErrors(): void {
    errors.value = NO_ERRORS()
    notice.value = null
  }

  function content(): DraftContent {
    return {
      source: buffer.source,
      entrypoint: buffer.entrypoint.trim() || 'run_tool',
      inputSchema: inputSchema.value.value,
      settingsSchema: settingsSchema.value.value,
      changeSummary: buffer.changeSummary,
      usageInstructions: buffer.usageInstructions,
    }
  }

  /** Saves the buffer; false when it was refused (the reason is on the page). */
  async function save(): Promise<boolean> {
    if (saving.value || !version.value) return false
    clearErrors()
    if (!jsonValid.value) {
      notice.value = t('editor.fixJson')
      return false
    }
    saving.value = true
    const sent = { ...buffer }
    try {
      const result = await saveVersion(version.value.id, content(), revision.value)
      status.value = { state: 'ready', data: result }
      revision.value = result.revision
      saved.value = sent
      conflict.value = false
      return true
    } catch (e) {
      const problem = toProblem(e)
      if (problem.code === 'edit_conflict' || problem.status === 412) conflict.value = true
      else if (problem.code === 'wrong_state') notice.value = t('editor.notDraft')
      else applyProblem(problem)
      return false
    } finally {
      saving.value = false
    }
  }

  /** Conflict: keep my buffer and save it over the newer revision. */
  async function overwrite(): Promise<boolean> {
    try {
      const latest = await getVersion(toValue(versionId))
      revision.value = latest.revision
      status.value = { state: 'ready', data: latest }
    } catch (e) {
      notice.value = problemMessage(toProblem(e))
      return false
    }
    conflict.value = false
    return save()
  }

  /** Saves when needed, then sends the draft for review. */
  async function submitForReview(): Promise<boolean> {
    if (!version.value || submitting.value) return false
    if (dirty.value && !(await save())) return false
    submitting.value = true
    try {
      adopt(await transition(version.value.id, 'submit-review'), true)
      return true
    } catch (e) {
      notice.value = problemMessage(toProblem(e))
      return false
    } finally {
      submitting.value = false
    }
  }

  /** What a TESTKÖR sends: the buffer as it is now, saved or not. */
  function sandboxContent(): SandboxContent {
    const c = content()
    return { source: c.source, entrypoint: c.entrypoint, inputSchema: c.inputSchema, settingsSchema: c.settingsSchema }
  }

  watch(() => toValue(versionId), load, { immediate: true })

  return {
    status,
    version,
    buffer,
    dirty,
    editable,
    errors,
    conflict,
    notice,
    saving,
    submitting,
    inputSchema,
    settingsSchema,
    jsonValid,
    load,
    save,
    overwrite,
    submitForReview,
    sandboxContent,
    applyProblem,
    clearErrors,
  }
}
