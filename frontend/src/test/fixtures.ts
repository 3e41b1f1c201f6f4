/** Schema-typed sample data for specs. */
import type { MeResponse, User, UsersPage } from '@/api/types'

export function makeUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`
  return {
    id,
    email: 'anna@skola.se',
    display_name: 'Anna Andersson',
    role: 'user',
    disabled: false,
    created_at: '2026-11-01T08:00:00Z',
    updated_at: '2026-11-01T08:00:00Z',
    locked_until: null,
    ...overrides,
  }
}

export const ADMIN = makeUser({
  id: '00000000-0000-4000-8000-000000000001',
  email: 'admin@skola.se',
  display_name: 'Ada Admin',
  role: 'admin',
})

export function me(user: User = ADMIN, csrf = 'csrf-123'): MeResponse {
  return { user, csrf_token: csrf, expires_at: '2026-11-24T08:00:00Z' }
}

export function page(items: User[], total = items.length, offset = 0, limit = 25): UsersPage {
  return { items, total, offset, limit }
}
