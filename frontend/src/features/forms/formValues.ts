/**
 * Values of a schema-driven form (run form, settings, next actions): what each field kind holds
 * while being edited, the checks the API will make (so the user hears about them before
 * sending), and the JSON object the API receives.
 */
import type { ActionField, FieldKind, JsonObject } from '@/api/types'
import { t } from '@/i18n'

/** Numbers are edited as text, so a half-typed "-" or "2," is not lost. */
export type FieldValue = string | boolean | string[]
export type FormValues = Record<string, FieldValue>
export type FormErrors = Record<string, string>

/** What each kind holds while edited; a new kind fails the type-check here. */
const EMPTY: { [K in FieldKind]: () => FieldValue } = {
  string: () => '',
  text: () => '',
  integer: () => '',
  number: () => '',
  boolean: () => false,
  enum: () => '',
  multi_enum: () => [],
}

/** The editable value of `field`, from a saved/prefilled JSON value when it fits. */
export function initialValue(field: ActionField, given: unknown): FieldValue {
  switch (field.kind) {
    case 'string':
    case 'text':
      return typeof given === 'string' ? given : EMPTY[field.kind]()
    case 'integer':
    case 'number':
      return typeof given === 'number' && Number.isFinite(given) ? String(given) : EMPTY[field.kind]()
    case 'boolean':
      return typeof given === 'boolean' ? given : false
    case 'enum':
      return typeof given === 'string' && hasOption(field, given) ? given : ''
    case 'multi_enum':
      return Array.isArray(given) ? given.filter((v): v is string => typeof v === 'string' && hasOption(field, v)) : []
  }
}

export function initialValues(fields: readonly ActionField[], given: JsonObject | null | undefined = {}): FormValues {
  const values: FormValues = {}
  for (const field of fields) values[field.name] = initialValue(field, given?.[field.name])
  return values
}

function hasOption(field: ActionField, value: string): boolean {
  return (field.options ?? []).some((option) => option.value === value)
}

/** "3,5" is how Swedes write 3.5. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim().replace(',', '.')
  if (trimmed === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return null
  const n = Number(trimmed)
  return Number.isFinite(n) ? n : null
}

function isEmpty(value: FieldValue | undefined): boolean {
  if (value === undefined) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  return false
}

/** The problem with one value, in Swedish, or null. Mirrors the API's `validate_fields`. */
export function validateField(field: ActionField, value: FieldValue | undefined): string | null {
  if (field.kind === 'boolean') return null
  if (isEmpty(value)) return field.required ? t('forms.required') : null
  switch (field.kind) {
    case 'string':
    case 'text': {
      const length = [...String(value)].length
      if (isSet(field.max_length) && length > field.max_length) return t('forms.maxLength', { max: field.max_length })
      return null
    }
    case 'integer':
    case 'number': {
      const n = parseNumber(String(value))
      if (n === null) return t(field.kind === 'integer' ? 'forms.integer' : 'forms.number')
      if (field.kind === 'integer' && !Number.isInteger(n)) return t('forms.integer')
      if (isSet(field.min) && n < field.min) return t('forms.min', { min: formatNumber(field.min) })
      if (isSet(field.max) && n > field.max) return t('forms.max', { max: formatNumber(field.max) })
      return null
    }
    case 'enum':
      return hasOption(field, String(value)) ? null : t('forms.option')
    case 'multi_enum':
      return (value as string[]).every((v) => hasOption(field, v)) ? null : t('forms.option')
  }
}

export function validateForm(fields: readonly ActionField[], values: FormValues): FormErrors {
  const errors: FormErrors = {}
  for (const field of fields) {
    const problem = validateField(field, values[field.name])
    if (problem) errors[field.name] = problem
  }
  return errors
}

/** The JSON object for the API: empty optional fields are left out, numbers are numbers. */
export function toJson(fields: readonly ActionField[], values: FormValues): JsonObject {
  const out: JsonObject = {}
  for (const field of fields) {
    const value = values[field.name]
    if (field.kind === 'boolean') {
      out[field.name] = value === true
      continue
    }
    if (isEmpty(value)) continue
    if (field.kind === 'integer' || field.kind === 'number') out[field.name] = parseNumber(String(value))
    else out[field.name] = value
  }
  return out
}

/** A bound or limit that is set (the API sends `null` or leaves it out). */
function isSet(n: number | null | undefined): n is number {
  return n !== null && n !== undefined
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 6 }).format(n)
}

/** A short description of a field's limits for its hint line ("Mellan 2 och 10."). */
export function constraintHint(field: ActionField): string | null {
  if (field.kind === 'integer' || field.kind === 'number') {
    const { min, max } = field
    if (isSet(min) && isSet(max)) return t('forms.hintBetween', { min: formatNumber(min), max: formatNumber(max) })
    if (isSet(min)) return t('forms.hintMin', { min: formatNumber(min) })
    if (isSet(max)) return t('forms.hintMax', { max: formatNumber(max) })
  }
  if ((field.kind === 'string' || field.kind === 'text') && isSet(field.max_length)) {
    return t('forms.hintMaxLength', { max: field.max_length })
  }
  return null
}
