/**
 * The role ladder (SPEC §1). The OpenAPI document types `role` as a plain string, so the order
 * and the "who may manage whom" rule are mirrored here for the UI only; the API stays the
 * authority and answers 403 when the UI is wrong.
 */
import { t } from '@/i18n'

export const ROLES = ['user', 'contributor', 'admin', 'superuser'] as const
export type Role = (typeof ROLES)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

function rank(role: string): number {
  return (ROLES as readonly string[]).indexOf(role)
}

/** True when `have` is `need` or higher. Unknown roles have no rights. */
export function hasRole(have: string, need: Role): boolean {
  const r = rank(have)
  return r >= 0 && r >= rank(need)
}

/** Superusers manage everyone; admins manage users and contributors. */
export function canManage(actor: string, target: string): boolean {
  if (actor === 'superuser') return rank(target) >= 0
  if (actor === 'admin') return rank(target) >= 0 && rank(target) < rank('admin')
  return false
}

/** The roles `actor` may give, lowest first. */
export function assignableRoles(actor: string): Role[] {
  return ROLES.filter((r) => canManage(actor, r))
}

/** The Swedish name of a role (unknown roles are shown as sent). */
export function roleLabel(role: string): string {
  return isRole(role) ? t(`roles.${role}`) : role
}
