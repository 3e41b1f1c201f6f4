import { describe, expect, it } from 'vitest'
import { filesProblem, formatBytes, limitsText } from './fileRules'

const MB = 1_000_000
const csvOne = { accept: ['.csv'], min: 1, max: 1 }
const many = { accept: [], min: 0, max: 50 }

describe('file limits', () => {
  it('states the limits before anything is chosen', () => {
    expect(limitsText(csvOne)).toEqual(['En fil', 'Filtyper: .csv', 'Högst 20 MB'])
    expect(limitsText({ accept: ['.csv', '.txt'], min: 0, max: 1 })).toEqual(['En fil (valfritt)', 'Filtyper: .csv, .txt', 'Högst 20 MB'])
    // A schema cannot raise the platform's cap of 20 files.
    expect(limitsText(many)).toEqual(['Upp till 20 filer (valfritt)', 'Högst 20 MB per fil och 50 MB totalt'])
    expect(limitsText({ accept: [], min: 2, max: 5 })[0]).toBe('2–5 filer')
  })

  it.each([
    ['no file where one is needed', csvOne, [], 'Välj en fil.'],
    ['a wrong extension', csvOne, [{ name: 'bild.PNG', size: 10 }], '”bild.PNG” har fel filtyp. Verktyget tar: .csv.'],
    ['an upper-case right extension', csvOne, [{ name: 'ELEVER.CSV', size: 10 }], null],
    ['a file over 20 MB', csvOne, [{ name: 'stor.csv', size: 20 * MB + 1 }], '”stor.csv” är större än 20 MB.'],
    ['two files where one is allowed', csvOne, [{ name: 'a.csv', size: 1 }, { name: 'b.csv', size: 1 }], 'Välj bara en fil.'],
    ['21 files', many, Array.from({ length: 21 }, (_, i) => ({ name: `${i}.txt`, size: 1 })), 'Välj högst 20 filer.'],
    ['over 50 MB together', many, [1, 2, 3].map((i) => ({ name: `${i}.bin`, size: 19 * MB })), 'Filerna är tillsammans större än 50 MB.'],
    ['within every limit', many, [1, 2].map((i) => ({ name: `${i}.bin`, size: 19 * MB })), null],
  ])('%s', (_name, rule, files, problem) => {
    expect(filesProblem(rule, files)).toBe(problem)
  })

  it('writes sizes the way the limits are stated', () => {
    expect(formatBytes(81)).toBe('81 B')
    expect(formatBytes(4_900)).toBe('4,9 kB')
    expect(formatBytes(20 * MB)).toBe('20 MB')
  })
})
