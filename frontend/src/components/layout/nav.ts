/** The main navigation: which pages a role sees (the router's `minRole` guards the same pages). */
import type { RouteLocationRaw } from 'vue-router'
import type { Role } from '@/auth/roles'
import type { MessageKey } from '@/i18n'

export interface NavItem {
  label: MessageKey
  to: RouteLocationRaw & { name: string }
  minRole: Role
  /** Route names that belong to this item's section (highlighted with it). */
  sections?: string[]
}

export const NAV_ITEMS: NavItem[] = [
  { label: 'nav.catalog', to: { name: 'catalog' }, minRole: 'user', sections: ['tool'] },
  { label: 'nav.myRuns', to: { name: 'my-runs' }, minRole: 'user', sections: ['run'] },
  { label: 'nav.myTools', to: { name: 'my-tools' }, minRole: 'contributor', sections: ['tool-admin', 'version-editor'] },
  { label: 'nav.review', to: { name: 'review' }, minRole: 'admin' },
  { label: 'nav.users', to: { name: 'users' }, minRole: 'admin' },
  { label: 'nav.privacy', to: { name: 'privacy' }, minRole: 'admin' },
]
