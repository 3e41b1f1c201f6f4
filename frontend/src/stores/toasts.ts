/** Short confirmations shown by the toast host (Pinia: any page may raise one). */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type ToastTone = 'success' | 'info' | 'danger'
export interface Toast {
  id: number
  tone: ToastTone
  message: string
}

const DEFAULT_TIMEOUT_MS = 6000
/** More than this at once covers the page; the oldest give way. */
const MAX_SHOWN = 3

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
  }

  /** Shows `message`; errors stay until dismissed, others leave after a few seconds. */
  function show(message: string, tone: ToastTone = 'success'): number {
    const id = nextId++
    // The same message again (a second save) replaces the first instead of stacking.
    const others = toasts.value.filter((toast) => toast.message !== message || toast.tone !== tone)
    toasts.value = [...others, { id, tone, message }].slice(-MAX_SHOWN)
    if (tone !== 'danger') setTimeout(() => dismiss(id), DEFAULT_TIMEOUT_MS)
    return id
  }

  /** Drops every toast (e.g. at sign-out, so one person's confirmations do not linger). */
  function clear(): void {
    toasts.value = []
  }

  return { toasts, show, dismiss, clear }
})
