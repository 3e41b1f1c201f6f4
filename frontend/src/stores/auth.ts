/** Who is signed in (Pinia: truly global). Loaded once from `GET /api/auth/me` at start. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, setCsrfToken, unwrap } from '@/api/client'
import type { ApiProblem } from '@/api/problem'
import type { User } from '@/api/types'
import { hasRole, type Role } from '@/auth/roles'
import { toProblem } from '@/composables/status'

export type AuthStatus =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready' }
  | { state: 'error'; problem: ApiProblem }

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const expiresAt = ref<string | null>(null)
  const status = ref<AuthStatus>({ state: 'idle' })
  let pending: Promise<void> | null = null

  const signedIn = computed(() => user.value !== null)

  function atLeast(role: Role): boolean {
    return user.value !== null && hasRole(user.value.role, role)
  }

  function set(next: User, csrf: string | null | undefined, expires: string): void {
    user.value = next
    expiresAt.value = expires
    setCsrfToken(csrf ?? null)
    status.value = { state: 'ready' }
  }

  /** Forget the session locally (after sign-out or when the server says it is gone). */
  function clear(): void {
    user.value = null
    expiresAt.value = null
    setCsrfToken(null)
    status.value = { state: 'ready' }
  }

  /** Asks the server who we are; 401/403 simply means "not signed in". */
  function load(): Promise<void> {
    pending ??= (async () => {
      status.value = { state: 'loading' }
      try {
        const me = await unwrap(api.GET('/api/auth/me'))
        set(me.user, me.csrf_token, me.expires_at)
      } catch (e) {
        const problem = toProblem(e)
        if (problem.status === 401 || problem.status === 403) clear()
        else status.value = { state: 'error', problem }
      } finally {
        pending = null
      }
    })()
    return pending
  }

  /** Signs in; throws `ApiProblem` for the form to show. */
  async function login(email: string, password: string): Promise<User> {
    const session = await unwrap(api.POST('/api/auth/login', { body: { email, password } }))
    set(session.user, session.csrf_token, session.expires_at)
    return session.user
  }

  async function logout(): Promise<void> {
    try {
      await api.POST('/api/auth/logout')
    } catch {
      // Signing out locally matters more than the answer; the cookie expires anyway.
    }
    clear()
  }

  return { user, expiresAt, status, signedIn, atLeast, load, login, logout, clear }
})
