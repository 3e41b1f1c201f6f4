// @vitest-environment jsdom
// DOMPurify is tested on jsdom (happy-dom's parser would let scripts through; see markdown.spec.ts).
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import UsageInstructions from './UsageInstructions.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('UsageInstructions', () => {
  it('renders the instructions with the sanitising Markdown renderer: no script, no event handler survives', () => {
    const spy = vi.fn()
    ;(window as unknown as { pwned: () => void }).pwned = spy
    const wrapper = mount(UsageInstructions, {
      props: {
        open: true,
        markdown: '## Steg\n\n1. Ladda upp **CSV**.\n2. Tryck Kör.\n\nSe upp! <script>window.pwned()</script>\n\n<img src=x onerror="window.pwned()">\n\n[Hjälp](javascript:window.pwned())',
      },
      attachTo: document.body,
    })
    const html = wrapper.html()
    expect(wrapper.find('h2').text()).toBe('Steg')
    expect(wrapper.find('strong').text()).toBe('CSV')
    expect(wrapper.findAll('ol > li')).toHaveLength(2)
    expect(html).not.toContain('<script')
    expect(html).not.toContain('onerror')
    expect(html).not.toContain('javascript:')
    expect(wrapper.find('.markdown-output').exists()).toBe(true)
    expect(spy).not.toHaveBeenCalled()
  })

  it('starts open or folded as told', () => {
    const open = mount(UsageInstructions, { props: { open: true, markdown: 'Text' } })
    const folded = mount(UsageInstructions, { props: { open: false, markdown: 'Text' } })
    expect((open.find('details').element as HTMLDetailsElement).open).toBe(true)
    expect((folded.find('details').element as HTMLDetailsElement).open).toBe(false)
  })
})
