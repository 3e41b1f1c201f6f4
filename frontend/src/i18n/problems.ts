/** Swedish messages for API problems and for the backend's (English) field messages. */
import type { ApiProblem } from '@/api/problem'
import { t, tc } from './index'

/** A sentence for the user about `problem`; falls back to the server's `detail`. */
export function problemMessage(problem: ApiProblem): string {
  switch (problem.code) {
    case 'invalid_credentials':
      return t('login.invalidCredentials')
    case 'too_many_attempts':
      return problem.retryAfterSeconds === null
        ? t('login.lockedNoTime')
        : t('login.locked', { minutes: tc('minutes', Math.max(1, Math.ceil(problem.retryAfterSeconds / 60))) })
    case 'account_disabled':
      return t('login.disabled')
    case 'unauthenticated':
    case 'session_expired':
    case 'invalid_token':
      return t('login.sessionExpired')
    case 'csrf_failed':
      return t('problems.csrf')
    case 'forbidden':
      return t('problems.forbidden')
    case 'not_found':
      return t('problems.notFound')
    case 'already_exists':
      return t('problems.alreadyExists')
    case 'cannot_change_self':
      return t('problems.cannotChangeSelf')
    case 'cannot_erase_self':
      return t('problems.cannotEraseSelf')
    case 'validation_failed':
      return t('problems.validation')
    case 'payload_too_large':
      return t('problems.tooLarge')
    case 'network_error':
      return t('problems.network')
    case 'stale_action':
      return t('runs.staleAction')
    case 'queue_full':
      return t('problems.queueFull')
    case 'storage_quota_exceeded':
      return t('problems.storageQuota')
    case 'storage_full':
      return t('problems.storageFull')
    case 'files_not_kept':
      return t('problems.filesNotKept')
    case 'edit_conflict':
      return t('editor.conflictBody')
    case 'wrong_state':
      return t('problems.wrongState')
    case 'slug_taken':
      return t('problems.slugTaken')
    case 'last_maintainer':
      return t('problems.lastMaintainer')
    case 'not_publishable':
      return t('problems.notPublishable')
    case 'no_settings':
      return t('problems.noSettings')
    case 'not_a_maintainer':
      return t('problems.notMaintainer')
    case 'too_many_runs':
      return t('problems.tooManyRuns')
    case 'files_not_kept':
      return t('rerun.filesGone')
    case 'tool_not_published':
      return t('rerun.toolGone')
    case 'run_not_finished':
      return t('rerun.notFinished')
  }
  if (problem.status >= 500) return t('problems.server')
  return problem.detail || t('problems.generic')
}

/**
 * The backend's validator messages are English sentences without a code; translate the shapes
 * it produces today and show anything else as sent.
 */
export function fieldMessage(message: string): string {
  const m = message.trim()
  if (/valid email/i.test(m)) return t('fieldMessages.email')
  let match = /^must be between (\d+) and (\d+) characters$/i.exec(m)
  if (match) {
    const [min, max] = [Number(match[1]), Number(match[2])]
    if (min <= 1) return t('fieldMessages.maxLengthRequired', { max })
    // A far-away maximum (passwords: 1024) is a guard rail, not advice: mention the minimum.
    if (max >= 256) return t('fieldMessages.minLength', { min })
    return t('fieldMessages.between', { min, max })
  }
  match = /^must be at least (\d+) characters$/i.exec(m)
  if (match) return t('fieldMessages.minLength', { min: match[1] ?? '' })
  match = /^must be at most (\d+) characters$/i.exec(m)
  if (match) return t('fieldMessages.maxLength', { max: match[1] ?? '' })
  match = /^must be at most (\d+) KiB$/i.exec(m)
  if (match) return t('fieldMessages.maxKib', { max: match[1] ?? '' })
  match = /^Syntax error at line (\d+), column (\d+): (.*)$/is.exec(m)
  if (match) return t('fieldMessages.syntax', { line: match[1] ?? '', column: match[2] ?? '', message: match[3] ?? '' })
  if (/^no account has that email$/i.test(m)) return t('fieldMessages.noSuchAccount')
  if (/^maintainers must be contributors or above$/i.test(m)) return t('fieldMessages.maintainerRole')
  // The schema checks of the editor (domain `InputSchema::check`, `check_content`).
  if (/^must be letters, digits and _, not starting with a digit$/i.test(m)) return t('fieldMessages.identifier')
  if (/^must not be empty$/i.test(m)) return t('fieldMessages.notEmpty')
  match = /^`(.+)` is used twice$/.exec(m)
  if (match) return t('fieldMessages.usedTwice', { name: match[1] ?? '' })
  match = /^must be between 1 and (\d+)$/i.exec(m)
  if (match) return t('fieldMessages.filesMax', { max: match[1] ?? '' })
  if (/^must not be larger than max$/i.test(m)) return t('fieldMessages.minNotAboveMax')
  if (/^must look like \.csv/i.test(m)) return t('fieldMessages.extension')
  if (/^must be a Python function name$/i.test(m)) return t('fieldMessages.functionName')
  if (/^an enum field needs at least one option$/i.test(m)) return t('fieldMessages.needsOptions')
  if (/^option values must be distinct$/i.test(m)) return t('fieldMessages.optionsDistinct')
  // The form validator of runs, settings and next actions (domain `validate_fields`).
  if (/^is required$/i.test(m)) return t('forms.required')
  match = /^must be at least (-?[\d.]+)$/i.exec(m)
  if (match) return t('forms.min', { min: match[1] ?? '' })
  match = /^must be at most (-?[\d.]+)$/i.exec(m)
  if (match) return t('forms.max', { max: match[1] ?? '' })
  if (/^must be a whole number$/i.test(m)) return t('forms.integer')
  if (/^must be a number$/i.test(m)) return t('forms.number')
  if (/^must be (one of|a list of) the offered options$/i.test(m)) return t('forms.option')
  if (/^is not a field of this form$/i.test(m)) return t('forms.unknownField')
  match = /^this tool takes at most (\d+) file/i.exec(m)
  if (match) return Number(match[1]) === 1 ? t('files.tooManyOne') : t('files.tooMany', { max: match[1] ?? '' })
  if (/^this tool takes no files$/i.test(m)) return t('files.none')
  // Class mode (`POST /api/tools/{slug}/batch`).
  if (/^choose at least one file; each file gets its own run$/i.test(m)) return t('fieldMessages.batchNoFiles')
  if (/^this tool does not take one file at a time/i.test(m)) return t('fieldMessages.notPerFile')
  match = /^this tool needs at least (\d+) file/i.exec(m)
  if (match) return Number(match[1]) === 1 ? t('files.needOne') : t('files.needMin', { min: match[1] ?? '' })
  match = /^“(.+)” is not an accepted file type \(accepted: (.*)\)$/.exec(m)
  if (match) return t('files.wrongType', { name: match[1] ?? '', accept: match[2] ?? '' })
  return m
}

/**
 * Field errors of `problem`, translated, keyed by field name. With `prefix` (`inputs.`,
 * `input.`), errors under it are keyed by the rest (`inputs.klass` → `klass`); the others keep
 * their full name.
 */
export function problemFieldErrors(problem: ApiProblem, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const { field, message } of problem.errors) {
    const key = prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field
    const text = fieldMessage(message)
    out[key] = out[key] ? `${out[key]} ${text}` : text
  }
  return out
}
