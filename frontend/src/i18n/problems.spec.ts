import { describe, expect, it } from 'vitest'
import { ApiProblem } from '@/api/problem'
import { fieldMessage, problemMessage } from './problems'

function problem(code: string, status: number, retryAfter: number | null = null): ApiProblem {
  return new ApiProblem({ type: 'x', title: 'x', status, code, detail: `server says ${code}` }, retryAfter)
}

describe('fieldMessage', () => {
  it.each([
    ['must be a valid email address', 'Ange en giltig e-postadress.'],
    ['must be between 8 and 1024 characters', 'Måste vara minst 8 tecken.'],
    ['must be between 1 and 100 characters', 'Fyll i fältet (högst 100 tecken).'],
    ['must be between 3 and 20 characters', 'Måste vara mellan 3 och 20 tecken.'],
    ['must be at least 8 characters', 'Måste vara minst 8 tecken.'],
    ['must be at most 320 characters', 'Får vara högst 320 tecken.'],
    ['must be at most 16 KiB', 'Får vara högst 16 KiB.'],
    ['is not valid (slug)', 'is not valid (slug)'],
  ])('%s → %s', (input, expected) => {
    expect(fieldMessage(input)).toBe(expected)
  })
})

describe('problemMessage', () => {
  it('rounds a lockout up to whole minutes', () => {
    expect(problemMessage(problem('too_many_attempts', 429, 900))).toContain('om 15 minuter')
    expect(problemMessage(problem('too_many_attempts', 429, 61))).toContain('om 2 minuter')
    expect(problemMessage(problem('too_many_attempts', 429, null))).toContain('Vänta en stund')
  })

  it('explains a full quota, a full disk and expired files in Swedish', () => {
    expect(problemMessage(problem('storage_quota_exceeded', 413))).toContain('lagringsutrymme')
    expect(problemMessage(problem('storage_full', 503, 60))).toContain('diskutrymme')
    expect(problemMessage(problem('storage_full', 503, 60))).not.toContain('Något gick fel')
    expect(problemMessage(problem('files_not_kept', 409))).toContain('finns inte kvar')
  })

  it('keeps server details out of 5xx messages', () => {
    expect(problemMessage(problem('internal_error', 500))).not.toContain('server says')
  })

  it('falls back to the server detail for unknown 4xx codes', () => {
    expect(problemMessage(problem('teapot', 418))).toBe('server says teapot')
  })
})

describe('privacy and class mode', () => {
  it('says why an admin cannot erase their own account, and translates the batch refusals', () => {
    expect(problemMessage(problem('cannot_erase_self', 409))).toBe('Du kan inte radera ditt eget konto. Be en annan administratör.')
    expect(fieldMessage('this tool does not take one file at a time, so it cannot run per file')).toBe(
      'Verktyget tar inte en fil i taget och kan inte köras en gång per fil.',
    )
    expect(fieldMessage('choose at least one file; each file gets its own run')).toBe('Välj minst en fil. Varje fil körs för sig.')
  })
})
