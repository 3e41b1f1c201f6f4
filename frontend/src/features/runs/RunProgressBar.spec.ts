import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RunProgressBar from './RunProgressBar.vue'

const label = 'Hur långt verktyget har kommit'

describe('RunProgressBar', () => {
  it('is determinate with the stage, "done av total" and the time when the tool reports a total', () => {
    const wrapper = mount(RunProgressBar, {
      props: { status: 'running', progress: { done: 12, total: 30, stage: 'Läser elevlistor' }, elapsed: '0:07', label },
    })
    const bar = wrapper.find('[role="progressbar"]')
    expect(bar.attributes('data-determinate')).toBe('true')
    expect(bar.attributes('aria-valuenow')).toBe('40')
    expect(wrapper.find('.run-progress__fill').attributes('style')).toContain('width: 40%')
    expect(wrapper.text()).toContain('Läser elevlistor')
    expect(wrapper.text()).toContain('12 av 30 (40 %)')
    expect(wrapper.text()).toContain('Tid hittills: 0:07')
  })

  it('is indeterminate for a tool that never reports, with the time still shown', () => {
    const wrapper = mount(RunProgressBar, { props: { status: 'running', progress: null, elapsed: '1:02', label } })
    const bar = wrapper.find('[role="progressbar"]')
    expect(bar.attributes('data-determinate')).toBe('false')
    expect(bar.attributes('aria-valuenow')).toBeUndefined()
    expect(wrapper.find('.run-progress__bar').exists()).toBe(true)
    expect(wrapper.find('.run-progress__fill').exists()).toBe(false)
    expect(wrapper.text()).toBe('Tid hittills: 1:02')
  })

  it('stays indeterminate without a total, but says how much is done', () => {
    const wrapper = mount(RunProgressBar, { props: { status: 'running', progress: { done: 1500, total: null, stage: null }, elapsed: '0:03', label } })
    expect(wrapper.find('[role="progressbar"]').attributes('data-determinate')).toBe('false')
    expect(wrapper.text()).toContain('1\u00a0500 klara')
  })

  it('caps the bar at 100 % and shows no text while queued', () => {
    const over = mount(RunProgressBar, { props: { status: 'running', progress: { done: 5, total: 4 }, elapsed: '0:01', label } })
    expect(over.find('.run-progress__fill').attributes('style')).toContain('width: 100%')
    const queued = mount(RunProgressBar, { props: { status: 'queued', progress: null, elapsed: '', label } })
    expect(queued.find('.run-progress__bar--queued').exists()).toBe(true)
    expect(queued.find('.run-progress__text').exists()).toBe(false)
  })
})
