/** The one navigation guard: load the session once, then check `requiresAuth` and `minRole`. */
import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'
import { hasRole, type Role } from '@/auth/roles'
import { useAuthStore } from '@/stores/auth'

export async function authGuard(to: RouteLocationNormalized): Promise<true | RouteLocationRaw> {
  const auth = useAuthStore()
  if (auth.status.state === 'idle') await auth.load()

  if (to.name === 'login') {
    return auth.user ? (safeRedirect(to.query.redirect) ?? { name: 'catalog' }) : true
  }
  const requiresAuth = to.matched.some((record) => record.meta.requiresAuth)
  if (requiresAuth && !auth.user) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  const minRole = requiredRole(to)
  if (minRole && !(auth.user && hasRole(auth.user.role, minRole))) {
    return { name: 'forbidden', query: { need: minRole }, replace: true }
  }
  return true
}

/** The highest `minRole` along the matched records (nested routes inherit). */
function requiredRole(to: RouteLocationNormalized): Role | undefined {
  let need: Role | undefined
  for (const record of to.matched) {
    const role = record.meta.minRole
    if (role && (!need || hasRole(role, need))) need = role
  }
  return need
}

/** A `redirect` query value we are willing to follow: an in-app path, never another origin. */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  if (value === '/login' || value.startsWith('/login?')) return null
  return value
}
