import { describe, expect, it } from 'vitest'
import { field } from '@/test/fixtures'
import { initialValues, toJson, validateField, validateForm } from './formValues'
import { FIELD_RENDERERS } from './fieldRenderers'

const size = field({ name: 'size', kind: 'integer', label: 'Storlek', required: true, min: 2, max: 10 })
const score = field({ name: 'score', kind: 'number', min: 0, max: 5.5 })
const klass = field({ name: 'klass', kind: 'string', required: true, max_length: 3 })
const notes = field({ name: 'notes', kind: 'text' })
const ok = field({ name: 'ok', kind: 'boolean' })
const grade = field({ name: 'grade', kind: 'enum', options: [{ value: 'A', label: 'A' }, { value: 'B', label: 'B' }] })
const tags = field({ name: 'tags', kind: 'multi_enum', required: true, options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }] })
const all = [size, score, klass, notes, ok, grade, tags]

describe('form values', () => {
  it('has a renderer for every field kind', () => {
    expect(Object.keys(FIELD_RENDERERS).sort()).toEqual(['boolean', 'enum', 'integer', 'multi_enum', 'number', 'string', 'text'])
  })

  it('starts from saved or prefilled values where they fit, and empty values elsewhere', () => {
    expect(initialValues(all, { size: 3, klass: '7B', ok: true, grade: 'C', tags: ['x', 'nope'], score: 'x' })).toEqual({
      size: '3',
      score: '',
      klass: '7B',
      notes: '',
      ok: true,
      grade: '',
      tags: ['x'],
    })
  })

  it.each([
    [size, '', 'Fyll i fältet.'],
    [size, '1', 'Måste vara minst 2.'],
    [size, '11', 'Får vara högst 10.'],
    [size, '2.5', 'Ange ett heltal.'],
    [size, 'tre', 'Ange ett heltal.'],
    [size, '4', null],
    [score, '5,5', null],
    [score, '5,6', 'Får vara högst 5,5.'],
    [score, '', null],
    [klass, '  ', 'Fyll i fältet.'],
    [klass, '7B12', 'Högst 3 tecken.'],
    [grade, 'C', 'Välj ett av alternativen.'],
    [grade, '', null],
    [tags, [], 'Fyll i fältet.'],
    [tags, ['y'], null],
    [ok, false, null],
  ] as const)('checks %o = %o → %s', (f, value, message) => {
    expect(validateField(f, value as never)).toBe(message)
  })

  it('collects the problems of a whole form by field name', () => {
    const values = initialValues(all)
    expect(Object.keys(validateForm(all, values))).toEqual(['size', 'klass', 'tags'])
  })

  it('sends numbers as numbers, booleans always, and leaves empty optional fields out', () => {
    const values = { ...initialValues(all), size: '4', score: '2,5', klass: '7B', tags: ['y'] }
    expect(toJson(all, values)).toEqual({ size: 4, score: 2.5, klass: '7B', ok: false, tags: ['y'] })
  })
})
