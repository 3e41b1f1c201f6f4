/**
 * Markdown from a tool, rendered with `marked` and sanitised with DOMPurify: no scripts, no
 * event handlers, no forms or frames; links open in a new tab with `rel="noopener noreferrer"`;
 * images only as inline `data:` (a remote image would leak who opened the result).
 */
import DOMPurify from 'dompurify'
import { marked } from 'marked'

let hooked = false

function installHooks(): void {
  if (hooked) return
  hooked = true
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank')
      node.setAttribute('rel', 'noopener noreferrer')
    }
    if (node.tagName === 'IMG' && !/^data:image\//i.test(node.getAttribute('src') ?? '')) {
      node.remove()
    }
  })
}

export function renderMarkdown(source: string): string {
  installHooks()
  const html = marked.parse(source, { async: false, gfm: true, breaks: false })
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  })
}
