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
    case 'validation_failed':
      return t('problems.validation')
    case 'payload_too_large':
      return t('problems.tooLarge')
    case 'network_error':
      return t('problems.network')
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
  return m
}

/** Field errors of `problem`, translated, keyed by field name. */
export function problemFieldErrors(problem: ApiProblem): Record<string, string> {
  const out: Record<string, string> = {}
  for (const { field, message } of problem.errors) {
    const text = fieldMessage(message)
    out[field] = out[field] ? `${out[field]} ${text}` : text
  }
  return out
}
