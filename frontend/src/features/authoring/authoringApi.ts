/** The authoring calls: my tools, a tool's metadata, maintainers, versions, history, lifecycle, reviews. */
import { api, unwrap } from '@/api/client'
import type {
  AdminTool,
  CreateToolRequest,
  CreateToolResponse,
  Maintainer,
  ReviewItem,
  UpdateToolRequest,
  Version,
  VersionEvent,
} from '@/api/types'

export function listMyTools(): Promise<AdminTool[]> {
  return unwrap(api.GET('/api/my-tools'))
}

export function createTool(body: CreateToolRequest): Promise<CreateToolResponse> {
  return unwrap(api.POST('/api/admin/tools', { body }))
}

export function getAdminTool(id: string): Promise<AdminTool> {
  return unwrap(api.GET('/api/admin/tools/{id}', { params: { path: { id } } }))
}

export function updateTool(id: string, body: UpdateToolRequest): Promise<AdminTool> {
  return unwrap(api.PATCH('/api/admin/tools/{id}', { params: { path: { id } }, body }))
}

export function listMaintainers(id: string): Promise<Maintainer[]> {
  return unwrap(api.GET('/api/admin/tools/{id}/maintainers', { params: { path: { id } } }))
}

export function addMaintainer(id: string, email: string): Promise<Maintainer[]> {
  return unwrap(api.POST('/api/admin/tools/{id}/maintainers', { params: { path: { id } }, body: { email } }))
}

export async function removeMaintainer(id: string, userId: string): Promise<void> {
  await api.DELETE('/api/admin/tools/{id}/maintainers/{user_id}', { params: { path: { id, user_id: userId } } })
}

export function newDraft(toolId: string, from: 'active' | 'scratch' | 'version', versionId?: string): Promise<Version> {
  return unwrap(
    api.POST('/api/admin/tools/{id}/versions', { params: { path: { id: toolId } }, body: { from, version_id: versionId ?? null } }),
  )
}

export function listToolEvents(id: string): Promise<VersionEvent[]> {
  return unwrap(api.GET('/api/admin/tools/{id}/events', { params: { path: { id } } }))
}

export function listReviews(): Promise<ReviewItem[]> {
  return unwrap(api.GET('/api/admin/reviews'))
}

export type Transition = 'submit-review' | 'publish' | 'request-changes' | 'rollback'

/** A lifecycle step of a version (`message` for request-changes, optional for the others). */
export function transition(versionId: string, step: Transition, message?: string | null): Promise<Version> {
  const options = { params: { path: { id: versionId } }, body: { message: message ?? null } }
  switch (step) {
    case 'submit-review':
      return unwrap(api.POST('/api/admin/tool-versions/{id}/submit-review', options))
    case 'publish':
      return unwrap(api.POST('/api/admin/tool-versions/{id}/publish', options))
    case 'request-changes':
      return unwrap(api.POST('/api/admin/tool-versions/{id}/request-changes', options))
    case 'rollback':
      return unwrap(api.POST('/api/admin/tool-versions/{id}/rollback', options))
  }
}
