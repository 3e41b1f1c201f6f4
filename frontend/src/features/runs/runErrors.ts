/**
 * Why a run did not simply succeed, in Swedish: each `error_code` of the API (with its
 * `error_params`) becomes a title, what happened and what to do next, and a short line for
 * lists. The map is exhaustive over `ErrorCode`, so a new code fails the type-check until it
 * has its words. The English `error_summary` is never shown here; authors see it separately.
 */
import type { ErrorCode, ErrorParams, FileCap, RunStatus } from '@/api/types'
import { t, tc } from '@/i18n'

export interface RunExplanation {
  code: ErrorCode | null
  /** `danger` for failures; `warning` when the run finished but lost something. */
  tone: 'danger' | 'warning'
  title: string
  /** What happened and what to do next. */
  body: string
  /** For `tool_error`: the tool's own message for the user (the author's words). */
  toolMessage: string | null
  /** A few words for lists (Mina körningar). */
  short: string
}

const isNumber = (value: number | null | undefined): value is number => typeof value === 'number'

type Words = (p: ErrorParams) => { title: string; body: string; short: string; tone?: 'warning' }

const CAP: { [C in FileCap]: (p: ErrorParams) => string } = {
  file_count: (p) => (isNumber(p.limit) ? t('runErrors.output_cut.capFileCount', { limit: p.limit }) : ''),
  file_size: (p) => (isNumber(p.mib) ? t('runErrors.output_cut.capFileSize', { mib: p.mib }) : ''),
  total_size: (p) => (isNumber(p.mib) ? t('runErrors.output_cut.capTotalSize', { mib: p.mib }) : ''),
  sparse: () => t('runErrors.output_cut.capSparse'),
  name: () => t('runErrors.output_cut.capName'),
  unreadable: () => t('runErrors.output_cut.capUnreadable'),
}

function outputCutBody(p: ErrorParams): string {
  const parts: string[] = []
  if (p.files) parts.push(tc('runErrors.output_cut.files', p.files))
  if (p.cap) parts.push(CAP[p.cap](p))
  if (p.shortened) parts.push(t('runErrors.output_cut.shortened'))
  parts.push(t('runErrors.output_cut.next'))
  return parts.filter(Boolean).join(' ')
}

export const RUN_ERRORS: { [C in ErrorCode]: Words } = {
  timed_out: (p) => ({
    title: t('runErrors.timed_out.title'),
    body: isNumber(p.seconds) ? t('runErrors.timed_out.body', { seconds: p.seconds }) : t('runErrors.timed_out.bodyNoLimit'),
    short: isNumber(p.seconds) ? t('runErrors.timed_out.short', { seconds: p.seconds }) : t('runErrors.timed_out.shortNoLimit'),
  }),
  out_of_memory: (p) => ({
    title: t('runErrors.out_of_memory.title'),
    body: isNumber(p.mib) ? t('runErrors.out_of_memory.body', { mib: p.mib }) : t('runErrors.out_of_memory.bodyNoLimit'),
    short: t('runErrors.out_of_memory.short'),
  }),
  input_too_large: (p) => ({
    title: t('runErrors.input_too_large.title'),
    body: isNumber(p.mib) ? t('runErrors.input_too_large.body', { mib: p.mib }) : t('runErrors.input_too_large.bodyNoLimit'),
    short: t('runErrors.input_too_large.short'),
  }),
  tool_error: () => ({
    title: t('runErrors.tool_error.title'),
    body: t('runErrors.tool_error.body'),
    short: t('runErrors.tool_error.short'),
  }),
  tool_crashed: () => ({
    title: t('runErrors.tool_crashed.title'),
    body: t('runErrors.tool_crashed.body'),
    short: t('runErrors.tool_crashed.short'),
  }),
  invalid_result: () => ({
    title: t('runErrors.invalid_result.title'),
    body: t('runErrors.invalid_result.body'),
    short: t('runErrors.invalid_result.short'),
  }),
  output_cut: (p) => ({
    title: t('runErrors.output_cut.title'),
    body: outputCutBody(p),
    short: t('runErrors.output_cut.short'),
    tone: 'warning',
  }),
  files_not_kept: (p) => ({
    title: t('runErrors.files_not_kept.title'),
    body: p.file ? t('runErrors.files_not_kept.body', { file: p.file }) : t('runErrors.files_not_kept.bodyNoFile'),
    short: t('runErrors.files_not_kept.short'),
  }),
  cancelled: () => ({
    title: t('runErrors.cancelled.title'),
    body: t('runErrors.cancelled.body'),
    short: t('runErrors.cancelled.short'),
    tone: 'warning',
  }),
  engine_unavailable: () => ({
    title: t('runErrors.engine_unavailable.title'),
    body: t('runErrors.engine_unavailable.body'),
    short: t('runErrors.engine_unavailable.short'),
  }),
  interrupted: () => ({
    title: t('runErrors.interrupted.title'),
    body: t('runErrors.interrupted.body'),
    short: t('runErrors.interrupted.short'),
  }),
  internal_error: () => ({
    title: t('runErrors.internal_error.title'),
    body: t('runErrors.internal_error.body'),
    short: t('runErrors.internal_error.short'),
  }),
}

/** Every code the SPA knows, from the exhaustive map (for specs and docs). */
export const ERROR_CODES = Object.keys(RUN_ERRORS) as ErrorCode[]

/** What ended a run without a code (runs from before codes existed), by its status. */
const LEGACY: Partial<Record<RunStatus, ErrorCode>> = { timed_out: 'timed_out', cancelled: 'cancelled' }

/**
 * The explanation of a finished run, or `null` when there is nothing to explain (it succeeded
 * in full, or it is still going).
 */
export function explainRun(run: {
  status: RunStatus
  error_code?: ErrorCode | null
  error_params?: ErrorParams | null
}): RunExplanation | null {
  const params = run.error_params ?? {}
  const code = run.error_code ?? LEGACY[run.status] ?? null
  if (code) {
    const words = RUN_ERRORS[code](params)
    const toolMessage = code === 'tool_error' ? (params.message ?? null) : null
    return { code, tone: words.tone ?? 'danger', title: words.title, body: words.body, short: words.short, toolMessage }
  }
  if (run.status !== 'failed') return null
  return {
    code: null,
    tone: 'danger',
    title: t('runErrors.unknown.title'),
    body: t('runErrors.unknown.body'),
    short: t('runErrors.unknown.short'),
    toolMessage: null,
  }
}

/** The wrapper's "[… output truncated after N bytes]" marker, in Swedish for the log view. */
export function swedishLog(text: string): string {
  return text.replace(/\[… output truncated after (\d+) bytes\]/g, (_, bytes: string) =>
    t('runs.logTruncated', { bytes: new Intl.NumberFormat('sv-SE').format(Number(bytes)) }),
  )
}

/** Notices Skriptoteket itself appended to a result (English details for authors). */
export const SYSTEM_NOTICE_PREFIX = 'Skriptoteket: '
