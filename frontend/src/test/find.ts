/** Finding things in a mounted component the way a person names them. */
import type { DOMWrapper } from '@vue/test-utils'

type Scope = { findAll: (selector: string) => DOMWrapper<Element>[] }

/** The button whose text is `label` (throws when there is none, so a spec fails where it looks). */
export function buttonNamed(scope: Scope, label: string): DOMWrapper<Element> {
  const found = scope.findAll('button').find((b) => b.text().trim() === label)
  if (!found) throw new Error(`no button "${label}"`)
  return found
}
