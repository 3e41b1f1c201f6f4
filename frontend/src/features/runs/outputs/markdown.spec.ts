// @vitest-environment jsdom
// DOMPurify needs a DOM that parses like a browser's; happy-dom's does not (it would pass
// scripts through), so the sanitiser is tested on jsdom. The e2e checks the same in Chromium.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import MarkdownOutput from './MarkdownOutput.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('markdown', () => {
  function render(markdown: string) {
    return mount(MarkdownOutput, { props: { output: { kind: 'markdown', markdown } }, attachTo: document.body })
  }

  it('renders markdown: headings, emphasis, lists, tables', () => {
    const wrapper = render('## Översikt\n**24** elever\n\n- ett\n- två\n\n| a | b |\n|---|---|\n| 1 | 2 |')
    expect(wrapper.find('h2').text()).toBe('Översikt')
    expect(wrapper.find('strong').text()).toBe('24')
    expect(wrapper.findAll('li')).toHaveLength(2)
    expect(wrapper.find('table td').text()).toBe('1')
  })

  it('never lets a script through, inline or as an event handler', () => {
    const spy = vi.fn()
    ;(window as unknown as { pwned: () => void }).pwned = spy
    const wrapper = render(
      'Hej <script>window.pwned()</script>\n\n<img src=x onerror="window.pwned()">\n\n<a href="javascript:window.pwned()">klick</a>\n\n<iframe src="https://example.org"></iframe><svg><script>window.pwned()</script></svg>',
    )
    const html = wrapper.html()
    expect(html).not.toContain('<script')
    expect(html).not.toContain('onerror')
    expect(html).not.toContain('javascript:')
    expect(html).not.toContain('<iframe')
    expect(wrapper.find('script').exists()).toBe(false)
    expect(spy).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Hej')
  })

  it('opens links in a new tab without handing over the opener', () => {
    const a = render('[Skolverket](https://www.skolverket.se)').find('a')
    expect(a.attributes('href')).toBe('https://www.skolverket.se')
    expect(a.attributes('target')).toBe('_blank')
    expect(a.attributes('rel')).toBe('noopener noreferrer')
  })

  it('drops remote images (they would tell a server who looked) but keeps inline ones', () => {
    const wrapper = render('![spår](https://tracker.example/p.gif) ![ok](data:image/png;base64,iVBORw0KGgo=)')
    const images = wrapper.findAll('img')
    expect(images).toHaveLength(1)
    expect(images[0]!.attributes('src')).toMatch(/^data:image\/png/)
  })
})
