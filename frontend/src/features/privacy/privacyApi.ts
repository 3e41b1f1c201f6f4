/** Export and erase: my own data (Min profil) and, for admins, anyone's (Användare), and their log. */
import { api, unwrap } from '@/api/client'
import type { Erased, ErasedUser, PrivacyEventsPage } from '@/api/types'

/** A zip of everything about me; a plain link downloads it (the session cookie authorises the GET). */
export const MY_EXPORT_URL = '/api/me/export'

export function userExportUrl(id: string): string {
  return `/api/admin/users/${encodeURIComponent(id)}/export`
}

/** Erases my runs, uploads, result files, batches, settings and favourites; the account stays. */
export function eraseMyRuns(): Promise<Erased> {
  return unwrap(api.DELETE('/api/me/runs'))
}

export function eraseUserRuns(id: string): Promise<Erased> {
  return unwrap(api.DELETE('/api/admin/users/{id}/runs', { params: { path: { id } } }))
}

/** Erases a person: their history and personal details; their tools go on with other maintainers. */
export function eraseUser(id: string): Promise<ErasedUser> {
  return unwrap(api.DELETE('/api/admin/users/{id}', { params: { path: { id } } }))
}

/** The log of exports and erasures (admins), newest first; `subjectId` narrows it to one person. */
export function listPrivacyEvents(query: { subjectId: string | null; limit: number; offset: number }): Promise<PrivacyEventsPage> {
  const { subjectId, limit, offset } = query
  return unwrap(
    api.GET('/api/admin/privacy-events', { params: { query: { limit, offset, subject_id: subjectId ?? undefined } } }),
  )
}
