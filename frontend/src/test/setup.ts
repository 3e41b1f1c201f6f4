/** Per-spec isolation: a fresh Pinia and no CSRF token left from the previous spec. */
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach } from 'vitest'
import { setCsrfToken } from '@/api/client'

beforeEach(() => {
  setActivePinia(createPinia())
  setCsrfToken(null)
})
