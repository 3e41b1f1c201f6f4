/** Wires the API client's "session is gone" signal to the router: back to sign-in, then back here. */
import type { Router } from 'vue-router'
import { setSignedOutHandler, type SignedOutReason } from '@/api/client'
import type { MessageKey } from '@/i18n'
import { useAuthStore } from '@/stores/auth'

export function installSignedOutHandler(router: Router): void {
  setSignedOutHandler((reason: SignedOutReason) => {
    useAuthStore().clear()
    const current = router.currentRoute.value
    if (current.name === 'login') return
    void router.push({ name: 'login', query: { redirect: current.fullPath, reason } })
  })
}

/** Page titles and focus: after each navigation, name the page and move focus to the content. */
export function installPageFocus(router: Router, title: (key: MessageKey | undefined) => string): void {
  let first = true
  router.afterEach((to, _from, failure) => {
    if (failure) return
    document.title = title(to.meta.title)
    if (first) {
      first = false
      return
    }
    // Screen-reader users land at the new page's content, not at the top of a stale one.
    requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }))
  })
}
