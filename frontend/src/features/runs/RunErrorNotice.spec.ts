import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { ErrorCode, ErrorParams, RunStatus } from '@/api/types'
import { makeRun } from '@/test/fixtures'
import RunErrorNotice from './RunErrorNotice.vue'
import { ERROR_CODES, explainRun, swedishLog } from './runErrors'

/** Parameters as the API sends them for each code (the backend's `RunError` constructors). */
const PARAMS: { [C in ErrorCode]: ErrorParams } = {
  timed_out: { seconds: 120 },
  out_of_memory: { mib: 1024 },
  input_too_large: { mib: 512 },
  tool_error: { message: 'Filen saknar kolumnen Betyg.' },
  tool_crashed: {},
  invalid_result: {},
  output_cut: { files: 3, cap: 'file_size', mib: 50, shortened: true },
  files_not_kept: { file: 'elever.csv' },
  cancelled: {},
  engine_unavailable: {},
  interrupted: {},
  internal_error: {},
}

const STATUS: { [C in ErrorCode]: RunStatus } = {
  ...(Object.fromEntries(ERROR_CODES.map((c) => [c, 'failed'])) as Record<ErrorCode, RunStatus>),
  timed_out: 'timed_out',
  cancelled: 'cancelled',
  output_cut: 'succeeded',
}

/** The English error_summary the API keeps for integrators; never on a teacher's screen. */
const ENGLISH_SUMMARY = 'The tool crashed: KeyError: Betyg (see the traceback on stderr)'

/**
 * English words that would give an English sentence away. Whole words only, so Swedish words
 * that merely start the same ("resultat", "filen", "minne") pass.
 */
const ENGLISH = /\b(the|and|was|were|is|are|tool|tools|run|runs|file|files|memory|seconds|error|failed|please|could|not|output|result|cut|kept|too|large|crashed|try|again|contact|author|with|your|you|this|stopped|limit)\b/i
/** Words one of which every Swedish sentence here has. */
const SWEDISH = /[åäö]|\b(och|att|är|det|inte|för|verktyget|kör|filen|filerna|igen)\b/i

function mountNotice(code: ErrorCode, showDetail = false) {
  const run = makeRun({ status: STATUS[code], error_code: code, error_params: PARAMS[code], error_summary: ENGLISH_SUMMARY, stderr: showDetail ? 'Traceback …' : null })
  return mount(RunErrorNotice, { props: { run, showDetail } })
}

describe('run errors in teacher language', () => {
  it.each(ERROR_CODES)('%s is explained in Swedish, with no English sentence for a teacher', (code) => {
    const explained = explainRun({ status: STATUS[code], error_code: code, error_params: PARAMS[code] })!
    expect(`${explained.title} ${explained.body}`).toMatch(SWEDISH)
    for (const text of [explained.title, explained.body, explained.short]) {
      expect(text, `${code}: ${text}`).not.toMatch(ENGLISH)
      expect(text).not.toMatch(/\{\w+\}/) // every placeholder filled in
    }
    const shown = mountNotice(code).text()
    expect(shown).not.toContain(ENGLISH_SUMMARY)
    expect(shown).not.toContain(code)
    // Only the tool's own message may be in the author's words.
    const withoutToolMessage = shown.replace(PARAMS.tool_error.message!, '')
    expect(withoutToolMessage).not.toMatch(ENGLISH)
  })

  it.each(ERROR_CODES)('%s is also explained without its parameters (older runs)', (code) => {
    const explained = explainRun({ status: STATUS[code], error_code: code, error_params: null })!
    expect(explained.body).not.toMatch(/\{\w+\}|undefined|null/)
    expect(explained.body).toMatch(SWEDISH)
  })

  it('says what to do next with the numbers the API sent', () => {
    expect(explainRun({ status: 'timed_out', error_code: 'timed_out', error_params: { seconds: 120 } })!.body).toBe(
      'Verktyget tog längre tid än 120 sekunder och stoppades — prova med en mindre fil, eller dela upp den och kör delarna var för sig.',
    )
    expect(explainRun({ status: 'failed', error_code: 'out_of_memory', error_params: { mib: 1024 } })!.body).toContain('1024 MB')
    const cut = explainRun({ status: 'succeeded', error_code: 'output_cut', error_params: { files: 1, cap: 'file_count', limit: 100 } })!
    expect(cut.tone).toBe('warning')
    expect(cut.body).toContain('En fil från verktyget sparades inte. Högst 100 filer sparas per körning.')
  })

  it('shows the tool\'s own message for tool_error', () => {
    const wrapper = mountNotice('tool_error')
    expect(wrapper.find('blockquote').text()).toContain('Filen saknar kolumnen Betyg.')
    expect(wrapper.attributes('data-error-code')).toBe('tool_error')
  })

  it('gives the tool\'s authors the technical detail, folded', () => {
    const wrapper = mountNotice('tool_crashed', true)
    const detail = wrapper.find('details')
    expect(detail.find('summary').text()).toBe('Teknisk information (för verktygets författare)')
    expect(detail.text()).toContain(ENGLISH_SUMMARY)
    expect(detail.text()).toContain('tool_crashed')
  })

  it('explains runs from before codes existed by their status, and succeeded runs not at all', () => {
    expect(explainRun({ status: 'failed' })!.title).toBe('Körningen misslyckades')
    expect(explainRun({ status: 'timed_out' })!.code).toBe('timed_out')
    expect(explainRun({ status: 'succeeded' })).toBeNull()
    expect(explainRun({ status: 'running' })).toBeNull()
  })

  it('words the log\'s truncation marker in Swedish', () => {
    expect(swedishLog('abc\n[… output truncated after 204800 bytes]\n')).toBe('abc\n[… utskriften kortades efter 204\u00a0800 byte]\n')
  })
})
